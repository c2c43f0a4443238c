using CommunityEvals.Contracts.Events;
using CommunityEvals.Ingestion.Accounts;
using CommunityEvals.Platform.EventStore;

namespace CommunityEvals.UnitTests.Accounts;

public class AccountDecisionsTests
{
    private static readonly NamespaceState Fresh = new(false, false, new Dictionary<string, OrgAccount>());

    [Fact]
    public void A_new_user_with_a_new_org_creates_the_user_the_org_and_the_membership()
    {
        var decision = AccountDecisions.Decide(new CreateUser("alice", ["acme"], "t1"), Fresh);

        Assert.Null(decision.Rejection);
        Assert.Collection(decision.Events,
            e => Assert.Equal((StreamKeys.User("alice"), (object)new UserCreated("alice"), 0L), (e.Stream, e.Event, e.ExpectedVersion)),
            e => Assert.Equal((StreamKeys.User("alice"), (object)new TokenCreated("alice", "t1", "created with the account", "write"), 0L), (e.Stream, e.Event, e.ExpectedVersion)),
            e => Assert.Equal((StreamKeys.Org("acme"), (object)new OrgCreated("acme"), 0L), (e.Stream, e.Event, e.ExpectedVersion)),
            e => Assert.Equal((StreamKeys.Org("acme"), (object)new OrgMemberAdded("acme", "alice"), 0L), (e.Stream, e.Event, e.ExpectedVersion)));
    }

    [Fact]
    public void Joining_an_existing_org_appends_at_the_version_the_decision_saw()
    {
        var acme = new OrgAccount { Id = StreamKeys.Org("acme"), Name = "acme", Members = ["bob"], Version = 4 };
        var state = Fresh with { Orgs = new Dictionary<string, OrgAccount> { ["acme"] = acme } };

        var decision = AccountDecisions.Decide(new CreateUser("alice", ["acme"], "t1"), state);

        var join = Assert.Single(decision.Events, e => e.Event is OrgMemberAdded);
        Assert.Equal(4, join.ExpectedVersion);
        Assert.DoesNotContain(decision.Events, e => e.Event is OrgCreated);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void A_taken_name_is_a_conflict(bool takenByUser, bool takenByOrg)
    {
        var decision = AccountDecisions.Decide(new CreateUser("alice", [], "t1"), Fresh with { NameTakenByUser = takenByUser, NameTakenByOrg = takenByOrg });

        Assert.Equal(RejectionKind.Conflict, decision.Rejection?.Kind);
        Assert.Empty(decision.Events);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-alice")]
    [InlineData("al ice")]
    [InlineData("alice/evil")]
    [InlineData("a..b")]
    public void An_invalid_name_is_refused_as_invalid(string name)
    {
        var decision = AccountDecisions.Decide(new CreateUser(name, [], "t1"), Fresh);

        Assert.Equal(RejectionKind.Invalid, decision.Rejection?.Kind);
    }

    [Fact]
    public void The_admin_name_is_reserved()
    {
        Assert.Equal(RejectionKind.Conflict, AccountDecisions.Decide(new CreateUser("Admin", [], "t1"), Fresh).Rejection?.Kind);
    }

    [Theory]
    [InlineData("datasets", "acme")]
    [InlineData("alice", "api")]
    [InlineData("Settings", "acme")]
    [InlineData("alice", "openapi.json")]
    public void Names_the_pages_use_as_their_first_segment_are_refused_for_users_and_orgs(string user, string org)
    {
        var decision = AccountDecisions.Decide(new CreateUser(user, [org], "t1"), Fresh);

        Assert.Equal(RejectionKind.Invalid, decision.Rejection?.Kind);
        Assert.Empty(decision.Events);
        Assert.Equal(RejectionKind.Invalid, AccountDecisions.Decide(new AddOrgMember("results", "alice"), userExists: true, orgNameTakenByUser: false, null).Rejection?.Kind);
    }

    [Fact]
    public void Adding_a_member_already_in_the_org_changes_nothing()
    {
        var acme = new OrgAccount { Id = StreamKeys.Org("acme"), Name = "acme", Members = ["alice"], Version = 2 };

        var decision = AccountDecisions.Decide(new AddOrgMember("acme", "alice"), userExists: true, orgNameTakenByUser: false, acme);

        Assert.Null(decision.Rejection);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void Adding_an_unknown_user_is_not_found()
    {
        var decision = AccountDecisions.Decide(new AddOrgMember("acme", "ghost"), userExists: false, orgNameTakenByUser: false, org: null);

        Assert.Equal(RejectionKind.NotFound, decision.Rejection?.Kind);
    }

    [Fact]
    public void A_user_name_cannot_become_an_org()
    {
        var decision = AccountDecisions.Decide(new AddOrgMember("bob", "alice"), userExists: true, orgNameTakenByUser: true, org: null);

        Assert.Equal(RejectionKind.Conflict, decision.Rejection?.Kind);
    }
}
