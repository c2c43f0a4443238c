using System.Diagnostics;
using System.Globalization;
using CommunityEvals.Ratings;

namespace CommunityEvals.Benchmarks;

/// <summary>
/// Issue 17's rating benchmark, in process (no stack): battles drawn from known Bradley-Terry ratings,
/// then the times to count them, to fit once and to run the bootstrap, the process's peak memory,
/// and how far the fit lands from the ratings the battles were drawn from.
/// </summary>
public static class ArenaFit
{
    public static int Run(string[] args)
    {
        var (models, battleCount, rounds, seed) = Parse(args);
        var culture = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(culture,
            $"arena: {models} models, {battleCount:N0} battles, {rounds:N0} bootstrap rounds, seed {seed}, {Environment.ProcessorCount} cores"));

        // JIT and thread-pool warm-up on a small board, so the figures below are steady-state costs.
        var warmUp = Draw(8, 2_000, seed + 1, out _);
        BradleyTerry.Rate(new PairCounts(warmUp), 50, seed);

        var battles = Draw(models, battleCount, seed, out var trueRatings);
        var ties = battles.Count(b => b.Outcome == Outcome.Tie);

        var clock = Stopwatch.StartNew();
        var counts = new PairCounts(battles);
        var countSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var fitted = BradleyTerry.Fit(counts);
        var fitSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var rows = BradleyTerry.Rate(counts, rounds, seed);
        var rateSeconds = clock.Elapsed.TotalSeconds;

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var peakMegabytes = process.PeakWorkingSet64 / (1024.0 * 1024);

        // The votes fix only differences; the level comes from the virtual ties: at the maximum the
        // wins expected against the virtual 1000 add up to the half win each model plays for, so the
        // drawn ratings are moved to the level where theirs do too before they are compared.
        // (Only models drawn into a battle have a rating, a concern of tiny --battles only.)
        var shift = LevelOfTheVirtualTies(fitted.Keys.Select(model => trueRatings[model]).ToArray());
        var worstError = fitted.Max(pair => Math.Abs(pair.Value - (trueRatings[pair.Key] + shift)));
        var covered = rows.Count(row => row.Lower <= trueRatings[row.ModelId] + shift && trueRatings[row.ModelId] + shift <= row.Upper);
        var meanWidth = rows.Average(row => row.Upper - row.Lower);

        Console.WriteLine(string.Create(culture, $"""

              {"step",-34} {"this run",12}   FastChat (issue 17)
              {"count the battles into pairs",-34} {countSeconds,10:F2} s   {battleCount / countSeconds / 1e6:F1} M battles/s
              {"one fit",-34} {fitSeconds,10:F2} s   compute_bt 5.6 s
              {$"rate: fit + {rounds:N0} bootstrap rounds",-34} {rateSeconds,10:F2} s   compute_bootstrap_bt 104 s
              {"peak working set (whole process)",-34} {peakMegabytes,9:F0} MB   2.2 GB
              {"managed heap after the runs",-34} {GC.GetTotalMemory(false) / (1024.0 * 1024),9:F0} MB

              sanity: {ties / (double)battleCount:P1} ties; max |fitted - drawn| {worstError:F2} rating points over {fitted.Count} models (drawn shifted by {shift:+0.00;-0.00});
                      {covered} of {rows.Count} intervals contain the drawn rating (about 95% expected); mean interval width {meanWidth:F1} points
              """));
        return 0;
    }

    /// <summary>
    /// Battles between uniformly random pairs. Ties come with probability 0.3·min(P, 1 - P) (about
    /// 10% here), taken evenly from both sides' wins, so that a tie counted as half a win leaves each
    /// side's expected score at P and the fit has the drawn ratings as its target.
    /// </summary>
    private static Battle[] Draw(int models, int count, ulong seed, out Dictionary<string, double> trueRatings)
    {
        var random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        var names = Enumerable.Range(0, models).Select(i => string.Create(CultureInfo.InvariantCulture, $"model-{i:D3}")).ToArray();
        var ratings = names.Select(_ => 1000 + (100 * StandardNormal(random))).ToArray();
        trueRatings = names.Zip(ratings).ToDictionary(pair => pair.First, pair => pair.Second, StringComparer.Ordinal);
        var battles = new Battle[count];
        for (var i = 0; i < count; i++)
        {
            var a = random.Next(models);
            var b = random.Next(models - 1);
            b += b >= a ? 1 : 0;
            var p = 1 / (1 + Math.Pow(10, (ratings[b] - ratings[a]) / 400));
            var tie = 0.3 * Math.Min(p, 1 - p);
            var u = random.NextDouble();
            var outcome = u < p - (tie / 2) ? Outcome.AWins : u < p + (tie / 2) ? Outcome.Tie : Outcome.BWins;
            battles[i] = new Battle(names[a], names[b], outcome);
        }

        return battles;
    }

    /// <summary>The shift that makes P(beats 1000) of <paramref name="ratings"/> sum to one half per model.</summary>
    private static double LevelOfTheVirtualTies(double[] ratings)
    {
        var (low, high) = (-1000.0, 1000.0);
        while (high - low > 1e-9)
        {
            var shift = (low + high) / 2;
            var expectedWins = ratings.Sum(rating => 1 / (1 + Math.Pow(10, (1000 - rating - shift) / 400)));
            (low, high) = expectedWins < ratings.Length / 2.0 ? (shift, high) : (low, shift);
        }

        return (low + high) / 2;
    }

    private static double StandardNormal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static (int Models, int Battles, int Rounds, ulong Seed) Parse(string[] args)
    {
        var (models, battles, rounds, seed) = (200, 5_000_000, 1000, 1UL);
        if (args.Length % 2 != 0)
        {
            throw new ArgumentException($"option {args[^1]} has no value");
        }

        for (var i = 0; i < args.Length; i += 2)
        {
            var value = args[i + 1].Replace("_", "", StringComparison.Ordinal);
            switch (args[i])
            {
                case "--models":
                    models = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--battles":
                    battles = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--rounds":
                    rounds = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--seed":
                    seed = ulong.Parse(value, CultureInfo.InvariantCulture);
                    break;
                default:
                    throw new ArgumentException($"unknown option {args[i]} (arena takes --models, --battles, --rounds, --seed)");
            }
        }

        if (models < 2 || battles < 1 || rounds < 1)
        {
            throw new ArgumentException("arena needs --models 2 or more, --battles and --rounds 1 or more");
        }

        return (models, battles, rounds, seed);
    }
}
