using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using CommunityEvals.Evidence;
using static CommunityEvals.UnitTests.Evidence.EvidenceTestData;

namespace CommunityEvals.UnitTests.Evidence;

/// <summary>Hostile and broken uploads all come back as a failed <c>readable</c> check, never an exception.</summary>
public sealed class HostileLogTests
{
    private static readonly byte[] Header = Encoding.UTF8.GetBytes(
        Encoding.UTF8.GetString(InspectLogGenerator.Json(new LogSpec { Samples = 1 })).Split("\"samples\":[")[0].TrimEnd(',') + "}");

    private static byte[] Zip(params (string Name, byte[] Content)[] entries) => Zip(CompressionLevel.Optimal, entries);

    private static byte[] Zip(CompressionLevel level, params (string Name, byte[] Content)[] entries)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                var entry = zip.CreateEntry(name, level);
                using var s = entry.Open();
                s.Write(content);
            }
        }

        return ms.ToArray();
    }

    private static VerificationReport AssertUnreadable(byte[] log, string because, EvidenceOptions? options = null)
    {
        var report = Verify(log, options: options);
        Assert.Equal(EvidenceStatus.Rejected, report.Status);
        var readable = report.Check("readable");
        Assert.False(readable.Ok);
        Assert.Contains(because, readable.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(8, report.Checks.Count);
        Assert.All(report.Checks.Where(c => c.Name is "complete" or "headline" or "value"), c => Assert.StartsWith("not checked", c.Detail));
        return report;
    }

    [Fact]
    public void A_zip_bomb_is_refused_by_its_ratio()
    {
        var bomb = new byte[20 * 1024 * 1024];
        Array.Fill(bomb, (byte)' ');
        AssertUnreadable(Zip(("header.json", Header), ("samples/1_epoch_1.json", bomb)), "compression ratio");
    }

    [Fact]
    public void A_zip_that_lies_about_its_sizes_is_caught_while_inflating()
    {
        // Deflate 4 MiB of zeros, then patch the declared uncompressed size down to 100 bytes in both headers.
        // .NET stops inflating at the declared size (and BoundedEntryStream would refuse more), so the
        // sample is cut short: unreadable either way, and nothing past 100 bytes is produced.
        var zip = Zip(("header.json", Header), ("samples/1_epoch_1.json", new byte[4 * 1024 * 1024]));
        PatchUncompressedSize(zip, "samples/1_epoch_1.json", 100);
        var report = AssertUnreadable(zip, "");
        Assert.True(report.Check("readable").Detail.Contains("past its declared size") || report.Check("readable").Detail.Contains("malformed JSON"),
            report.Check("readable").Detail);
    }

    [Theory]
    [InlineData("../evil.json")]
    [InlineData("samples/../../evil.json")]
    [InlineData("/etc/passwd")]
    [InlineData("..\\evil.json")]
    [InlineData("C:/evil.json")]
    public void Path_like_entry_names_are_refused(string name) =>
        AssertUnreadable(Zip(("header.json", Header), (name, "{}"u8.ToArray())), "is refused");

    [Fact]
    public void A_huge_entry_is_refused()
    {
        var random = RandomNumberGenerator.GetBytes(3 * 1024 * 1024); // incompressible: the ratio check does not fire
        var options = new EvidenceOptions { MaxEntryBytes = 2 * 1024 * 1024 };
        AssertUnreadable(Zip(CompressionLevel.NoCompression, ("header.json", Header), ("attachments/blob.bin", random)), "over the limit", options);
    }

    [Fact]
    public void The_archive_wide_budget_is_enforced()
    {
        var options = new EvidenceOptions { MaxUncompressedBytes = 100 * 1024 };
        var log = InspectLogGenerator.Eval(new LogSpec { Samples = 200, EventsPadding = 1000 });
        AssertUnreadable(log, "uncompressed bytes", options);
    }

    [Fact]
    public void Too_many_entries_are_refused() =>
        AssertUnreadable(InspectLogGenerator.Eval(new LogSpec { Samples = 30 }), "entries, over the limit", new EvidenceOptions { MaxEntries = 10 });

    [Fact]
    public void A_nested_archive_is_refused_as_a_sample()
    {
        var inner = Zip(("header.json", Header));
        AssertUnreadable(Zip(("header.json", Header), ("samples/1_epoch_1.json", inner)), "nested archive");
    }

    [Fact]
    public void A_nested_archive_is_refused_anywhere()
    {
        var inner = Zip(("x.txt", "x"u8.ToArray()));
        AssertUnreadable(Zip(("attachments/inner.eval", inner), ("header.json", Header)), "nested archive");
    }

    [Fact]
    public void A_missing_header_is_refused() =>
        AssertUnreadable(Zip(("samples/1_epoch_1.json", "{}"u8.ToArray()), ("summaries.json", "[]"u8.ToArray())), "no header.json");

    [Fact]
    public void Duplicate_entries_are_refused() =>
        AssertUnreadable(Zip(("header.json", Header), ("header.json", Header)), "appears twice");

    [Theory]
    [InlineData("")]
    [InlineData("hello, this is not a log")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{\"status\": \"success\"}")]
    [InlineData("{\"eval\": {\"task\": \"x\"")]
    [InlineData("{\"eval\": {}, \"eval\": {}}")]
    [InlineData("{\"eval\": {}} trailing")]
    [InlineData("{\"eval\": {}, \"samples\": 5}")]
    [InlineData("{\"eval\": {}, \"samples\": [{\"epoch\": 1}]}")]
    [InlineData("{\"eval\": {}, \"samples\": [{\"id\": 1, \"epoch\": \"two\"}]}")]
    [InlineData("{\"eval\": {}, \"samples\": [1]}")]
    [InlineData("PK\u0003\u0004 but then garbage that is not a zip")]
    public void Junk_is_unreadable(string text)
    {
        var report = Verify(Encoding.UTF8.GetBytes(text));
        Assert.Equal(EvidenceStatus.Rejected, report.Status);
        Assert.False(report.Check("readable").Ok);
        Assert.False(string.IsNullOrWhiteSpace(report.Check("readable").Detail));
    }

    [Fact]
    public void A_truncated_log_is_unreadable_in_both_encodings()
    {
        foreach (var eval in new[] { false, true })
        {
            var log = InspectLogGenerator.Log(new LogSpec { Samples = 50 }, eval);
            Assert.False(Verify(log[..(log.Length * 2 / 3)]).Check("readable").Ok);
        }
    }

    [Fact]
    public void Deep_nesting_is_refused()
    {
        var deep = new string('[', 5000) + new string(']', 5000);
        AssertUnreadable(Encoding.UTF8.GetBytes("{\"eval\": {}, \"plan\": " + deep + "}"), "depth");
    }

    [Fact]
    public void An_oversized_sample_value_is_refused()
    {
        var options = new EvidenceOptions { MaxSampleValueBytes = 64 * 1024, MaxHeaderValueBytes = 64 * 1024 };
        AssertUnreadable(InspectLogGenerator.Json(new LogSpec { Samples = 2, EventsPadding = 200 * 1024 }), "larger than the limit", options);
    }

    [Fact]
    public void A_log_over_the_size_limit_is_refused() =>
        AssertUnreadable(InspectLogGenerator.Json(new LogSpec()), "over the limit", new EvidenceOptions { MaxLogBytes = 1000 });

    [Fact]
    public void A_missing_file_is_unreadable()
    {
        var report = EvidenceVerifier.Verify(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".eval"), Claim());
        Assert.False(report.Check("readable").Ok);
    }

    /// <summary>Rewrites an entry's uncompressed size in its local header and its central directory record.</summary>
    private static void PatchUncompressedSize(byte[] zip, string name, uint size)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var patched = 0;
        for (var i = 0; i + 46 < zip.Length; i++)
        {
            if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 3 && zip[i + 3] == 4
                && zip.AsSpan(i + 30, nameBytes.Length).SequenceEqual(nameBytes))
            {
                BitConverter.TryWriteBytes(zip.AsSpan(i + 22, 4), size);
                patched++;
            }
            else if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 1 && zip[i + 3] == 2
                     && zip.AsSpan(i + 46, nameBytes.Length).SequenceEqual(nameBytes))
            {
                BitConverter.TryWriteBytes(zip.AsSpan(i + 24, 4), size);
                patched++;
            }
        }

        Assert.Equal(2, patched);
    }
}
