using CommunityEvals.Contracts.Events;
using CommunityEvals.Ingestion.Access;
using CommunityEvals.Ingestion.Repos;
using CommunityEvals.Platform.Access;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Identity;
using JasperFx.Events;

namespace CommunityEvals.UnitTests.Files;

/// <summary>ACCESS.md "Visibility" and "Gated test sets" as pure rules.</summary>
public class AccessDecisionsTests
{
    private static readonly Actor Owner = new(new Caller("alice", Caller.WriteRole, "t-a"), ["acme"]);
    private static readonly Actor Bob = new(new Caller("bob", Caller.WriteRole, "t-b"), []);
    private static readonly Actor Admin = new(Caller.Admin, []);

    private static RepoState Dataset(bool isPrivate = false, string? gated = null)
    {
        var repo = RepoState.Create(new RepoCreated("acme/bench", RepoPaths.Dataset, "acme", true, isPrivate));
        repo.Id = StreamKeys.Repo(RepoPaths.Dataset, "acme/bench");
        repo.Version = 3;
        if (gated is not null)
        {
            repo.Apply(new RepoSettingsChanged("acme/bench", RepoPaths.Dataset, isPrivate, gated));
        }

        return repo;
    }

    private static void Apply(RepoState repo, Decision decision)
    {
        foreach (var pending in decision.Events)
        {
            switch (pending.Event)
            {
                case AccessRequested requested:
                    repo.Apply(new Event<AccessRequested>(requested) { Timestamp = DateTimeOffset.UnixEpoch });
                    break;
                case AccessRequestHandled handled:
                    repo.Apply(new Event<AccessRequestHandled>(handled) { Timestamp = DateTimeOffset.UnixEpoch });
                    break;
                case AccessGranted granted:
                    repo.Apply(new Event<AccessGranted>(granted) { Timestamp = DateTimeOffset.UnixEpoch });
                    break;
                case RepoSettingsChanged changed:
                    repo.Apply(changed);
                    break;
            }
        }
    }

    [Fact]
    public void A_private_repo_is_missing_to_everyone_but_its_owners_and_the_admin()
    {
        var repo = Dataset(isPrivate: true);
        Assert.True(Owner.Sees(repo));
        Assert.True(Admin.Sees(repo));
        Assert.False(Bob.Sees(repo));
        Assert.False(repo.Access.VisibleTo(null));
        var asked = AccessDecisions.Decide(new AskAccess(null), repo, Bob);
        Assert.Equal((RejectionKind.NotFound, "RepoNotFound"), (asked.Rejection!.Kind, asked.Rejection.ErrorCode));
        var settings = AccessDecisions.Decide(new ChangeSettings(false, null, false), repo, Bob);
        Assert.Equal(RejectionKind.NotFound, settings.Rejection!.Kind);
    }

    [Fact]
    public void Only_owners_change_settings_and_only_a_change_is_an_event()
    {
        var repo = Dataset();
        Assert.Equal(RejectionKind.Forbidden, AccessDecisions.Decide(new ChangeSettings(true, null, false), repo, Bob).Rejection!.Kind);
        Assert.Empty(AccessDecisions.Decide(new ChangeSettings(false, null, false), repo, Owner).Events);
        var gated = AccessDecisions.Decide(new ChangeSettings(null, Gating.Manual, true), repo, Owner);
        Assert.Equal(new RepoSettingsChanged("acme/bench", RepoPaths.Dataset, false, Gating.Manual), Assert.Single(gated.Events).Event);
        Apply(repo, gated);
        var ungated = AccessDecisions.Decide(new ChangeSettings(null, null, true), repo, Owner);
        Assert.Null(((RepoSettingsChanged)Assert.Single(ungated.Events).Event).Gated);
    }

    [Fact]
    public void Auto_gating_grants_at_once_manual_waits_for_an_owner_who_accepts_or_rejects()
    {
        var auto = Dataset(gated: Gating.Auto);
        var granted = AccessDecisions.Decide(new AskAccess("research"), auto, Bob);
        Assert.Equal(Gating.Accepted, ((AccessRequested)Assert.Single(granted.Events).Event).Status);
        Apply(auto, granted);
        Assert.True(auto.Access.DataReadableBy(Bob.Viewer));
        Assert.Empty(AccessDecisions.Decide(new AskAccess(null), auto, Bob).Events);

        var manual = Dataset(gated: Gating.Manual);
        var asked = AccessDecisions.Decide(new AskAccess(null), manual, Bob);
        Assert.Equal(Gating.Pending, ((AccessRequested)Assert.Single(asked.Events).Event).Status);
        Apply(manual, asked);
        Assert.False(manual.Access.DataReadableBy(Bob.Viewer));
        Assert.True(manual.Access.DataReadableBy(Owner.Viewer));
        Assert.False(manual.Access.DataReadableBy(null));

        Assert.Equal(RejectionKind.Forbidden, AccessDecisions.Decide(new HandleAccessRequest("bob", Gating.Accepted, null), manual, Bob).Rejection!.Kind);
        var rejected = AccessDecisions.Decide(new HandleAccessRequest("bob", Gating.Rejected, "not a researcher"), manual, Owner);
        Apply(manual, rejected);
        Assert.Equal("not a researcher", manual.Access.Request("bob")!.RejectionReason);
        Assert.Equal(RejectionKind.Forbidden, AccessDecisions.Decide(new AskAccess(null), manual, Bob).Rejection!.Kind);

        Apply(manual, AccessDecisions.Decide(new HandleAccessRequest("bob", Gating.Accepted, null), manual, Owner));
        Assert.True(manual.Access.DataReadableBy(Bob.Viewer));
        Assert.Null(manual.Access.Request("bob")!.RejectionReason);
    }

    [Fact]
    public void Grants_need_an_existing_user_handling_needs_a_request_and_an_ungated_repo_takes_no_requests()
    {
        var manual = Dataset(gated: Gating.Manual);
        Assert.Equal(RejectionKind.NotFound, AccessDecisions.DecideGrant("ghost", userExists: false, manual, Owner).Rejection!.Kind);
        Assert.Equal(RejectionKind.NotFound, AccessDecisions.Decide(new HandleAccessRequest("carol", Gating.Accepted, null), manual, Owner).Rejection!.Kind);
        Assert.Equal(RejectionKind.Invalid, AccessDecisions.Decide(new HandleAccessRequest("carol", "maybe", null), manual, Owner).Rejection!.Kind);
        var grant = AccessDecisions.DecideGrant("carol", userExists: true, manual, Owner);
        Assert.Equal(new AccessGranted("acme/bench", "carol"), Assert.Single(grant.Events).Event);
        Assert.Equal(RejectionKind.Invalid, AccessDecisions.Decide(new AskAccess(null), Dataset(), Bob).Rejection!.Kind);
    }

    [Theory]
    [InlineData("""{"visibility":"private"}""", true, null)]
    [InlineData("""{"private":false}""", false, null)]
    [InlineData("""{}""", null, null)]
    [InlineData("""{"visibility":"secret"}""", null, "visibility must be")]
    [InlineData("""{"visibility":"private","private":false}""", null, "disagree")]
    [InlineData("""{"private":"yes"}""", null, "private must be")]
    public void Visibility_is_read_from_what_new_and_old_clients_send(string json, bool? expected, string? problem)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var root = document.RootElement;
        var (isPrivate, refused) = Visibility.Read(
            root.TryGetProperty("visibility", out var visibility) ? visibility : default,
            root.TryGetProperty("private", out var flag) ? flag : default);
        Assert.Equal(expected, isPrivate);
        if (problem is null)
        {
            Assert.Null(refused);
        }
        else
        {
            Assert.Contains(problem, refused);
        }
    }
}
