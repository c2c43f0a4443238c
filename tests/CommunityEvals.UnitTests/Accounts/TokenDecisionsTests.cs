using CommunityEvals.Contracts.Events;
using CommunityEvals.Ingestion.Accounts;
using CommunityEvals.Platform.EventStore;

namespace CommunityEvals.UnitTests.Accounts;

public class TokenDecisionsTests
{
    private static readonly UserTokens Alice = new(3, new HashSet<string> { "t1", "t2" });

    [Theory]
    [InlineData("read")]
    [InlineData("write")]
    public void A_new_token_is_an_event_on_the_users_stream_at_the_version_seen(string role)
    {
        var decision = TokenDecisions.Decide(new CreateToken("alice", "t3", "  laptop ", role), Alice);

        var created = Assert.Single(decision.Events);
        Assert.Equal((StreamKeys.User("alice"), (object)new TokenCreated("alice", "t3", "laptop", role), 3L), (created.Stream, created.Event, created.ExpectedVersion));
    }

    [Theory]
    [InlineData("laptop", null)]
    [InlineData("laptop", "admin")]
    [InlineData("laptop", "Write")]
    [InlineData(null, "read")]
    [InlineData("   ", "read")]
    [InlineData("line\nbreak", "read")]
    public void A_token_needs_a_display_name_and_the_role_read_or_write(string? displayName, string? role)
    {
        var decision = TokenDecisions.Decide(new CreateToken("alice", "t3", displayName, role), Alice);

        Assert.Equal(RejectionKind.Invalid, decision.Rejection?.Kind);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void Display_names_are_at_most_100_characters()
    {
        Assert.Null(TokenDecisions.Decide(new CreateToken("alice", "t3", new string('x', 100), "read"), Alice).Rejection);
        Assert.Equal(RejectionKind.Invalid, TokenDecisions.Decide(new CreateToken("alice", "t3", new string('x', 101), "read"), Alice).Rejection?.Kind);
    }

    [Fact]
    public void Revoking_a_live_token_is_an_event()
    {
        var decision = TokenDecisions.Decide(new RevokeToken("alice", "t2"), Alice);

        var revoked = Assert.Single(decision.Events);
        Assert.Equal((StreamKeys.User("alice"), (object)new TokenRevoked("alice", "t2"), 3L), (revoked.Stream, revoked.Event, revoked.ExpectedVersion));
    }

    [Fact]
    public void Revoking_a_token_the_user_does_not_have_or_for_a_missing_user_is_not_found()
    {
        Assert.Equal(RejectionKind.NotFound, TokenDecisions.Decide(new RevokeToken("alice", "t9"), Alice).Rejection?.Kind);
        Assert.Equal(RejectionKind.NotFound, TokenDecisions.Decide(new RevokeToken("nobody", "t1"), new UserTokens(0, new HashSet<string>())).Rejection?.Kind);
        Assert.Equal(RejectionKind.NotFound, TokenDecisions.Decide(new CreateToken("nobody", "t1", "x", "read"), new UserTokens(0, new HashSet<string>())).Rejection?.Kind);
    }

    [Fact]
    public void Token_ids_are_random_hex_that_tells_nothing_of_the_token()
    {
        var ids = Enumerable.Range(0, 100).Select(_ => TokenDecisions.NewTokenId()).ToList();

        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{24}$", id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }
}
