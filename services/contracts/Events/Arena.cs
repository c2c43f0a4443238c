namespace CommunityEvals.Contracts.Events;

/// <summary>
/// A vote on an arena battle (ARENA.md), kept whatever happens: <paramref name="Counted"/> says whether
/// it counts, <paramref name="ExcludedBecause"/> why not (<c>voter-excluded</c>, <c>owner</c>,
/// <c>too-fast</c>, <c>daily-cap</c>). <paramref name="ModelA"/> and <paramref name="ModelB"/> are the
/// models in slots A and B; <paramref name="Winner"/> is <c>A</c>, <c>B</c>, <c>tie</c> or <c>both-bad</c>.
/// On the voter's stream, <c>arena-voter/{user}</c>.
/// <paramref name="OtherReason"/> is the first reason other than <c>voter-excluded</c> (null when none
/// applies): what decides whether the vote counts once the admin includes the voter again.
/// </summary>
public sealed record ArenaVoteCast(
    string BattleId,
    string Benchmark,
    string Task,
    string Dimension,
    string SampleId,
    string ModelA,
    string ModelB,
    string Winner,
    string Voter,
    bool Counted,
    string? ExcludedBecause,
    string? OtherReason,
    DateTimeOffset ServedAt);

/// <summary>The admin took every vote of <paramref name="User"/> out of the ratings, for a public reason.</summary>
public sealed record ArenaVoterExcluded(string User, string Reason);

/// <summary>The admin brought <paramref name="User"/>'s votes back into the ratings.</summary>
public sealed record ArenaVoterIncluded(string User, string Reason);
