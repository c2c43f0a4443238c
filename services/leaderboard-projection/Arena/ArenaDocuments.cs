using CommunityEvals.Contracts.Events;
using JasperFx.Events;
using Marten.Events.Projections;

namespace CommunityEvals.LeaderboardProjection.Arena;

/// <summary>Every vote on one task's arena (all dimensions), in log order. Id: <c>{benchmark}|{task}</c>.</summary>
public sealed class ArenaBoard
{
    public string Id { get; set; } = "";

    public string Benchmark { get; set; } = "";

    public string Task { get; set; } = "";

    public List<ArenaVote> Votes { get; set; } = [];

    public static string Key(string benchmark, string task) => $"{benchmark}|{task}";
}

/// <summary>One vote as the log and the ratings need it.</summary>
public sealed class ArenaVote
{
    public long Sequence { get; set; }

    public string BattleId { get; set; } = "";

    public string SampleId { get; set; } = "";

    public string Dimension { get; set; } = "";

    public string ModelA { get; set; } = "";

    public string ModelB { get; set; } = "";

    public string Winner { get; set; } = "";

    public string Voter { get; set; } = "";

    /// <summary>Why it did not count besides the voter's exclusion (<see cref="ArenaVoteCast.OtherReason"/>).</summary>
    public string? OtherReason { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>Why it does not count now: the voter's exclusion first, then the reason it had when cast.</summary>
    public string? ExcludedBecause(bool voterExcluded) => voterExcluded ? "voter-excluded" : OtherReason;
}

/// <summary>Whether the admin excludes a voter now, and why. Id: the user name.</summary>
public sealed class ArenaVoterStatus
{
    public string Id { get; set; } = "";

    public bool Excluded { get; set; }

    public string Reason { get; set; } = "";

    public DateTimeOffset At { get; set; }
}

/// <summary>Folds votes into their task's <see cref="ArenaBoard"/>.</summary>
public sealed class ArenaBoardProjection : MultiStreamProjection<ArenaBoard, string>
{
    public const string ProjectionName = "ArenaBoards";

    public ArenaBoardProjection()
    {
        Name = ProjectionName;
        Identity<ArenaVoteCast>(vote => ArenaBoard.Key(vote.Benchmark, vote.Task));
    }

    public override ArenaBoard? Evolve(ArenaBoard? snapshot, string id, IEvent e) => Fold(snapshot, id, e);

    public static IReadOnlyList<string> KeysOf(IEvent e) => e.Data is ArenaVoteCast vote ? [ArenaBoard.Key(vote.Benchmark, vote.Task)] : [];

    public static ArenaBoard? Fold(ArenaBoard? board, string id, IEvent e)
    {
        if (e.Data is not ArenaVoteCast vote)
        {
            return board;
        }

        board ??= new ArenaBoard { Id = id, Benchmark = vote.Benchmark, Task = vote.Task };
        // A page handed out again (at-least-once) must not add the vote twice.
        if (board.Votes.Count > 0 && board.Votes[^1].Sequence >= e.Sequence)
        {
            return board;
        }

        board.Votes.Add(new ArenaVote
        {
            Sequence = e.Sequence,
            BattleId = vote.BattleId,
            SampleId = vote.SampleId,
            Dimension = vote.Dimension,
            ModelA = vote.ModelA,
            ModelB = vote.ModelB,
            Winner = vote.Winner,
            Voter = vote.Voter,
            OtherReason = vote.OtherReason,
            OccurredAt = e.Timestamp,
        });
        return board;
    }
}

/// <summary>Folds the admin's exclusions and inclusions into one <see cref="ArenaVoterStatus"/> per voter.</summary>
public sealed class ArenaVoterProjection : MultiStreamProjection<ArenaVoterStatus, string>
{
    public const string ProjectionName = "ArenaVoters";

    public ArenaVoterProjection()
    {
        Name = ProjectionName;
        Identity<ArenaVoterExcluded>(change => change.User);
        Identity<ArenaVoterIncluded>(change => change.User);
    }

    public override ArenaVoterStatus? Evolve(ArenaVoterStatus? snapshot, string id, IEvent e) => Fold(snapshot, id, e);

    public static IReadOnlyList<string> KeysOf(IEvent e) => e.Data switch
    {
        ArenaVoterExcluded excluded => [excluded.User],
        ArenaVoterIncluded included => [included.User],
        _ => [],
    };

    public static ArenaVoterStatus? Fold(ArenaVoterStatus? status, string id, IEvent e) => e.Data switch
    {
        ArenaVoterExcluded excluded => new ArenaVoterStatus { Id = id, Excluded = true, Reason = excluded.Reason, At = e.Timestamp },
        ArenaVoterIncluded included => new ArenaVoterStatus { Id = id, Excluded = false, Reason = included.Reason, At = e.Timestamp },
        _ => status,
    };
}
