using System.Text.Json;

namespace CommunityEvals.Evidence.Reading;

/// <summary>
/// Pull-style walk over a JSON stream with <see cref="Utf8JsonReader"/> on a refillable buffer.
/// Only the value being looked at is ever in memory: <see cref="SkipValue"/> streams past a value of
/// any size token by token, <see cref="ReadValue"/> materialises one value (bounded) as a small DOM.
/// The buffer grows only to hold the largest single token or materialised value.
/// </summary>
internal sealed class JsonCursor
{
    private const int InitialBuffer = 64 * 1024;

    private Stream _stream;
    private readonly int _maxBuffer;
    private readonly JsonReaderOptions _readerOptions;
    private byte[] _buffer = new byte[InitialBuffer];
    private int _start;
    private int _end;
    private bool _eof;
    private JsonReaderState _state;

    public JsonCursor(Stream stream, int maxTokenBytes, int maxDepth)
    {
        _stream = stream;
        _maxBuffer = checked(maxTokenBytes + InitialBuffer);
        _readerOptions = new JsonReaderOptions { MaxDepth = maxDepth, CommentHandling = JsonCommentHandling.Disallow };
        _state = new JsonReaderState(_readerOptions);
    }

    /// <summary>Starts over on another document, keeping the buffer (one cursor serves every entry of a zip).</summary>
    public void Reset(Stream stream)
    {
        _stream = stream;
        _start = 0;
        _end = 0;
        _eof = false;
        _state = new JsonReaderState(_readerOptions);
        TokenType = JsonTokenType.None;
        PropertyName = null;
        if (_buffer.Length > InitialBuffer * 4)
        {
            _buffer = new byte[InitialBuffer];
        }
    }

    public JsonTokenType TokenType { get; private set; } = JsonTokenType.None;

    /// <summary>The text of the last property name read.</summary>
    public string? PropertyName { get; private set; }

    /// <summary>Reads the next token; false at the end of the document.</summary>
    public bool Read()
    {
        while (true)
        {
            var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _eof, _state);
            if (reader.Read())
            {
                TokenType = reader.TokenType;
                PropertyName = reader.TokenType == JsonTokenType.PropertyName ? reader.GetString() : null;
                Commit(ref reader);
                return true;
            }

            Commit(ref reader);
            if (!Refill())
            {
                TokenType = JsonTokenType.None;
                return false;
            }
        }
    }

    /// <summary>Reads the next token and requires it to be <paramref name="expected"/>.</summary>
    public void Expect(JsonTokenType expected, string what)
    {
        if (!Read() || TokenType != expected)
        {
            throw new InspectLogFormatException($"{what}: expected {Describe(expected)}, found {Describe(TokenType)}");
        }
    }

    /// <summary>Skips the next value (after a property name, or the next array element), streaming.</summary>
    public JsonTokenType SkipValue()
    {
        var first = JsonTokenType.None;
        var depth = -1;
        while (true)
        {
            var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _eof, _state);
            while (reader.Read())
            {
                if (depth < 0)
                {
                    first = reader.TokenType;
                    if (first is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
                    {
                        Commit(ref reader);
                        TokenType = first;
                        return first;
                    }

                    depth = reader.CurrentDepth;
                }
                else if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray && reader.CurrentDepth == depth)
                {
                    Commit(ref reader);
                    TokenType = reader.TokenType;
                    return first;
                }
            }

            Commit(ref reader);
            if (!Refill())
            {
                throw new InspectLogFormatException("unexpected end of JSON");
            }
        }
    }

    /// <summary>Reads the next value into a detached <see cref="JsonElement"/>; at most <paramref name="maxBytes"/> of JSON.</summary>
    public JsonElement ReadValue(int maxBytes, string what)
    {
        while (true)
        {
            var probe = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _eof, _state);
            if (probe.Read() && probe.TrySkip())
            {
                var length = probe.BytesConsumed - probe.TokenStartIndex;
                if (length > maxBytes)
                {
                    throw new InspectLogFormatException($"{what} is larger than the limit of {maxBytes} bytes");
                }

                var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _eof, _state);
                reader.Read();
                var element = JsonElement.ParseValue(ref reader);
                TokenType = reader.TokenType;
                Commit(ref reader);
                return element;
            }

            if (_end - _start > maxBytes + 16)
            {
                throw new InspectLogFormatException($"{what} is larger than the limit of {maxBytes} bytes");
            }

            if (!Refill())
            {
                throw new InspectLogFormatException($"unexpected end of JSON in {what}");
            }
        }
    }

    private void Commit(ref Utf8JsonReader reader)
    {
        _start += (int)reader.BytesConsumed;
        _state = reader.CurrentState;
    }

    /// <summary>Keeps the unread bytes, reads more; false when the stream is done.</summary>
    private bool Refill()
    {
        if (_eof)
        {
            return false;
        }

        var remaining = _end - _start;
        if (_start > 0)
        {
            // Shrink back after one large value, so a single big sample does not pin a big buffer.
            if (_buffer.Length > InitialBuffer * 4 && remaining < InitialBuffer / 2)
            {
                var small = new byte[InitialBuffer];
                _buffer.AsSpan(_start, remaining).CopyTo(small);
                _buffer = small;
            }
            else
            {
                _buffer.AsSpan(_start, remaining).CopyTo(_buffer);
            }

            _start = 0;
            _end = remaining;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= _maxBuffer)
            {
                throw new InspectLogFormatException($"a JSON token or value is larger than the limit of {_maxBuffer - InitialBuffer} bytes");
            }

            var bigger = new byte[(int)Math.Min((long)_buffer.Length * 2, _maxBuffer)];
            _buffer.AsSpan(0, _end).CopyTo(bigger);
            _buffer = bigger;
        }

        var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
        }
        else
        {
            _end += read;
        }

        return true;
    }

    public static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.EndObject => "the end of an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.EndArray => "the end of an array",
        JsonTokenType.PropertyName => "a property name",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => "the end of the input",
    };
}
