using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using CommunityEvals.Ratings;

namespace CommunityEvals.LeaderboardProjection.Arena;

/// <summary>
/// An arena board's ratings from its counted votes (ARENA.md "Ratings"), for the leaderboard route and
/// the published changes alike, kept by what they were computed from: 1,000 bootstrap fits are worth
/// keeping while the counted votes and the excluded voters stay the same.
/// </summary>
public static class ArenaRatings
{
    private static readonly ConcurrentDictionary<string, ArenaApi.ArenaLeaderboard> Computed = new(StringComparer.Ordinal);

    /// <summary>Past this many boards kept the cache starts over: a bound, not a tuned size.</summary>
    private const int MaxKept = 1_000;

    public static string Key(string benchmark, string task, string dimension, DateTimeOffset? asOf, IReadOnlyList<ArenaVote> counted, IReadOnlySet<string> excluded) =>
        $"{benchmark}|{task}|{dimension}|{asOf?.UtcTicks}|{(counted.Count > 0 ? counted[^1].Sequence : 0)}|{counted.Count}|{string.Join(',', excluded.Order(StringComparer.Ordinal))}";

    /// <param name="counted">The votes that count, in log order.</param>
    public static ArenaApi.ArenaLeaderboard For(string benchmark, string task, string dimension, DateTimeOffset? asOf, IReadOnlyList<ArenaVote> counted, IReadOnlySet<string> excluded)
    {
        if (Computed.Count > MaxKept)
        {
            Computed.Clear();
        }

        return Computed.GetOrAdd(Key(benchmark, task, dimension, asOf, counted, excluded), _ => Compute(benchmark, task, dimension, asOf, counted));
    }

    private static ArenaApi.ArenaLeaderboard Compute(string benchmark, string task, string dimension, DateTimeOffset? asOf, IReadOnlyList<ArenaVote> counted)
    {
        var counts = new PairCounts();
        foreach (var vote in counted)
        {
            counts.Add(vote.ModelA, vote.ModelB, vote.Winner switch
            {
                "A" => Outcome.AWins,
                "B" => Outcome.BWins,
                _ => Outcome.Tie,
            });
        }

        var last = counted.Count > 0 ? counted[^1].Sequence : (long?)null;
        var rows = counts.TotalVotes == 0
            ? []
            : BradleyTerry.Rate(counts, ArenaApi.BootstrapRounds, Seed(benchmark, task, dimension, last ?? 0));
        return new ArenaApi.ArenaLeaderboard(benchmark, task, dimension, asOf, DateTimeOffset.UtcNow, counted.Count, ArenaApi.TheMethod,
            [.. rows.Select(row => new ArenaApi.ArenaRow(row.Rank, row.ModelId, row.Rating, row.Lower, row.Upper, row.Votes, row.Wins, row.Losses, row.Ties))],
            last);
    }

    /// <summary>The bootstrap's seed (ARENA.md): from the benchmark, task, dimension and the last counted vote, so every read of the same votes agrees.</summary>
    public static ulong Seed(string benchmark, string task, string dimension, long lastSequence) =>
        BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes($"{benchmark}\n{task}\n{dimension}\n{lastSequence}")), 0);
}
