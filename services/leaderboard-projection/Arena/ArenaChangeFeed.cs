using CommunityEvals.Contracts;
using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Feed;
using Marten;

namespace CommunityEvals.LeaderboardProjection.Arena;

/// <summary>
/// The arena's published changes (ARENA.md "Ratings"): for each vote or admin event that changed a
/// board's ratings, the board as it stood after it. Worked out from the public log (the arena's events
/// in the feed) and the boards' votes, so the SSE stream and the publisher agree on every id.
/// </summary>
public static class ArenaChangeFeed
{
    public static readonly string[] EventTypes = [nameof(ArenaVoteCast), nameof(ArenaVoterExcluded), nameof(ArenaVoterIncluded)];

    /// <param name="Changes">What the events changed, in id order.</param>
    /// <param name="Through">The last arena event looked at (changing something or not): where to go on from.</param>
    /// <param name="More">Whether the page was full: more events may follow at once.</param>
    public sealed record Page(IReadOnlyList<ArenaRatingsChanged> Changes, long Through, bool More = false);

    /// <summary>The changes of up to <paramref name="take"/> arena events after <paramref name="after"/>, optionally of one benchmark.</summary>
    /// <remarks>
    /// Only events the boards' votes already hold are looked at (the feed and the boards are separate
    /// projections): a change is published once, so it must be worked out from complete boards.
    /// </remarks>
    public static async Task<Page> AfterAsync(IQuerySession session, long after, int take, CancellationToken cancellationToken, string? benchmark = null, long? through = null)
    {
        var boardsThrough = await BoardsProgressAsync(session, cancellationToken);
        var limit = through is { } given ? Math.Min(given, boardsThrough) : boardsThrough;
        if (limit <= after)
        {
            return new Page([], after);
        }

        var events = await FeedTable.ReadAsync(session, new FeedQuery(After: after, Before: limit + 1, Types: EventTypes), take, cancellationToken);
        if (events.Count == 0)
        {
            return new Page([], after);
        }

        // Who was excluded when: every exclusion and inclusion so far (few; the admin makes them).
        var exclusions = await FeedTable.ReadAsync(session,
            new FeedQuery(Before: events[^1].Id + 1, Types: [nameof(ArenaVoterExcluded), nameof(ArenaVoterIncluded)]), int.MaxValue, cancellationToken);
        bool ExcludedAt(string user, long sequence) =>
            exclusions.LastOrDefault(e => e.Id <= sequence && Text(e, "user") == user) is { } last && last.Type == nameof(ArenaVoterExcluded);

        var boards = new Dictionary<string, ArenaBoard?>(StringComparer.Ordinal);
        async Task<ArenaBoard?> BoardAsync(string key) =>
            boards.TryGetValue(key, out var known) ? known : boards[key] = await session.LoadAsync<ArenaBoard>(key, cancellationToken);
        List<ArenaBoard>? all = null;

        var changes = new List<ArenaRatingsChanged>();
        foreach (var entry in events)
        {
            var affected = new SortedSet<(string Board, string Dimension)>();
            if (entry.Type == nameof(ArenaVoteCast))
            {
                if (Text(entry, "otherReason") is null && !ExcludedAt(Text(entry, "voter") ?? "", entry.Id))
                {
                    affected.Add((ArenaBoard.Key(Text(entry, "benchmark") ?? "", Text(entry, "task") ?? ""), Text(entry, "dimension") ?? ""));
                }
            }
            else
            {
                // An exclusion or inclusion changes every board where the voter has votes that count but for it.
                all ??= [.. await session.Query<ArenaBoard>().ToListAsync(cancellationToken)];
                var user = Text(entry, "user");
                foreach (var board in all)
                {
                    boards[board.Id] = board;
                    foreach (var vote in board.Votes.Where(v => v.Voter == user && v.Sequence < entry.Id && v.OtherReason is null))
                    {
                        affected.Add((board.Id, vote.Dimension));
                    }
                }
            }

            var n = 0;
            foreach (var (key, dimension) in affected)
            {
                if (await BoardAsync(key) is not { } board || (benchmark is not null && board.Benchmark != benchmark))
                {
                    continue;
                }

                var excluded = new HashSet<string>(board.Votes.Select(v => v.Voter).Where(voter => ExcludedAt(voter, entry.Id)), StringComparer.Ordinal);
                var counted = board.Votes
                    .Where(v => v.Sequence <= entry.Id && v.Dimension == dimension && v.ExcludedBecause(excluded.Contains(v.Voter)) is null)
                    .ToList();
                var ratings = ArenaRatings.For(board.Benchmark, board.Task, dimension, asOf: null, counted, excluded);
                n++;
                changes.Add(new ArenaRatingsChanged(board.Benchmark, board.Task, dimension, ratings.Votes,
                    [.. ratings.Rows.Select(row => new ArenaRatingRow(row.ModelId, row.Rating, row.Lower, row.Upper, row.Rank))],
                    entry.Id, $"{entry.Id}.{n}"));
            }
        }

        return new Page(changes, events[^1].Id, events.Count == take);
    }

    /// <summary>How far the projections that hold the arena's votes and voters have folded the log (the lesser).</summary>
    private static async Task<long> BoardsProgressAsync(IQuerySession session, CancellationToken cancellationToken)
    {
        var progress = await session.DocumentStore.Advanced.AllProjectionProgress(token: cancellationToken);
        long Of(string name) => progress
            .Where(shard => shard.ShardName.StartsWith(name + ":", StringComparison.Ordinal))
            .Select(shard => shard.Sequence)
            .DefaultIfEmpty(0)
            .Max();
        return Math.Min(Of(ArenaBoardProjection.ProjectionName), Of(FeedProjection.ProjectionName));
    }

    /// <summary>The newest arena event in the log (0 when none): a stream that starts now begins after it.</summary>
    public static async Task<long> LatestAsync(IQuerySession session, CancellationToken cancellationToken) =>
        (await FeedTable.ReadAsync(session, new FeedQuery(NewestFirst: true, Types: EventTypes), 1, cancellationToken)).FirstOrDefault()?.Id ?? 0;

    private static string? Text(FeedEntry entry, string property) =>
        entry.Data.ValueKind == System.Text.Json.JsonValueKind.Object && entry.Data.TryGetProperty(property, out var value)
        && value.ValueKind == System.Text.Json.JsonValueKind.String ? value.GetString() : null;
}
