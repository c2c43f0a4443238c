namespace CommunityEvals.Contracts;

/// <summary>
/// An arena board's ratings after an event changed them (ARENA.md "Ratings"): a counted vote, or the
/// admin excluding or including a voter with counted votes there. Published once per board and
/// dimension the event changed; consumers deduplicate by <see cref="Id"/>.
/// </summary>
/// <param name="Benchmark">The benchmark's dataset id.</param>
/// <param name="Task">The task id.</param>
/// <param name="Dimension">The arena dimension (<c>overall</c> when the benchmark declares none).</param>
/// <param name="Votes">Counted votes in the ratings.</param>
/// <param name="Rows">The ratings, best first.</param>
/// <param name="Sequence">The event store's sequence number of the event that changed them.</param>
/// <param name="Id"><c>{sequence}.{n}</c>: the n-th board that event changed, from 1 (also the SSE id).</param>
public sealed record ArenaRatingsChanged(
    string Benchmark,
    string Task,
    string Dimension,
    int Votes,
    IReadOnlyList<ArenaRatingRow> Rows,
    long Sequence,
    string Id);

/// <summary>One model's rating, its 95% interval and its rank (ARENA.md).</summary>
public sealed record ArenaRatingRow(string ModelId, double Rating, double Lower, double Upper, int Rank);
