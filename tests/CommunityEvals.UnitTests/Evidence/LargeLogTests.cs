using System.Diagnostics;
using CommunityEvals.Evidence;
using Xunit.Abstractions;

namespace CommunityEvals.UnitTests.Evidence;

/// <summary>
/// A 50,000-sample log in both encodings: read and verified, with the live heap flat while samples stream.
/// Times are printed, never asserted.
/// </summary>
/// <remarks>
/// The live heap is the whole process's, so the test runs alone: tests in other classes running
/// beside it once made it see 19 MiB of their objects as growth.
/// </remarks>
[Collection(AloneInProcess.Name)]
public sealed class LargeLogTests(ITestOutputHelper output) : IDisposable
{
    private const int Samples = 50_000;
    private readonly string _dir = Directory.CreateTempSubdirectory("evidence-large-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<bool> Encodings() => [false, true];

    [Theory]
    [MemberData(nameof(Encodings))]
    public void A_50000_sample_log_streams_with_a_flat_heap(bool eval)
    {
        var spec = new LogSpec { Samples = Samples };
        var path = Path.Combine(_dir, eval ? "big.eval" : "big.json");
        var sw = Stopwatch.StartNew();
        using (var file = File.Create(path))
        {
            if (eval)
            {
                InspectLogGenerator.WriteEval(spec, file);
            }
            else
            {
                InspectLogGenerator.WriteJson(spec, file);
            }
        }

        var generated = sw.Elapsed;

        // The reader alone: the live heap after 5,000 samples and after 45,000 must be about the same.
        long early = 0, late = 0;
        var count = 0;
        using (var reader = InspectLogReader.Open(path))
        {
            foreach (var sample in reader.ReadSamples())
            {
                count++;
                if (count == 5_000)
                {
                    early = GC.GetTotalMemory(forceFullCollection: true);
                }
                else if (count == 45_000)
                {
                    late = GC.GetTotalMemory(forceFullCollection: true);
                }

                GC.KeepAlive(sample);
            }
        }

        Assert.Equal(Samples, count);
        Assert.True(late - early < 4 * 1024 * 1024, $"live heap grew by {(late - early) / 1024} KiB from sample 5,000 to 45,000");

        // Full verification.
        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        sw.Restart();
        var report = EvidenceVerifier.Verify(path, EvidenceTestData.Claim(declared: Samples));
        var verified = sw.Elapsed;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        Assert.True(report.Status == EvidenceStatus.Verified, EvidenceTestData.Failed(report));
        Assert.Equal(Samples, report.Recomputed!.Samples);
        Assert.Equal(0.75, report.Recomputed.Value, 12);
        Assert.Equal(Samples / 4, report.FailuresTotal);
        Assert.Equal(10_000, report.Failures.Count); // capped

        output.WriteLine(
            $"{(eval ? ".eval" : ".json")}: {new FileInfo(path).Length / 1024 / 1024.0:F1} MiB, generated in {generated.TotalSeconds:F2}s, " +
            $"verified in {verified.TotalSeconds:F2}s, allocated {allocated / 1024 / 1024} MiB, live heap 5k->45k: {early / 1024} -> {late / 1024} KiB");
    }
}

/// <summary>Tests in this collection run after all others, with nothing beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneInProcess
{
    public const string Name = "Alone in the process";
}
