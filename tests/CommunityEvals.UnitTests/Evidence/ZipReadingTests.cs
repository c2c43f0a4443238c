using System.IO.Compression;
using CommunityEvals.Evidence;
using static CommunityEvals.UnitTests.Evidence.EvidenceTestData;

namespace CommunityEvals.UnitTests.Evidence;

/// <summary>The streaming zip reader on the zip variants writers produce.</summary>
public sealed class ZipReadingTests
{
    [Fact]
    public void Entries_written_with_data_descriptors_are_read()
    {
        // A non-seekable output makes the writer put sizes in data descriptors after each entry (flag bit 3),
        // as Inspect does when it writes a log to remote storage.
        var ms = new MemoryStream();
        InspectLogGenerator.WriteEval(new LogSpec(), new WriteOnly(ms));
        var bytes = ms.ToArray();
        Assert.True((BitConverter.ToUInt16(bytes, 6) & 0x8) != 0, "expected a data descriptor flag on the first entry");
        var report = Verify(bytes, Claim(declared: 20));
        Assert.True(report.Status == EvidenceStatus.Verified, Failed(report));
    }

    [Fact]
    public void Stored_entries_are_read()
    {
        var spec = new LogSpec();
        var zipped = InspectLogGenerator.Eval(spec);
        var stored = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(zipped), ZipArchiveMode.Read))
        using (var target = new ZipArchive(stored, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                using var from = entry.Open();
                using var to = target.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
                from.CopyTo(to);
            }
        }

        Assert.Equal(EvidenceStatus.Verified, Verify(stored.ToArray()).Status);
    }

    [Fact]
    public void A_zip64_archive_with_more_than_65535_entries_is_read()
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            var log = new ZipArchive(new MemoryStream(InspectLogGenerator.Eval(new LogSpec { Samples = 3 })), ZipArchiveMode.Read);
            foreach (var entry in log.Entries)
            {
                using var from = entry.Open();
                using var to = zip.CreateEntry(entry.FullName, CompressionLevel.Fastest).Open();
                from.CopyTo(to);
            }

            for (var i = 0; i < 65_600; i++)
            {
                zip.CreateEntry($"_journal/empty/{i}.json", CompressionLevel.NoCompression).Open().Dispose();
            }
        }

        var bytes = ms.ToArray();
        Assert.True(bytes.AsSpan().IndexOf("PK\u0006\u0006"u8) > 0, "expected a zip64 end of central directory record");
        using var reader = InspectLogReader.Open(new MemoryStream(bytes));
        Assert.Equal(3, reader.SampleEntryCount);
        Assert.Equal(3, reader.ReadSamples().Count());
    }

    private sealed class WriteOnly(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
