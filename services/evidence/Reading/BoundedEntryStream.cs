namespace CommunityEvals.Evidence.Reading;

/// <summary>
/// Wraps one inflating zip entry stream and holds it to the limits on the bytes actually produced
/// (a zip's declared sizes may lie): the entry's declared size, the per-entry limit, the archive-wide
/// budget and the compression ratio. Also refuses an entry that is itself a zip (nested archive).
/// </summary>
internal sealed class BoundedEntryStream : Stream
{
    private readonly Stream _inner;
    private readonly string _name;
    private readonly long _declaredLength;
    private readonly long _compressedLength;
    private readonly EvidenceOptions _options;
    private readonly ZipBudget _budget;
    private readonly byte[] _magic = new byte[4];
    private long _produced;

    public BoundedEntryStream(Stream inner, string name, long declaredLength, long compressedLength, EvidenceOptions options, ZipBudget budget)
    {
        _inner = inner;
        _name = name;
        _declaredLength = declaredLength;
        _compressedLength = compressedLength;
        _options = options;
        _budget = budget;
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
        int read;
        try
        {
            read = _inner.Read(destination);
        }
        catch (InvalidDataException e)
        {
            throw new InspectLogFormatException($"zip entry '{_name}' is corrupt: {e.Message}", e);
        }

        if (read == 0)
        {
            return 0;
        }

        for (var i = 0; i < read && _produced + i < 4; i++)
        {
            _magic[_produced + i] = destination[i];
        }

        var before = _produced;
        _produced += read;
        if (before < 4 && _produced >= 4 && ZipMagic.IsZip(_magic))
        {
            throw new InspectLogFormatException($"zip entry '{_name}' is itself a zip archive; nested archives are refused");
        }

        if (_produced > _declaredLength)
        {
            throw new InspectLogFormatException($"zip entry '{_name}' inflates past its declared size of {_declaredLength} bytes");
        }

        if (_produced > _options.MaxEntryBytes)
        {
            throw new InspectLogFormatException($"zip entry '{_name}' is larger than the limit of {_options.MaxEntryBytes} bytes");
        }

        if (_produced >= _options.RatioCheckMinBytes && _produced > _options.MaxCompressionRatio * Math.Max(_compressedLength, 1))
        {
            throw new InspectLogFormatException(
                $"zip entry '{_name}' has a compression ratio above {_options.MaxCompressionRatio} (a zip bomb?)");
        }

        _budget.Add(read, _options);
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>The archive-wide count of inflated bytes actually read (entries may be read on several threads).</summary>
internal sealed class ZipBudget
{
    private long _total;

    public long Total => Interlocked.Read(ref _total);

    public void Add(long bytes, EvidenceOptions options)
    {
        if (Interlocked.Add(ref _total, bytes) > options.MaxUncompressedBytes)
        {
            throw new InspectLogFormatException($"the archive inflates past the limit of {options.MaxUncompressedBytes} bytes");
        }
    }
}

internal static class ZipMagic
{
    public static bool IsZip(ReadOnlySpan<byte> first4) =>
        first4.Length >= 4 && first4[0] == (byte)'P' && first4[1] == (byte)'K' && first4[2] == 3 && first4[3] == 4;
}
