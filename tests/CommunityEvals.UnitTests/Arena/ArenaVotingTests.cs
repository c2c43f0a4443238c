using System.Text;
using CommunityEvals.Contracts.Events;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Verification.Arena;

namespace CommunityEvals.UnitTests.Arena;

/// <summary>ARENA.md "Which votes count" and "Routes", as the pure rules decide them.</summary>
public class ArenaVotingTests
{
    private static readonly DateTimeOffset Served = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static readonly Battle TheBattle = new("acme/quiz", "qa", "overall", "s1", "acme/m1", "beta/m2", "carol", Served, Served + Battle.Lifetime);

    private static Decision Vote(VoterState voter, string winner = "A", bool owns = false, int cap = 1000, double secondsAfter = 5, string caller = "carol", string battleId = "b1") =>
        ArenaVoting.Vote(voter, battleId, TheBattle, caller, winner, owns, cap, Served.AddSeconds(secondsAfter));

    private static ArenaVoteCast Cast(Decision decision) => Assert.IsType<ArenaVoteCast>(Assert.Single(decision.Events).Event);

    private static VoterState Voter(params object[] events) => VoterState.Fold(events.Select(e => (e, Served)));

    private static ArenaVoteCast Counted(string battleId, string sample = "s9") =>
        new(battleId, "acme/quiz", "qa", "overall", sample, "acme/m1", "beta/m2", "A", "carol", true, null, null, Served);

    [Fact]
    public void A_vote_in_time_by_someone_with_no_stake_counts_on_the_voters_stream()
    {
        var decision = Vote(new VoterState());

        var cast = Cast(decision);
        Assert.True(cast.Counted);
        Assert.Null(cast.ExcludedBecause);
        Assert.Equal(("acme/m1", "beta/m2", "A", "carol"), (cast.ModelA, cast.ModelB, cast.Winner, cast.Voter));
        Assert.Equal(new PendingEvent(StreamKeys.ArenaVoter("carol"), cast, 0), Assert.Single(decision.Events));
    }

    [Fact]
    public void The_first_reason_that_applies_is_recorded_in_ARENA_md_order()
    {
        var excluded = Voter(new ArenaVoterExcluded("carol", "script"));
        var capped = Voter(Counted("x1"), Counted("x2"));

        Assert.Equal("voter-excluded", Cast(Vote(excluded, owns: true, secondsAfter: 0.5)).ExcludedBecause);
        Assert.Equal("owner", Cast(Vote(new VoterState(), owns: true, secondsAfter: 0.5)).ExcludedBecause);
        Assert.Equal("too-fast", Cast(Vote(capped, cap: 2, secondsAfter: 1.9)).ExcludedBecause);
        Assert.Equal("daily-cap", Cast(Vote(capped, cap: 2)).ExcludedBecause);
        Assert.True(Cast(Vote(capped, cap: 3)).Counted);
        // Excluded, the vote keeps what would apply without the exclusion: it decides once the voter is included again.
        Assert.Equal("owner", Cast(Vote(excluded, owns: true)).OtherReason);
        Assert.Null(Cast(Vote(excluded)).OtherReason);
        Assert.False(Cast(Vote(excluded)).Counted);
    }

    [Fact]
    public void Yesterdays_counted_votes_do_not_count_against_todays_cap()
    {
        var yesterday = VoterState.Fold([(Counted("x1"), Served.AddDays(-1)), (Counted("x2"), Served.AddDays(-1))]);

        Assert.True(Cast(Vote(yesterday, cap: 2)).Counted);
    }

    [Theory]
    [InlineData("dave", "winner", null)]
    [InlineData("carol", "C", RejectionKind.Invalid)]
    [InlineData("carol", "a", RejectionKind.Invalid)]
    public void Another_users_vote_and_an_unknown_winner_are_refused(string caller, string winner, RejectionKind? kind)
    {
        var decision = Vote(new VoterState(), winner: winner, caller: caller);

        Assert.Empty(decision.Events);
        Assert.Equal(kind ?? RejectionKind.Forbidden, decision.Rejection!.Kind);
    }

    [Fact]
    public void A_second_vote_on_a_battle_is_a_conflict_and_a_late_one_is_gone()
    {
        Assert.Equal(RejectionKind.Conflict, Vote(Voter(Counted("b1"))).Rejection!.Kind);
        Assert.Equal(RejectionKind.Gone, Vote(new VoterState(), secondsAfter: 3601).Rejection!.Kind);
        Assert.Null(Vote(new VoterState(), secondsAfter: 3600).Rejection);
    }

    [Fact]
    public void Excluding_needs_a_reason_and_repeating_it_changes_nothing()
    {
        Assert.Equal(RejectionKind.Invalid, ArenaVoting.SetExcluded(new VoterState(), "carol", exclude: true, " ").Rejection!.Kind);
        var excluded = ArenaVoting.SetExcluded(new VoterState(), "carol", exclude: true, "script");
        Assert.Equal(new ArenaVoterExcluded("carol", "script"), Assert.Single(excluded.Events).Event);
        Assert.Empty(ArenaVoting.SetExcluded(Voter(new ArenaVoterExcluded("carol", "script")), "carol", exclude: true, "again").Events);
        var included = ArenaVoting.SetExcluded(Voter(new ArenaVoterExcluded("carol", "script")), "carol", exclude: false, "a person");
        Assert.Equal(new PendingEvent(StreamKeys.ArenaVoter("carol"), new ArenaVoterIncluded("carol", "a person"), 1), Assert.Single(included.Events));
    }

    [Fact]
    public void Battle_ids_carry_their_battle_and_a_changed_or_foreign_one_reads_as_nothing()
    {
        var tickets = new BattleTickets(Encoding.UTF8.GetBytes("a key of thirty-two characters!!"));
        var id = tickets.Issue(TheBattle);

        Assert.Equal(TheBattle, tickets.Read(id));
        Assert.Null(new BattleTickets(Encoding.UTF8.GetBytes("another key of 32 characters!!!!")).Read(id));
        Assert.Null(tickets.Read(id[..^2] + (id[^2] == 'A' ? "B" : "A") + id[^1]));
        Assert.Null(tickets.Read("not-a-battle"));
        Assert.Null(tickets.Read("."));
        Assert.DoesNotContain("acme/m1", id);
    }
}
