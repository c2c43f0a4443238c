using CommunityEvals.Contracts.Events;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;

namespace CommunityEvals.Ingestion.Hiding;

/// <summary>Records, in the same transaction as each commit, which repo every new result id belongs to.</summary>
public sealed partial class ResultLocationProjection : EventProjection
{
    public void Project(IEvent<MainCommitted> committed, IDocumentOperations operations) => Locate(committed.StreamKey!, committed.Data.Commit, operations);

    public void Project(IEvent<PullRequestOpened> opened, IDocumentOperations operations) => Locate(opened.StreamKey!, opened.Data.Commit, operations);

    public void Project(IEvent<PullRequestUpdated> updated, IDocumentOperations operations) => Locate(updated.StreamKey!, updated.Data.Commit, operations);

    public void Project(IEvent<PullRequestMerged> merged, IDocumentOperations operations) => Locate(merged.StreamKey!, merged.Data.Commit, operations);

    private static void Locate(string stream, CommitChanges commit, IDocumentOperations operations)
    {
        foreach (var result in commit.Results)
        {
            operations.Store(new ResultLocation { Id = result.ResultId, Stream = stream });
        }
    }
}
