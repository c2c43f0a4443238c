using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Shared;
using JasperFx.Events;
using Marten.Events.Projections;

namespace CommunityEvals.LeaderboardProjection.Results;

/// <summary>One <see cref="ResultRecord"/> per result id; each event goes to every result it names.</summary>
public sealed class ResultRecordProjection : MultiStreamProjection<ResultRecord, string>
{
    public const string ProjectionName = "ResultRecords";

    public ResultRecordProjection()
    {
        Name = ProjectionName;
        Identities<MainCommitted>(e => ResultRules.IdsOf(e));
        Identities<PullRequestOpened>(e => ResultRules.IdsOf(e));
        Identities<PullRequestUpdated>(e => ResultRules.IdsOf(e));
        Identities<PullRequestMerged>(e => ResultRules.IdsOf(e));
        Identities<ResultHidden>(e => ResultRules.IdsOf(e));
        Identities<ResultUnhidden>(e => ResultRules.IdsOf(e));
        Identities<EvidenceSubmitted>(e => ResultRules.IdsOf(e));
        Identities<EvidenceVerified>(e => ResultRules.IdsOf(e));
        Identities<EvidenceContradicted>(e => ResultRules.IdsOf(e));
        Identities<EvidenceRejected>(e => ResultRules.IdsOf(e));
    }

    public override ResultRecord? Evolve(ResultRecord? snapshot, string id, IEvent e) =>
        ResultRules.Evolve(snapshot, id, e.Data, EventInfo.From(e));
}
