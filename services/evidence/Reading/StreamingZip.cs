using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace CommunityEvals.Evidence.Reading;

/// <summary>One central-directory record: where an entry's data is and what it declares.</summary>
internal readonly record struct ZipEntryInfo(
    string Name,
    ushort Flags,
    ushort Method,
    long CompressedSize,
    long UncompressedSize,
    long LocalHeaderOffset);

/// <summary>
/// A minimal zip reader that walks the central directory as a stream instead of loading it (as
/// <see cref="ZipArchive"/> does, about half a KiB per entry), so memory does not grow with the number of
/// entries. Supports what Inspect's writer (Python's zipfile) produces: stored and deflated entries, data
/// descriptors, zip64. Refuses multi-disk and encrypted archives. Every read seeks first, so walking the
/// directory and reading entries may interleave on the one seekable stream. Entry names are only labels.
/// Local headers and small entries are read through a read-ahead window, so the many small entries of
/// a sample-per-entry log cost one read per window instead of a few system calls each. Reads of the
/// stream are serialised, so entries may be opened and read on several threads, each with its own
/// <see cref="ZipWindow"/>.
/// </summary>
internal sealed class StreamingZip
{
    /// <summary>Entries compressed to at most this many bytes are read whole (through the window) and inflated from memory.</summary>
    internal const int SmallEntryBytes = 64 * 1024;

    private const uint EocdSignature = 0x06054b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const uint Zip64EocdSignature = 0x06064b50;
    private const uint CentralSignature = 0x02014b50;
    private const uint LocalSignature = 0x04034b50;
    private const int EocdSize = 22;
    private const int MaxCommentAndEocd = EocdSize + ushort.MaxValue;

    private readonly Stream _stream;
    private readonly long _length;
    private readonly object _gate = new();
    private readonly ZipWindow _window = new();

    private StreamingZip(Stream stream, long length, long entryCount, long directoryOffset, long directorySize)
    {
        _stream = stream;
        _length = length;
        EntryCount = entryCount;
        DirectoryOffset = directoryOffset;
        DirectorySize = directorySize;
    }

    public long EntryCount { get; }

    public long DirectoryOffset { get; }

    public long DirectorySize { get; }

    /// <summary>Finds the end of central directory record (zip64 aware).</summary>
    public static StreamingZip Open(Stream stream)
    {
        var length = stream.Length;
        if (length < EocdSize)
        {
            throw new InspectLogFormatException("not a readable zip archive: too short");
        }

        var tailLength = (int)Math.Min(length, MaxCommentAndEocd + 20);
        var tail = new byte[tailLength];
        ReadExactly(stream, length - tailLength, tail);

        var eocd = -1;
        for (var i = tailLength - EocdSize; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) == EocdSignature
                && i + EocdSize + BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(i + 20)) == tailLength)
            {
                eocd = i;
                break;
            }
        }

        if (eocd < 0)
        {
            throw new InspectLogFormatException("not a readable zip archive: no end of central directory record");
        }

        var e = tail.AsSpan(eocd);
        var disk = BinaryPrimitives.ReadUInt16LittleEndian(e[4..]);
        var directoryDisk = BinaryPrimitives.ReadUInt16LittleEndian(e[6..]);
        long entriesOnDisk = BinaryPrimitives.ReadUInt16LittleEndian(e[8..]);
        long entries = BinaryPrimitives.ReadUInt16LittleEndian(e[10..]);
        long size = BinaryPrimitives.ReadUInt32LittleEndian(e[12..]);
        long offset = BinaryPrimitives.ReadUInt32LittleEndian(e[16..]);

        var zip64 = entries == ushort.MaxValue || entriesOnDisk == ushort.MaxValue || size == uint.MaxValue || offset == uint.MaxValue;
        var locator = eocd - 20;
        if (locator >= 0 && BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(locator)) == Zip64LocatorSignature)
        {
            var zip64Offset = BinaryPrimitives.ReadInt64LittleEndian(tail.AsSpan(locator + 8));
            if (zip64Offset < 0 || zip64Offset > length - 56)
            {
                throw new InspectLogFormatException("not a readable zip archive: bad zip64 locator");
            }

            var record = new byte[56];
            ReadExactly(stream, zip64Offset, record);
            if (BinaryPrimitives.ReadUInt32LittleEndian(record) != Zip64EocdSignature)
            {
                throw new InspectLogFormatException("not a readable zip archive: bad zip64 end record");
            }

            disk = (ushort)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(16)), ushort.MaxValue);
            directoryDisk = (ushort)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(20)), ushort.MaxValue);
            entriesOnDisk = BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(24));
            entries = BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(32));
            size = BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(40));
            offset = BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(48));
        }
        else if (zip64)
        {
            throw new InspectLogFormatException("not a readable zip archive: zip64 sizes without a zip64 record");
        }

        if (disk != 0 || directoryDisk != 0 || entriesOnDisk != entries)
        {
            throw new InspectLogFormatException("multi-disk zip archives are refused");
        }

        if (entries < 0 || size < 0 || offset < 0 || offset + size > length)
        {
            throw new InspectLogFormatException("not a readable zip archive: the central directory lies outside the file");
        }

        return new StreamingZip(stream, length, entries, offset, size);
    }

    /// <summary>Walks the central directory, one record at a time (a small buffer, whatever the entry count).</summary>
    public IEnumerable<ZipEntryInfo> Entries()
    {
        var buffer = new byte[64 * 1024];
        var bufferStart = DirectoryOffset; // file position of buffer[0]
        var bufferLength = 0;
        var position = DirectoryOffset;
        var end = DirectoryOffset + DirectorySize;
        for (long n = 0; n < EntryCount; n++)
        {
            // Make sure the fixed part is buffered, then the variable part.
            Ensure(46);
            var fixedPart = buffer.AsSpan((int)(position - bufferStart), 46);
            if (BinaryPrimitives.ReadUInt32LittleEndian(fixedPart) != CentralSignature)
            {
                throw new InspectLogFormatException($"not a readable zip archive: central directory record {n} is corrupt");
            }

            var flags = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart[8..]);
            var method = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart[10..]);
            long compressed = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart[20..]);
            long uncompressed = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart[24..]);
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart[28..]);
            var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart[30..]);
            var commentLength = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart[32..]);
            var startDisk = BinaryPrimitives.ReadUInt16LittleEndian(fixedPart[34..]);
            long localOffset = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart[42..]);

            var recordLength = 46 + nameLength + extraLength + commentLength;
            Ensure(recordLength);
            var record = buffer.AsSpan((int)(position - bufferStart), recordLength);
            var name = Encoding.UTF8.GetString(record.Slice(46, nameLength));
            var extra = record.Slice(46 + nameLength, extraLength);
            if (compressed == uint.MaxValue || uncompressed == uint.MaxValue || localOffset == uint.MaxValue || startDisk == ushort.MaxValue)
            {
                ReadZip64Extra(extra, ref uncompressed, ref compressed, ref localOffset, ref startDisk);
            }

            if (startDisk != 0)
            {
                throw new InspectLogFormatException("multi-disk zip archives are refused");
            }

            position += recordLength;
            yield return new ZipEntryInfo(name, flags, method, compressed, uncompressed, localOffset);
        }

        void Ensure(int count)
        {
            if (position + count > end)
            {
                throw new InspectLogFormatException("not a readable zip archive: the central directory is truncated");
            }

            if (position + count <= bufferStart + bufferLength)
            {
                return;
            }

            if (count > buffer.Length)
            {
                buffer = new byte[count];
            }

            bufferStart = position;
            bufferLength = (int)Math.Min(buffer.Length, end - position);
            ReadAt(bufferStart, buffer.AsSpan(0, bufferLength));
        }
    }

    /// <summary>Opens an entry's data, inflated; the caller bounds what it produces.</summary>
    public Stream Open(ZipEntryInfo entry) => Open(entry, _window);

    /// <summary>Opens an entry's data through <paramref name="window"/> (one per thread that opens entries).</summary>
    public Stream Open(ZipEntryInfo entry, ZipWindow window)
    {
        if ((entry.Flags & 0x1) != 0)
        {
            throw new InspectLogFormatException($"zip entry '{entry.Name}' is encrypted");
        }

        if (entry.Method is not (0 or 8))
        {
            throw new InspectLogFormatException($"zip entry '{entry.Name}' uses compression method {entry.Method}; only stored and deflate are read");
        }

        Span<byte> local = stackalloc byte[30];
        if (entry.LocalHeaderOffset < 0 || entry.LocalHeaderOffset > _length - local.Length)
        {
            throw new InspectLogFormatException($"zip entry '{entry.Name}' points outside the file");
        }

        ReadThroughWindow(window, entry.LocalHeaderOffset, local);
        if (BinaryPrimitives.ReadUInt32LittleEndian(local) != LocalSignature)
        {
            throw new InspectLogFormatException($"zip entry '{entry.Name}' has no local header");
        }

        var dataStart = entry.LocalHeaderOffset + 30
            + BinaryPrimitives.ReadUInt16LittleEndian(local[26..])
            + BinaryPrimitives.ReadUInt16LittleEndian(local[28..]);
        if (entry.CompressedSize < 0 || dataStart + entry.CompressedSize > _length)
        {
            throw new InspectLogFormatException($"zip entry '{entry.Name}' runs past the end of the file");
        }

        Stream raw;
        if (entry.CompressedSize <= SmallEntryBytes)
        {
            var size = (int)entry.CompressedSize;
            var data = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
            ReadThroughWindow(window, dataStart, data.AsSpan(0, size));
            raw = new PooledBufferStream(data, size);
        }
        else
        {
            raw = new SubReadStream(this, dataStart, entry.CompressedSize);
        }

        return entry.Method == 0 ? raw : new DeflateStream(raw, CompressionMode.Decompress);
    }

    /// <summary>Reads bytes at a position, served from the read-ahead window when they lie in it (or fit a new one).</summary>
    private void ReadThroughWindow(ZipWindow window, long position, Span<byte> destination)
    {
        if (destination.Length > ZipWindow.Bytes / 2)
        {
            ReadAt(position, destination);
            return;
        }

        if (!window.Holds(position, destination.Length))
        {
            var length = (int)Math.Min(ZipWindow.Bytes, _length - position);
            ReadAt(position, window.Empty(length));
            window.Filled(position, length);
        }

        window.CopyTo(position, destination);
    }

    /// <summary>Reads exactly <paramref name="destination"/>'s length at <paramref name="position"/>, one reader at a time.</summary>
    private void ReadAt(long position, Span<byte> destination)
    {
        lock (_gate)
        {
            ReadExactly(_stream, position, destination);
        }
    }

    /// <summary>Reads at most <paramref name="destination"/>'s length at <paramref name="position"/>, one reader at a time.</summary>
    private int ReadSomeAt(long position, Span<byte> destination)
    {
        lock (_gate)
        {
            _stream.Position = position;
            return _stream.Read(destination);
        }
    }

    private static void ReadZip64Extra(ReadOnlySpan<byte> extra, ref long uncompressed, ref long compressed, ref long localOffset, ref ushort startDisk)
    {
        while (extra.Length >= 4)
        {
            var id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            var size = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            if (4 + size > extra.Length)
            {
                break;
            }

            var data = extra.Slice(4, size);
            if (id == 0x0001)
            {
                // Only the fields whose 32-bit value was saturated are present, in this order.
                if (uncompressed == uint.MaxValue && data.Length >= 8)
                {
                    uncompressed = BinaryPrimitives.ReadInt64LittleEndian(data);
                    data = data[8..];
                }

                if (compressed == uint.MaxValue && data.Length >= 8)
                {
                    compressed = BinaryPrimitives.ReadInt64LittleEndian(data);
                    data = data[8..];
                }

                if (localOffset == uint.MaxValue && data.Length >= 8)
                {
                    localOffset = BinaryPrimitives.ReadInt64LittleEndian(data);
                    data = data[8..];
                }

                if (startDisk == ushort.MaxValue && data.Length >= 4)
                {
                    startDisk = (ushort)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(data), ushort.MaxValue);
                }

                return;
            }

            extra = extra[(4 + size)..];
        }

        throw new InspectLogFormatException("not a readable zip archive: zip64 sizes without a zip64 extra field");
    }

    private static void ReadExactly(Stream stream, long position, Span<byte> destination)
    {
        stream.Position = position;
        stream.ReadExactly(destination);
    }

    /// <summary>A small entry's compressed bytes, read whole; the pooled buffer goes back when the stream is disposed.</summary>
    private sealed class PooledBufferStream(byte[] buffer, int length) : MemoryStream(buffer, 0, length, writable: false)
    {
        private byte[]? _buffer = buffer;

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing && Interlocked.Exchange(ref _buffer, null) is { } returned)
            {
                ArrayPool<byte>.Shared.Return(returned);
            }
        }
    }

    /// <summary>A window on the shared stream; seeks before every read so other readers may interleave.</summary>
    private sealed class SubReadStream(StreamingZip zip, long start, long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> destination)
        {
            var left = length - _position;
            if (left <= 0 || destination.IsEmpty)
            {
                return 0;
            }

            if (destination.Length > left)
            {
                destination = destination[..(int)left];
            }

            var read = zip.ReadSomeAt(start + _position, destination);
            _position += read;
            return read;
        }
    }
}

/// <summary>A read-ahead window on a zip: bytes read once and served to the small reads that follow.</summary>
internal sealed class ZipWindow
{
    /// <summary>How much is read at once, whatever the archive's layout.</summary>
    public const int Bytes = 128 * 1024;

    private byte[]? _buffer;
    private long _start;
    private int _length;

    public bool Holds(long position, int count) =>
        _buffer is not null && position >= _start && position + count <= _start + _length;

    /// <summary>Forgets what the window holds and gives its buffer to read into.</summary>
    public Span<byte> Empty(int length)
    {
        _buffer ??= new byte[Bytes];
        _length = 0;
        return _buffer.AsSpan(0, length);
    }

    /// <summary>The buffer now holds <paramref name="length"/> bytes from <paramref name="position"/>.</summary>
    public void Filled(long position, int length)
    {
        _start = position;
        _length = length;
    }

    public void CopyTo(long position, Span<byte> destination) =>
        _buffer.AsSpan((int)(position - _start), destination.Length).CopyTo(destination);
}
