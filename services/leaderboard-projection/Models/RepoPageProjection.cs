using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Shared;
using JasperFx.Events;
using Marten.Events.Aggregation;

namespace CommunityEvals.LeaderboardProjection.Models;

/// <summary>One <see cref="RepoPage"/> per repo stream, folded by <see cref="RepoPageRules"/>.</summary>
public sealed class RepoPageProjection : SingleStreamProjection<RepoPage, string>
{
    public const string ProjectionName = "RepoPages";

    public RepoPageProjection()
    {
        Name = ProjectionName;
        IncludeType<RepoCreated>();
        IncludeType<RepoSettingsChanged>();
        IncludeType<MainCommitted>();
        IncludeType<PullRequestOpened>();
        IncludeType<PullRequestUpdated>();
        IncludeType<PullRequestClosed>();
        IncludeType<PullRequestReopened>();
        IncludeType<PullRequestMerged>();
        IncludeType<ResultHidden>();
        IncludeType<ResultUnhidden>();
    }

    public override RepoPage? Evolve(RepoPage? snapshot, string id, IEvent e) =>
        RepoPageRules.Evolve(snapshot, id, e.Data, EventInfo.From(e));
}
