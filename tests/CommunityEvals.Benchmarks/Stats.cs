using System.Globalization;

namespace CommunityEvals.Benchmarks;

/// <summary>Percentiles of samples.</summary>
public static class Stats
{
    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>"p50 x ms, p90 y ms, p99 z ms, max w ms" of unsorted samples in milliseconds.</summary>
    public static string Describe(IEnumerable<double> samples)
    {
        var sorted = samples.Order().ToArray();
        if (sorted.Length == 0)
        {
            return "no samples";
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"p50 {Percentile(sorted, 0.50):F0} ms, p90 {Percentile(sorted, 0.90):F0} ms, p99 {Percentile(sorted, 0.99):F0} ms, max {sorted[^1]:F0} ms");
    }
}
