using CommunityEvals.Contracts.Events;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Http;

namespace CommunityEvals.Verification.Arena;

/// <summary>What the arena knows of one voter, folded from their stream (<c>arena-voter/{user}</c>).</summary>
public sealed class VoterState
{
    public long Version { get; private set; }

    public bool Excluded { get; private set; }

    /// <summary>Battles this voter has voted on.</summary>
    public HashSet<string> Voted { get; } = new(StringComparer.Ordinal);

    /// <summary>What this voter has judged: <see cref="SeenKey"/> of each vote, counted or not.</summary>
    public HashSet<string> Seen { get; } = new(StringComparer.Ordinal);

    private readonly Dictionary<DateOnly, int> _countedByDay = [];

    public int CountedOn(DateOnly day) => _countedByDay.GetValueOrDefault(day);

    /// <summary>A user never gets the same sample and pair twice in one dimension (ARENA.md).</summary>
    public static string SeenKey(string benchmark, string task, string dimension, string sampleId, string modelA, string modelB) =>
        $"{benchmark}|{task}|{dimension}|{sampleId}|{ArenaAnswers.PairKey(modelA, modelB)}";

    public static VoterState Fold(IEnumerable<(object Data, DateTimeOffset At)> events)
    {
        var state = new VoterState();
        foreach (var (data, at) in events)
        {
            state.Version++;
            switch (data)
            {
                case ArenaVoteCast vote:
                    state.Voted.Add(vote.BattleId);
                    state.Seen.Add(SeenKey(vote.Benchmark, vote.Task, vote.Dimension, vote.SampleId, vote.ModelA, vote.ModelB));
                    if (vote.Counted)
                    {
                        var day = DateOnly.FromDateTime(at.UtcDateTime);
                        state._countedByDay[day] = state.CountedOn(day) + 1;
                    }

                    break;
                case ArenaVoterExcluded:
                    state.Excluded = true;
                    break;
                case ArenaVoterIncluded:
                    state.Excluded = false;
                    break;
            }
        }

        return state;
    }
}

/// <summary>The arena's rules for a vote and for the admin's exclusions (ARENA.md "Which votes count"): pure.</summary>
public static class ArenaVoting
{
    public static readonly string[] Winners = ["A", "B", "tie", "both-bad"];

    public const string VoterExcluded = "voter-excluded";

    /// <summary>How soon after its battle was served a vote may count.</summary>
    public static readonly TimeSpan MinimumThinkingTime = TimeSpan.FromSeconds(2);

    /// <param name="ownsEitherModel">Whether the caller owns either model (the user, or a member of its org).</param>
    public static Decision Vote(VoterState voter, string battleId, Battle battle, string caller, string? winner, bool ownsEitherModel, int dailyCap, DateTimeOffset now)
    {
        if (battle.Voter != caller)
        {
            return Decision.Reject(RejectionKind.Forbidden, "This battle was served to another user.");
        }

        if (winner is null || !Winners.Contains(winner, StringComparer.Ordinal))
        {
            return Decision.Reject(RejectionKind.Invalid, $"'winner' must be one of {string.Join(", ", Winners)}.",
                [new ValidationError(null, null, null, null, "winner", $"'winner' must be one of {string.Join(", ", Winners)}, found '{winner}'.")]);
        }

        if (voter.Voted.Contains(battleId))
        {
            return Decision.Reject(RejectionKind.Conflict, "You have already voted on this battle.");
        }

        if (now > battle.ExpiresAt)
        {
            return Decision.Reject(RejectionKind.Gone, $"This battle expired at {battle.ExpiresAt:O}; ask for a new one.");
        }

        // The first that applies, in ARENA.md's order; the voter's exclusion may be lifted later, so
        // what would apply without it is kept as well.
        var otherReason =
            ownsEitherModel ? "owner"
            : now - battle.ServedAt < MinimumThinkingTime ? "too-fast"
            : voter.CountedOn(DateOnly.FromDateTime(now.UtcDateTime)) >= dailyCap ? "daily-cap"
            : null;
        var excludedBecause = voter.Excluded ? VoterExcluded : otherReason;
        var vote = new ArenaVoteCast(battleId, battle.Benchmark, battle.Task, battle.Dimension, battle.SampleId, battle.ModelA, battle.ModelB,
            winner, caller, excludedBecause is null, excludedBecause, otherReason, battle.ServedAt);
        return Decision.Accept(new PendingEvent(StreamKeys.ArenaVoter(caller), vote, voter.Version));
    }

    /// <summary>The admin excludes a voter (or includes them again); repeating what is already so changes nothing.</summary>
    public static Decision SetExcluded(VoterState voter, string user, bool exclude, string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            return Decision.Reject(RejectionKind.Invalid, "A public 'reason' is required.",
                [new ValidationError(null, null, null, null, "reason", "'reason' must be a non-empty text: it is shown in the vote log.")]);
        }

        if (voter.Excluded == exclude)
        {
            return Decision.Accept();
        }

        object change = exclude ? new ArenaVoterExcluded(user, reason.Trim()) : new ArenaVoterIncluded(user, reason.Trim());
        return Decision.Accept(new PendingEvent(StreamKeys.ArenaVoter(user), change, voter.Version));
    }
}
