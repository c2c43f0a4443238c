using System.Buffers;

namespace CommunityEvals.Evidence.Reading;

/// <summary>
/// Read-only stream over JSON text that turns the bare literals Python's json module writes
/// (<c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>), which <see cref="System.Text.Json.Utf8JsonReader"/> refuses,
/// into strings carrying a marker: <c>NaN</c> becomes <c>"\u0000NaN"</c>. The marker (a leading NUL)
/// keeps them apart from a genuine string <c>"NaN"</c>; <see cref="ScoreValues"/> reads both forms.
/// Everything else passes unchanged; a bare word that is not one of the three passes unchanged too,
/// so the JSON reader still rejects it. State survives chunk boundaries.
/// </summary>
internal sealed class NamedFloatLiteralStream : Stream
{
    /// <summary>What a bare literal's string starts with once quoted.</summary>
    public const char Marker = '\0';

    private static readonly byte[] QuoteMarker = "\"\\u0000"u8.ToArray();

    /// <summary>Inside a string only a quote or a backslash matters; outside, a quote or the first byte of a literal.</summary>
    private static readonly SearchValues<byte> StringSpecials = SearchValues.Create("\"\\"u8);
    private static readonly SearchValues<byte> OutsideSpecials = SearchValues.Create("\"NI-"u8);
    private const int MaxWord = 9; // "-Infinity"

    private Stream _inner;
    private readonly bool _leaveOpen;
    private readonly byte[] _in = new byte[16 * 1024];
    private int _inPos;
    private int _inEnd;
    private bool _innerDone;

    // Bytes ready to hand out before reading more input (a completed quoted literal, or a word passed through).
    private readonly byte[] _pending = new byte[32];
    private int _pendingPos;
    private int _pendingEnd;

    private bool _inString;
    private bool _escape;
    private readonly byte[] _word = new byte[MaxWord];
    private int _wordLen; // > 0 while collecting a bare word outside strings

    public NamedFloatLiteralStream(Stream inner, bool leaveOpen = false)
    {
        _inner = inner;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Starts over on another stream, keeping the buffers. The previous stream is not disposed.</summary>
    public void Reset(Stream inner)
    {
        _inner = inner;
        _inPos = _inEnd = 0;
        _innerDone = false;
        _pendingPos = _pendingEnd = 0;
        _inString = false;
        _escape = false;
        _wordLen = 0;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> destination)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        var written = 0;
        while (written < destination.Length)
        {
            if (_pendingPos < _pendingEnd)
            {
                var n = Math.Min(_pendingEnd - _pendingPos, destination.Length - written);
                _pending.AsSpan(_pendingPos, n).CopyTo(destination[written..]);
                _pendingPos += n;
                written += n;
                continue;
            }

            if (_inPos == _inEnd)
            {
                if (written > 0)
                {
                    return written; // hand out what we have before blocking on more input
                }

                if (_innerDone || !Fill())
                {
                    FlushWordAtEnd();
                    if (_pendingPos < _pendingEnd)
                    {
                        continue;
                    }

                    return written;
                }
            }

            var b = _in[_inPos];
            if (_wordLen > 0)
            {
                if (IsWordByte(b) && _wordLen < MaxWord)
                {
                    _word[_wordLen++] = b;
                    _inPos++;
                    continue;
                }

                EndWord(); // b is handled on the next turn, after the pending bytes
                continue;
            }

            if (_inString)
            {
                if (_escape)
                {
                    _escape = false;
                    destination[written++] = b;
                    _inPos++;
                    continue;
                }

                // Copy the run of ordinary string bytes at once.
                var inside = _in.AsSpan(_inPos, Math.Min(_inEnd - _inPos, destination.Length - written));
                var plain = inside.IndexOfAny(StringSpecials);
                if (plain < 0)
                {
                    plain = inside.Length;
                }

                if (plain > 0)
                {
                    inside[..plain].CopyTo(destination[written..]);
                    written += plain;
                    _inPos += plain;
                    continue;
                }

                if (b == (byte)'\\')
                {
                    _escape = true;
                }
                else
                {
                    _inString = false; // b is the closing quote
                }

                destination[written++] = b;
                _inPos++;
                continue;
            }

            if (b == (byte)'"')
            {
                _inString = true;
                destination[written++] = b;
                _inPos++;
                continue;
            }

            if (b is (byte)'N' or (byte)'I' or (byte)'-')
            {
                _word[0] = b;
                _wordLen = 1;
                _inPos++;
                continue;
            }

            // Copy a run of ordinary bytes at once.
            var outside = _in.AsSpan(_inPos, Math.Min(_inEnd - _inPos, destination.Length - written));
            var run = outside.IndexOfAny(OutsideSpecials);
            if (run < 0)
            {
                run = outside.Length;
            }

            outside[..run].CopyTo(destination[written..]);
            written += run;
            _inPos += run;
        }

        return written;
    }

    private static bool IsWordByte(byte b) => b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z';

    private bool Fill()
    {
        _inPos = 0;
        _inEnd = _inner.Read(_in, 0, _in.Length);
        if (_inEnd == 0)
        {
            _innerDone = true;
            return false;
        }

        return true;
    }

    private void EndWord()
    {
        var word = _word.AsSpan(0, _wordLen);
        _pendingPos = 0;
        _pendingEnd = 0;
        if (word.SequenceEqual("NaN"u8) || word.SequenceEqual("Infinity"u8) || word.SequenceEqual("-Infinity"u8))
        {
            QuoteMarker.CopyTo(_pending, 0);
            _pendingEnd = QuoteMarker.Length;
            word.CopyTo(_pending.AsSpan(_pendingEnd));
            _pendingEnd += word.Length;
            _pending[_pendingEnd++] = (byte)'"';
        }
        else
        {
            // Not a literal (a lone '-' before digits, or invalid JSON): pass it through unchanged.
            word.CopyTo(_pending);
            _pendingEnd = word.Length;
        }

        _wordLen = 0;
    }

    private void FlushWordAtEnd()
    {
        if (_wordLen > 0)
        {
            EndWord();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_leaveOpen)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
