using System.Diagnostics;

namespace CommunityEvals.Benchmarks;

/// <summary>Runs N concurrent workers for a fixed time and summarises their operation latencies.</summary>
public static class Latencies
{
    public sealed record Summary(int Operations, double PerSecond, double P50Ms, double P99Ms, int Failures)
    {
        public override string ToString() =>
            $"{Operations} ops in total, {PerSecond:F0}/s, p50 {P50Ms:F1} ms, p99 {P99Ms:F1} ms, {Failures} failed";
    }

    public static async Task<Summary> MeasureAsync(int workers, TimeSpan duration, Func<int, int, Task<bool>> operation)
    {
        var samples = new List<double>[workers];
        var failures = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async worker =>
        {
            samples[worker] = [];
            for (var i = 0; clock.Elapsed < duration; i++)
            {
                var started = clock.Elapsed;
                if (!await operation(worker, i))
                {
                    Interlocked.Increment(ref failures);
                }

                samples[worker].Add((clock.Elapsed - started).TotalMilliseconds);
            }
        }));
        var elapsed = clock.Elapsed;
        var all = samples.SelectMany(s => s).Order().ToArray();
        return new Summary(all.Length, all.Length / elapsed.TotalSeconds, Percentile(all, 0.50), Percentile(all, 0.99), failures);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
