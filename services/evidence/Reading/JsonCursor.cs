using System.Text;
using System.Text.Json;

namespace CommunityEvals.Evidence.Reading;

/// <summary>
/// One value read by <see cref="JsonCursor.ReadField"/>: a scalar (string, number, true, false, null) as its
/// text, with no DOM; an object or array as a detached <see cref="JsonElement"/>.
/// </summary>
internal readonly struct JsonField
{
    private JsonField(JsonTokenType type, string? text, int? integer, JsonElement element)
    {
        Type = type;
        Text = text;
        Integer = integer;
        Element = element;
    }

    /// <summary>The value's first token: <see cref="JsonTokenType.None"/> for a field that was not there.</summary>
    public JsonTokenType Type { get; }

    /// <summary>A string's value (unescaped), a number's raw text, <c>true</c> or <c>false</c>; null otherwise.</summary>
    public string? Text { get; }

    /// <summary>A number that is an integer in the range of <see cref="int"/> (as <c>JsonFacts.Int</c> reads one); null otherwise.</summary>
    public int? Integer { get; }

    /// <summary>An object or array; <c>default</c> for a scalar.</summary>
    public JsonElement Element { get; }

    public bool IsPresent => Type is not (JsonTokenType.None or JsonTokenType.Null);

    public bool IsComposite => Type is JsonTokenType.StartObject or JsonTokenType.StartArray;

    public static JsonField Of(JsonElement element) => new(element.ValueKind == JsonValueKind.Array ? JsonTokenType.StartArray : JsonTokenType.StartObject, null, null, element);

    public static JsonField Scalar(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return new(JsonTokenType.String, reader.GetString(), null, default);
            case JsonTokenType.Number:
                int? integer = reader.TryGetInt32(out var i) ? i
                    : reader.TryGetDouble(out var d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue ? (int)d : null;
                return new(JsonTokenType.Number, Encoding.UTF8.GetString(reader.ValueSpan), integer, default);
            case JsonTokenType.True:
                return new(JsonTokenType.True, "true", null, default);
            case JsonTokenType.False:
                return new(JsonTokenType.False, "false", null, default);
            default:
                return new(reader.TokenType, null, null, default);
        }
    }
}

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

    // Property names seen recently, kept as UTF-8 and text: a log repeats the same few names in every
    // sample, so most names are recognised instead of decoded into a new string each time.
    private const int MaxCachedNames = 32;
    private const int MaxCachedNameBytes = 64;
    private readonly byte[][] _nameBytes = new byte[MaxCachedNames][];
    private readonly string[] _nameTexts = new string[MaxCachedNames];
    private int _nameCount;

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
                PropertyName = reader.TokenType == JsonTokenType.PropertyName ? NameOf(ref reader) : null;
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

                return ParseBufferedValue();
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

    /// <summary>
    /// Reads the next value like <see cref="ReadValue"/> (same limit, same errors), but a scalar comes back as
    /// text without building a document; only an object or array is materialised.
    /// </summary>
    /// <param name="maxBytes">The most bytes of JSON the value may take.</param>
    /// <param name="where">What holds the value, for errors (<c>samples[3]</c>).</param>
    /// <param name="name">The value's key, for errors (the message names <c>where.name</c>).</param>
    public JsonField ReadField(int maxBytes, string where, string name)
    {
        while (true)
        {
            var probe = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _eof, _state);
            if (probe.Read())
            {
                if (probe.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
                {
                    if (probe.BytesConsumed - probe.TokenStartIndex > maxBytes)
                    {
                        throw new InspectLogFormatException($"{where}.{name} is larger than the limit of {maxBytes} bytes");
                    }

                    var field = JsonField.Scalar(ref probe);
                    TokenType = probe.TokenType;
                    Commit(ref probe);
                    return field;
                }

                if (probe.TrySkip())
                {
                    if (probe.BytesConsumed - probe.TokenStartIndex > maxBytes)
                    {
                        throw new InspectLogFormatException($"{where}.{name} is larger than the limit of {maxBytes} bytes");
                    }

                    return JsonField.Of(ParseBufferedValue());
                }
            }

            if (_end - _start > maxBytes + 16)
            {
                throw new InspectLogFormatException($"{where}.{name} is larger than the limit of {maxBytes} bytes");
            }

            if (!Refill())
            {
                throw new InspectLogFormatException($"unexpected end of JSON in {where}.{name}");
            }
        }
    }

    private string NameOf(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > MaxCachedNameBytes)
        {
            return reader.GetString()!;
        }

        var utf8 = reader.ValueSpan;
        for (var i = 0; i < _nameCount; i++)
        {
            if (utf8.SequenceEqual(_nameBytes[i]))
            {
                return _nameTexts[i];
            }
        }

        var name = reader.GetString()!;
        if (_nameCount < MaxCachedNames)
        {
            _nameBytes[_nameCount] = utf8.ToArray();
            _nameTexts[_nameCount] = name;
            _nameCount++;
        }

        return name;
    }

    /// <summary>Parses the next value, which a probe found whole in the buffer, and moves past it.</summary>
    private JsonElement ParseBufferedValue()
    {
        var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _eof, _state);
        reader.Read();
        var element = JsonElement.ParseValue(ref reader);
        TokenType = reader.TokenType;
        Commit(ref reader);
        return element;
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
