using CommunityEvals.Contracts;
using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Leaderboards;

namespace CommunityEvals.LeaderboardProjection.ScoreChanges;

/// <summary>One board row before and after an event (a null side: the row did not or no longer exists).</summary>
public sealed record RowChange(
    string ModelId,
    double? PreviousValue,
    double? Value,
    int? PreviousRank,
    int? Rank,
    bool Verified,
    string? Origin);

/// <summary>The rows of one task's board before and after one event.</summary>
/// <param name="OnlyModel">Set when the event changed the results of this model only, so every other row kept its place relative to the others.</param>
public sealed record BoardDiff(string Benchmark, string TaskId, IReadOnlyList<RankedRow> Before, IReadOnlyList<RankedRow> After, string? OnlyModel = null);

/// <summary>
/// Which board rows an event changed, and the <see cref="ScoreChanged"/> each one becomes: a row
/// changed when its value, rank, verified badge, origin or presence did. Pure, so a rebuild of the
/// projection numbers the same changes the same way.
/// </summary>
public static class ScoreChangeRules
{
    public const string Committed = "committed";
    public const string Retracted = "retracted";
    public const string PrOpened = "pr-opened";
    public const string PrUpdated = "pr-updated";
    public const string PrClosed = "pr-closed";
    public const string PrReopened = "pr-reopened";
    public const string PrMerged = "pr-merged";
    public const string Hidden = "hidden";
    public const string Unhidden = "unhidden";
    public const string BenchmarkChanged = "benchmark-updated";

    /// <summary>A model made private left the boards, or made public came back (ACCESS.md "Visibility").</summary>
    public const string VisibilityChanged = "visibility-changed";

    /// <summary>For the verification events to come.</summary>
    public const string Verified = "verified";

    public const string Contradicted = "contradicted";

    /// <summary>
    /// The cause an event gives its changes (the constants are named apart from the event types,
    /// which a switch would otherwise read as constant patterns); null for events that never change a board. A commit to
    /// <c>main</c> that writes no result and only deletes files or drops items is a retraction.
    /// </summary>
    public static string? CauseOf(object data) => data switch
    {
        MainCommitted committed when committed.Commit.Results.Count == 0
            && (committed.Commit.DeletedPaths.Count > 0 || committed.Commit.RetractedResultIds.Count > 0) => Retracted,
        MainCommitted => Committed,
        PullRequestOpened => PrOpened,
        PullRequestUpdated => PrUpdated,
        PullRequestClosed => PrClosed,
        PullRequestReopened => PrReopened,
        PullRequestMerged => PrMerged,
        ResultHidden => Hidden,
        ResultUnhidden => Unhidden,
        BenchmarkRegistered or BenchmarkUpdated => BenchmarkChanged,
        EvidenceVerified => "verified",
        EvidenceContradicted => "contradicted",
        RepoSettingsChanged => VisibilityChanged,
        _ => null,
    };

    /// <summary>
    /// The changed rows of one board: the rows after the event, in their order, whose value, rank,
    /// badges (verified, disputed), origin or presence changed; then the rows that are gone, in
    /// their old order.
    /// </summary>
    public static IReadOnlyList<RowChange> Diff(IReadOnlyList<RankedRow> before, IReadOnlyList<RankedRow> after, string? onlyModel = null)
    {
        if (onlyModel is not null && DiffOfOneModel(before, after, onlyModel) is { } fast)
        {
            return fast;
        }

        var previous = before.ToDictionary(row => row.ModelId, StringComparer.Ordinal);
        var changes = new List<RowChange>();
        foreach (var row in after)
        {
            var old = previous.GetValueOrDefault(row.ModelId);
            if (!Unchanged(old, row))
            {
                changes.Add(Change(old, row));
            }
        }

        var remaining = after.Select(row => row.ModelId).ToHashSet(StringComparer.Ordinal);
        changes.AddRange(before
            .Where(row => !remaining.Contains(row.ModelId))
            .Select(row => new RowChange(row.ModelId, row.Value, null, row.Rank, null, Verified: false, Origin: null)));
        return changes;
    }

    /// <summary>
    /// <see cref="Diff"/> when only <paramref name="model"/>'s results changed: the other rows are in
    /// the same order before and after, so they are paired by walking both lists instead of by a
    /// lookup. Null when the rows turn out not to be paired so, for the general diff to answer.
    /// </summary>
    private static List<RowChange>? DiffOfOneModel(IReadOnlyList<RankedRow> before, IReadOnlyList<RankedRow> after, string model)
    {
        RankedRow? modelBefore = null;
        foreach (var row in before)
        {
            if (string.Equals(row.ModelId, model, StringComparison.Ordinal))
            {
                modelBefore = row;
                break;
            }
        }

        var changes = new List<RowChange>();
        var modelAfter = false;
        var next = 0;
        foreach (var row in after)
        {
            RankedRow? old;
            if (string.Equals(row.ModelId, model, StringComparison.Ordinal))
            {
                old = modelBefore;
                modelAfter = true;
            }
            else
            {
                if (next < before.Count && string.Equals(before[next].ModelId, model, StringComparison.Ordinal))
                {
                    next++;
                }

                if (next >= before.Count || !string.Equals(before[next].ModelId, row.ModelId, StringComparison.Ordinal))
                {
                    return null;
                }

                old = before[next++];
            }

            if (!Unchanged(old, row))
            {
                changes.Add(Change(old, row));
            }
        }

        if (modelBefore is not null && !modelAfter)
        {
            changes.Add(new RowChange(modelBefore.ModelId, modelBefore.Value, null, modelBefore.Rank, null, Verified: false, Origin: null));
        }

        return changes;
    }

    private static bool Unchanged(RankedRow? old, RankedRow row) =>
        old is not null
        && old.Value.Equals(row.Value)
        && old.Rank == row.Rank
        && old.Result.Verified == row.Result.Verified
        && old.Disputed == row.Disputed
        && old.Result.Origin == row.Result.Origin;

    private static RowChange Change(RankedRow? old, RankedRow row) =>
        new(row.ModelId, old?.Value, row.Value, old?.Rank, row.Rank, row.Result.Verified, row.Result.Origin);

    /// <summary>
    /// Numbers the changes one event caused, board after board in the order given: <c>n</c> from 1,
    /// id <c>{sequence}.{n}</c>.
    /// </summary>
    public static List<ScoreChanged> Number(IEnumerable<BoardDiff> boards, string cause, long sequence, DateTimeOffset occurredAt)
    {
        var changes = new List<ScoreChanged>();
        foreach (var board in boards)
        {
            foreach (var row in Diff(board.Before, board.After, board.OnlyModel))
            {
                var n = changes.Count + 1;
                changes.Add(new ScoreChanged(
                    board.Benchmark,
                    board.TaskId,
                    row.ModelId,
                    row.PreviousValue,
                    row.Value,
                    row.PreviousRank,
                    row.Rank,
                    row.Verified,
                    row.Origin,
                    cause,
                    sequence,
                    IdOf(sequence, n),
                    occurredAt));
            }
        }

        return changes;
    }

    public static string IdOf(long sequence, int n) => $"{sequence}.{n}";

    /// <summary>Parses <c>{sequence}.{n}</c>; false for anything else.</summary>
    public static bool TryParseId(string? text, out long sequence, out int n)
    {
        sequence = 0;
        n = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        return dot > 0
            && long.TryParse(text.AsSpan(0, dot), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out sequence)
            && int.TryParse(text.AsSpan(dot + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out n);
    }
}
