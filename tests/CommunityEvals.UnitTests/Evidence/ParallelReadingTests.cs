using System.IO.Compression;
using System.Text;
using System.Text.Json;
using CommunityEvals.Evidence;
using static CommunityEvals.UnitTests.Evidence.EvidenceTestData;

namespace CommunityEvals.UnitTests.Evidence;

/// <summary>
/// A large .eval log is read on two threads (batches of entries alternate between them): samples still
/// come out in log order, and the failure raised is the first in log order, after every sample before it.
/// </summary>
public sealed class ParallelReadingTests
{
    /// <summary>Well past the size from which two threads read a log, and many batches long.</summary>
    private const int Entries = 1_000;

    [Fact]
    public void Samples_come_out_in_log_order_with_the_same_facts_as_from_the_json_encoding()
    {
        var spec = new LogSpec { Samples = Entries };
        var fromEval = Samples(InspectLogGenerator.Eval(spec), out _);
        var fromJson = Samples(InspectLogGenerator.Json(spec), out _);
        Assert.Equal(Entries, fromEval.Count);
        Assert.Equal(fromJson.Select(Describe), fromEval.Select(Describe));
    }

    [Theory]
    [InlineData(0, -1)]
    [InlineData(10, 70)] // this thread's batch fails before the helper's
    [InlineData(70, 130)] // the helper's batch fails before this thread's next one
    [InlineData(70, 80)] // two failures in one helper batch
    [InlineData(64, -1)]
    [InlineData(Entries - 1, -1)]
    public void The_first_failure_in_log_order_is_raised_after_every_sample_before_it(int first, int second)
    {
        var log = Break(InspectLogGenerator.Eval(new LogSpec { Samples = Entries }), first, second, out var names);
        using var reader = InspectLogReader.Open(new MemoryStream(log, writable: false));
        var read = new List<InspectSample>();
        var e = Assert.Throws<InspectLogFormatException>(() =>
        {
            foreach (var sample in reader.ReadSamples())
            {
                read.Add(sample);
            }
        });

        Assert.Equal(first, read.Count);
        Assert.Equal($"{names[first]} has no id (a number or a string)", e.Message);
        var report = Verify(log, Claim(declared: Entries));
        Assert.Equal(EvidenceStatus.Rejected, report.Status);
        Assert.Equal(e.Message, report.Check(EvidenceCheckNames.Readable).Detail);
    }

    [Fact]
    public void A_reading_stopped_early_leaves_the_reader_ready_to_read_again()
    {
        var log = InspectLogGenerator.Eval(new LogSpec { Samples = Entries });
        using var reader = InspectLogReader.Open(new MemoryStream(log, writable: false));
        Assert.Equal(100, reader.ReadSamples().Take(100).Count());
        Assert.Equal(Entries, reader.ReadSamples().Count());
        Assert.Equal(Entries, reader.ReadSamples().Select(s => s.Id).Distinct().Count());
    }

    [Fact]
    public void Verification_of_a_large_eval_log_matches_its_json_encoding()
    {
        var spec = new LogSpec { Samples = Entries };
        var eval = Verify(spec, eval: true, Claim(declared: Entries));
        var json = Verify(spec, eval: false, Claim(declared: Entries));
        Assert.True(eval.Status == EvidenceStatus.Verified, Failed(eval));
        Assert.Equal(json.Recomputed, eval.Recomputed);
        Assert.Equal(json.FailuresTotal, eval.FailuresTotal);
        Assert.Equal(json.Failures, eval.Failures);
    }

    private static string Describe(InspectSample sample) =>
        $"{sample.Id}|{sample.Epoch}|{sample.Input}|{sample.TargetText}|{sample.Completion}|{sample.Error}|" +
        string.Join(",", sample.Scores.Select(s => $"{s.Key}={s.Value.Value.GetRawText()}/{s.Value.Answer}/{s.Value.Explanation}"));

    /// <summary>Rewrites the sample entries at <paramref name="first"/> and <paramref name="second"/> (log order) to have no id.</summary>
    private static byte[] Break(byte[] eval, int first, int second, out List<string> sampleNames)
    {
        sampleNames = [];
        var output = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(eval), ZipArchiveMode.Read))
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                var isSample = entry.FullName.StartsWith("samples/", StringComparison.Ordinal);
                var index = isSample ? sampleNames.Count : -1;
                if (isSample)
                {
                    sampleNames.Add(entry.FullName);
                }

                using var to = target.CreateEntry(entry.FullName, CompressionLevel.Fastest).Open();
                if (index >= 0 && (index == first || index == second))
                {
                    to.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { epoch = 1 })));
                    continue;
                }

                using var from = entry.Open();
                from.CopyTo(to);
            }
        }

        return output.ToArray();
    }
}
