namespace CommunityEvals.Contracts;

/// <summary>
/// One leaderboard row that an event changed (public: subscribers build dashboards on it). A row is
/// one model on the native board of one benchmark task (community results included, no base-model
/// filter). Published once per change after the projection that computed it committed; delivery is
/// at least once, so consumers deduplicate by <see cref="Id"/>.
/// </summary>
/// <param name="Benchmark">The benchmark's dataset id, e.g. <c>TIGER-Lab/MMLU-Pro</c>.</param>
/// <param name="TaskId">The task id within the benchmark.</param>
/// <param name="ModelId">The model repo, e.g. <c>acme/model-7b</c>.</param>
/// <param name="PreviousValue">The model's leaderboard value before the event; null when it had no row.</param>
/// <param name="Value">The value after the event; null when the row is gone.</param>
/// <param name="PreviousRank">The rank before the event; null when it had no row.</param>
/// <param name="Rank">The rank after the event; null when the row is gone.</param>
/// <param name="Verified">The row's verified badge after the change (false when the row is gone).</param>
/// <param name="Origin"><c>author</c> or <c>community</c> after the change; null when the row is gone.</param>
/// <param name="Cause">
/// <c>committed</c>, <c>retracted</c>, <c>pr-opened</c>, <c>pr-updated</c>, <c>pr-closed</c>,
/// <c>pr-reopened</c>, <c>pr-merged</c>, <c>hidden</c>, <c>unhidden</c>, <c>verified</c>,
/// <c>contradicted</c> or <c>benchmark-updated</c>.
/// </param>
/// <param name="Sequence">The event store's sequence number of the event that caused it.</param>
/// <param name="Id"><c>{sequence}.{n}</c>: the n-th row that event changed, from 1 (also the SSE id).</param>
/// <param name="OccurredAt">When the store took the causing event.</param>
public sealed record ScoreChanged(
    string Benchmark,
    string TaskId,
    string ModelId,
    double? PreviousValue,
    double? Value,
    int? PreviousRank,
    int? Rank,
    bool Verified,
    string? Origin,
    string Cause,
    long Sequence,
    string Id,
    DateTimeOffset OccurredAt);
