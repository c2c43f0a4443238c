using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Shared;
using JasperFx.Events;
using Marten.Events.Projections;

namespace CommunityEvals.LeaderboardProjection.Discussions;

/// <summary>One <see cref="Discussion"/> per pull request, keyed from the events themselves.</summary>
public sealed class DiscussionProjection : MultiStreamProjection<Discussion, string>
{
    public const string ProjectionName = "Discussions";

    public DiscussionProjection()
    {
        Name = ProjectionName;
        Identity<PullRequestOpened>(e => DiscussionRules.KeyOf(e)!);
        Identity<PullRequestUpdated>(e => DiscussionRules.KeyOf(e)!);
        Identity<PullRequestCommented>(e => DiscussionRules.KeyOf(e)!);
        Identity<PullRequestClosed>(e => DiscussionRules.KeyOf(e)!);
        Identity<PullRequestReopened>(e => DiscussionRules.KeyOf(e)!);
        Identity<PullRequestMerged>(e => DiscussionRules.KeyOf(e)!);
    }

    public override Discussion? Evolve(Discussion? snapshot, string id, IEvent e) =>
        DiscussionRules.Evolve(snapshot, id, e.Data, EventInfo.From(e));
}
