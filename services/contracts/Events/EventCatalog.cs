namespace CommunityEvals.Contracts.Events;

/// <summary>
/// Every event type of the public record. Each service registers all of them with its event store so
/// any service can read any stream, whichever service appended it.
/// </summary>
public static class EventCatalog
{
    public static readonly IReadOnlyList<Type> All =
    [
        typeof(UserCreated),
        typeof(OrgCreated),
        typeof(OrgMemberAdded),
        typeof(TokenCreated),
        typeof(TokenRevoked),
        typeof(RepoCreated),
        typeof(MainCommitted),
        typeof(PullRequestOpened),
        typeof(PullRequestUpdated),
        typeof(PullRequestCommented),
        typeof(PullRequestClosed),
        typeof(PullRequestReopened),
        typeof(PullRequestMerged),
        typeof(RepoSettingsChanged),
        typeof(AccessRequested),
        typeof(AccessRequestHandled),
        typeof(AccessGranted),
        typeof(ResultHidden),
        typeof(ResultUnhidden),
        typeof(BenchmarkRegistered),
        typeof(BenchmarkUpdated),
        typeof(BenchmarkMarkedOfficial),
        typeof(EvidenceSubmitted),
        typeof(EvidenceVerified),
        typeof(EvidenceContradicted),
        typeof(EvidenceRejected),
        typeof(FailureCommented),
        typeof(ArenaVoteCast),
        typeof(ArenaVoterExcluded),
        typeof(ArenaVoterIncluded),
    ];
}
