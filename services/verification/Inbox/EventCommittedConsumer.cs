using System.Text.Json;
using CommunityEvals.Contracts;
using CommunityEvals.Contracts.Events;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Verification.Facts;
using Marten;
using MassTransit;

namespace CommunityEvals.Verification.Inbox;

/// <summary>
/// Takes in the log's events as the ingestion service forwards them: keeps the result and
/// benchmark facts verification checks against, and starts verifying submitted evidence.
/// Recording each event in the inbox in the same transaction as its effects is what makes a
/// redelivery harmless.
/// </summary>
public sealed class EventCommittedConsumer(IDocumentStore store, Evidence.EvidenceProcessor processor, ILogger<EventCommittedConsumer> logger)
    : IConsumer<EventCommitted>
{
    public async Task Consume(ConsumeContext<EventCommitted> context)
    {
        var message = context.Message;
        await using var session = store.LightweightSession();
        // One transaction from the first read, so that the stream locks evidence appends take hold to the end.
        await session.BeginTransactionAsync(context.CancellationToken);
        if (await session.LoadAsync<ReceivedEvent>(message.Sequence, context.CancellationToken) is not null)
        {
            logger.LogDebug("Event {Sequence} was already received; skipping the redelivery", message.Sequence);
            return;
        }

        session.Insert(new ReceivedEvent
        {
            Id = message.Sequence,
            Type = message.Type,
            Stream = message.Stream,
            ReceivedAt = DateTimeOffset.UtcNow,
        });
        await ApplyAsync(session, message, context.CancellationToken);
        try
        {
            await session.SaveChangesAsync(context.CancellationToken);
        }
        catch (JasperFx.DocumentAlreadyExistsException)
        {
            // A concurrent redelivery won the race; the event is handled once all the same.
        }
    }

    private async Task ApplyAsync(IDocumentSession session, EventCommitted message, CancellationToken cancellationToken)
    {
        switch (message.Type)
        {
            case nameof(MainCommitted):
                var committed = message.Data.Deserialize<MainCommitted>(EventStoreExtensions.PublicJson)!;
                await KeepAsync(session, committed.Repo, committed.Commit, new Dictionary<string, string>(), cancellationToken);
                break;
            case nameof(PullRequestOpened):
                var opened = message.Data.Deserialize<PullRequestOpened>(EventStoreExtensions.PublicJson)!;
                await KeepAsync(session, opened.Repo, opened.Commit, new Dictionary<string, string>(), cancellationToken);
                break;
            case nameof(PullRequestUpdated):
                var updated = message.Data.Deserialize<PullRequestUpdated>(EventStoreExtensions.PublicJson)!;
                await KeepAsync(session, updated.Repo, updated.Commit, new Dictionary<string, string>(), cancellationToken);
                break;
            case nameof(PullRequestMerged):
                var merged = message.Data.Deserialize<PullRequestMerged>(EventStoreExtensions.PublicJson)!;
                await KeepAsync(session, merged.Repo, merged.Commit, merged.MergedFrom, cancellationToken);
                break;
            case nameof(BenchmarkRegistered):
                var registered = message.Data.Deserialize<BenchmarkRegistered>(EventStoreExtensions.PublicJson)!;
                session.Store(BenchmarkFact.From(registered.DatasetId, registered.Definition));
                break;
            case nameof(BenchmarkUpdated):
                var changed = message.Data.Deserialize<BenchmarkUpdated>(EventStoreExtensions.PublicJson)!;
                session.Store(BenchmarkFact.From(changed.DatasetId, changed.Definition));
                break;
            case nameof(EvidenceSubmitted):
                await processor.VerifyAsync(session, message.Data.Deserialize<EvidenceSubmitted>(EventStoreExtensions.PublicJson)!, cancellationToken);
                break;
        }
    }

    /// <param name="mergedFrom">For a merge: each new main result's pull-request result.</param>
    private async Task KeepAsync(
        IDocumentSession session, string repo, CommitChanges commit, IReadOnlyDictionary<string, string> mergedFrom, CancellationToken cancellationToken)
    {
        foreach (var fact in FactRules.Results(repo, commit))
        {
            var before = await session.LoadAsync<ResultFact>(fact.Id, cancellationToken);
            session.Store(fact);
            if (mergedFrom.TryGetValue(fact.Id, out var source))
            {
                await processor.CarryAsync(session, source, fact, cancellationToken);
            }
            else if (before is not null && FactRules.ClaimChanged(before, fact))
            {
                await processor.JudgeAgainAsync(session, fact, cancellationToken);
            }
        }

        foreach (var retracted in commit.RetractedResultIds)
        {
            if (await session.LoadAsync<ResultFact>(retracted, cancellationToken) is { } fact)
            {
                fact.Exists = false;
                session.Store(fact);
            }
        }
    }
}
