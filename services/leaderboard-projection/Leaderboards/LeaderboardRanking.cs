using CommunityEvals.LeaderboardProjection.Models;

namespace CommunityEvals.LeaderboardProjection.Leaderboards;

/// <summary>
/// One eligible result of one task (on <c>main</c> or in an open pull request, not hidden), as the
/// ranking sees it.
/// </summary>
/// <param name="ModelId">The model repo, <c>org/name</c>.</param>
/// <param name="Origin"><c>author</c> (on main) or <c>community</c> (an open pull request's).</param>
/// <param name="Disputed">Whether valid evidence contradicts it; disagreement between results is found by the ranking.</param>
/// <param name="Sequence">The event that last changed it: among otherwise equal results the earlier one wins.</param>
/// <param name="Source">The YAML item's <c>source</c> as JSON text, when it has one.</param>
/// <param name="IsBaseModel">Whether the model's card declares no <c>base_model</c>.</param>
public sealed record RankCandidate(
    string ModelId,
    double Value,
    bool Verified,
    string Origin,
    bool Disputed,
    long Sequence,
    string ResultId,
    string? Notes,
    string? Source,
    double? Stderr,
    DateTimeOffset UpdatedAt,
    bool IsBaseModel);

/// <summary>A task's direction and, when declared, its range (<c>leaderboard.{task}</c> in <c>eval.yaml</c>).</summary>
public sealed record TaskScale(bool HigherIsBetter = true, double? Min = null, double? Max = null)
{
    public static readonly TaskScale Default = new();

    public bool HasRange => Min is not null && Max is not null;
}

/// <summary>Which eligible results a board considers; applied before ranking.</summary>
/// <param name="VerifiedOnly">Only verified results.</param>
/// <param name="IncludeCommunity">Open pull requests' results count too.</param>
/// <param name="BaseModelsOnly">Only models whose card declares no <c>base_model</c> (the Hub's default).</param>
public sealed record BoardFilter(bool VerifiedOnly = false, bool IncludeCommunity = true, bool BaseModelsOnly = false)
{
    /// <summary>The native board's defaults, the one <c>ScoreChanged</c> describes.</summary>
    public static readonly BoardFilter Native = new();

    public bool Admits(RankCandidate candidate) =>
        (!VerifiedOnly || candidate.Verified)
        && (IncludeCommunity || candidate.Origin == LeaderboardRanking.Author)
        && (!BaseModelsOnly || candidate.IsBaseModel);
}

/// <summary>One row: a model, the result chosen for it, and its place.</summary>
/// <param name="Disputed">The chosen result's: contradicted by evidence, or disagreeing with another result (see <see cref="LeaderboardRanking"/>).</param>
/// <param name="ResultsCount">How many results of the model the board considered for this task (after the filters).</param>
public sealed record RankedRow(int Rank, RankCandidate Result, bool Disputed, int ResultsCount)
{
    public string ModelId => Result.ModelId;

    public double Value => Result.Value;
}

/// <summary>
/// Ranks one task's eligible results (API.md, "Ranking"): the filters first; then one row per model,
/// its best result (best value in the task's direction; among equal values verified first, then
/// the author's before the community's, then the earlier event); rows by value in the task's
/// direction, equal values sharing a competition rank (1, 2, 2, 4) and ordered by model id.
/// A result is disputed when evidence contradicts it or when another eligible result of the same
/// model, task and <c>notes</c> differs from it by more than 1% of the task's range (1% of the
/// larger magnitude when no range is declared); that is judged on every eligible result, before
/// the filters, because it is a fact about the result, not about a view of the board.
/// </summary>
public static class LeaderboardRanking
{
    public const string Author = CurrentResult.Author;
    public const string Community = CurrentResult.Community;

    /// <summary>The share of the range (or of the value) two results may differ by before they dispute each other.</summary>
    public const double DisputeTolerance = 0.01;

    public static IReadOnlyList<RankedRow> Rank(IEnumerable<RankCandidate> eligible, TaskScale scale, BoardFilter filter)
    {
        var all = eligible.ToList();
        var disputed = DisputedResults(all, scale);
        var best = all
            .Where(filter.Admits)
            .GroupBy(candidate => candidate.ModelId, StringComparer.Ordinal)
            .Select(results =>
            {
                var ordered = results.ToList();
                ordered.Sort((a, b) => CompareWithinModel(a, b, scale));
                return (Best: ordered[0], Count: ordered.Count);
            })
            .ToList();
        best.Sort((a, b) => CompareRows(a.Best, b.Best, scale));

        var rows = new List<RankedRow>(best.Count);
        for (var index = 0; index < best.Count; index++)
        {
            var (result, count) = best[index];
            var rank = index > 0 && rows[index - 1].Value.Equals(result.Value) ? rows[index - 1].Rank : index + 1;
            rows.Add(new RankedRow(rank, result, disputed.Contains(result.ResultId), count));
        }

        return rows;
    }

    /// <summary>
    /// The rows of a task after one model's results changed, from the rows before: that model's row
    /// is taken out and its new one (if any) put in its place, and the ranks are counted again. This
    /// equals <see cref="Rank"/> over every result, because no other model's best result or dispute
    /// can change (disputes are between results of one model), and it spares re-ranking the whole
    /// task for every event, which is what a rebuild's fold spent its time on.
    /// </summary>
    /// <param name="before">The task's rows under <paramref name="filter"/>, as <see cref="Rank"/> gave them.</param>
    /// <param name="modelResults">Every eligible result of <paramref name="modelId"/> for the task now.</param>
    public static IReadOnlyList<RankedRow> Rerank(
        IReadOnlyList<RankedRow> before, string modelId, IEnumerable<RankCandidate> modelResults, TaskScale scale, BoardFilter filter)
    {
        var modelRows = Rank(modelResults, scale, filter);
        if (modelRows.Count > 1 || modelRows.Any(row => !string.Equals(row.ModelId, modelId, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"results of models other than {modelId} were given", nameof(modelResults));
        }

        var newRow = modelRows.Count == 1 ? modelRows[0] : null;
        var rows = new List<RankedRow>(before.Count + 1);
        foreach (var row in before)
        {
            if (string.Equals(row.ModelId, modelId, StringComparison.Ordinal))
            {
                continue;
            }

            if (newRow is not null && CompareRows(newRow.Result, row.Result, scale) < 0)
            {
                rows.Add(newRow);
                newRow = null;
            }

            rows.Add(row);
        }

        if (newRow is not null)
        {
            rows.Add(newRow);
        }

        for (var index = 0; index < rows.Count; index++)
        {
            var rank = index > 0 && rows[index - 1].Value.Equals(rows[index].Value) ? rows[index - 1].Rank : index + 1;
            if (rows[index].Rank != rank)
            {
                rows[index] = rows[index] with { Rank = rank };
            }
        }

        return rows;
    }

    /// <summary>The order of a task's rows: by value in the task's direction, then by model id.</summary>
    private static int CompareRows(RankCandidate a, RankCandidate b, TaskScale scale)
    {
        var byValue = CompareValues(a.Value, b.Value, scale);
        return byValue != 0 ? byValue : string.CompareOrdinal(a.ModelId, b.ModelId);
    }

    /// <summary>Negative when <paramref name="a"/> ranks above <paramref name="b"/>.</summary>
    public static int CompareValues(double a, double b, TaskScale scale) =>
        scale.HigherIsBetter ? b.CompareTo(a) : a.CompareTo(b);

    /// <summary>Which of a model's results represents it: best value, then verified, then the author's, then the earlier event.</summary>
    public static int CompareWithinModel(RankCandidate a, RankCandidate b, TaskScale scale)
    {
        var order = CompareValues(a.Value, b.Value, scale);
        if (order != 0)
        {
            return order;
        }

        order = b.Verified.CompareTo(a.Verified);
        if (order != 0)
        {
            return order;
        }

        order = (a.Origin == Author ? 0 : 1).CompareTo(b.Origin == Author ? 0 : 1);
        if (order != 0)
        {
            return order;
        }

        order = a.Sequence.CompareTo(b.Sequence);
        return order != 0 ? order : string.CompareOrdinal(a.ResultId, b.ResultId);
    }

    /// <summary>Ids of the results that are disputed: by evidence, or by disagreeing with a result of the same model, task and notes.</summary>
    public static HashSet<string> DisputedResults(IReadOnlyList<RankCandidate> eligible, TaskScale scale)
    {
        var disputed = eligible.Where(candidate => candidate.Disputed).Select(candidate => candidate.ResultId).ToHashSet(StringComparer.Ordinal);
        foreach (var group in eligible.GroupBy(candidate => (candidate.ModelId, candidate.Notes)))
        {
            var results = group.ToList();
            for (var i = 0; i < results.Count; i++)
            {
                for (var j = i + 1; j < results.Count; j++)
                {
                    if (Disagree(results[i].Value, results[j].Value, scale))
                    {
                        disputed.Add(results[i].ResultId);
                        disputed.Add(results[j].ResultId);
                    }
                }
            }
        }

        return disputed;
    }

    /// <summary>Whether two values differ by more than 1% of the range, or 1% of the larger magnitude without one.</summary>
    public static bool Disagree(double a, double b, TaskScale scale)
    {
        var allowed = scale.HasRange
            ? DisputeTolerance * Math.Abs(scale.Max!.Value - scale.Min!.Value)
            : DisputeTolerance * Math.Max(Math.Abs(a), Math.Abs(b));
        return Math.Abs(a - b) > allowed;
    }
}
