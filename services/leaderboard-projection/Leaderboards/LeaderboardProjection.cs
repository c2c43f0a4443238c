using CommunityEvals.LeaderboardProjection.ScoreChanges;
using CommunityEvals.LeaderboardProjection.Shared;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;

namespace CommunityEvals.LeaderboardProjection.Leaderboards;

/// <summary>
/// Boards as a projection of the whole log. A board depends on a benchmark stream and on every
/// model stream whose results name it, so this folds each page of events at once: it loads the
/// models the page's repo events belong to and the boards they (or the page) can touch, folds
/// the events in order with <see cref="LeaderboardFold"/>, and stores the changed documents and
/// the <see cref="ScoreChangeRecord"/>s in the page's transaction. The async daemon hands pages
/// out one after another and commits each before the next, so the documents loaded are always
/// those the previous page left; the cursor makes a page that is handed out again a no-op.
/// </summary>
public sealed class LeaderboardProjection : IProjection
{
    public const string ProjectionName = "Leaderboards";

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        if (events.Count == 0)
        {
            return;
        }

        var cursor = await operations.LoadAsync<LeaderboardCursor>(LeaderboardCursor.Key, cancellation) ?? new LeaderboardCursor();
        var fresh = events.Where(e => e.Sequence > cursor.LastSequence).OrderBy(e => e.Sequence).ToList();
        if (fresh.Count == 0)
        {
            return;
        }

        var relevant = fresh.Where(e => LeaderboardFold.EventTypes.Contains(e.EventType)).ToList();
        var world = new LeaderboardWorld();
        var modelKeys = LeaderboardFold.ModelKeysOf(relevant.Select(e => (KeyOf(e), e.Data))).ToList();
        if (modelKeys.Count > 0)
        {
            foreach (var model in await operations.LoadManyAsync<LeaderboardModel>(cancellation, modelKeys))
            {
                world.Add(model);
            }
        }

        var boardIds = LeaderboardFold.DatasetsOf(relevant.Select(e => e.Data), world.Models.Values)
            .Select(Contracts.Events.StreamKeys.Benchmark)
            .ToList();
        if (boardIds.Count > 0)
        {
            foreach (var board in await operations.LoadManyAsync<LeaderboardBoard>(cancellation, boardIds))
            {
                world.Add(board);
            }
        }

        foreach (var @event in relevant)
        {
            var changes = LeaderboardFold.Apply(world, KeyOf(@event), @event.Data, EventInfo.From(@event));
            for (var index = 0; index < changes.Count; index++)
            {
                operations.Store(ScoreChangeRecord.From(changes[index], index + 1));
            }
        }

        foreach (var key in world.ChangedModels)
        {
            operations.Store(world.Models[key]);
        }

        foreach (var datasetId in world.ChangedBoards)
        {
            operations.Store(world.Boards[datasetId]);
        }

        var last = fresh[^1];
        cursor.LastSequence = last.Sequence;
        cursor.LastTimestamp = last.Timestamp;
        operations.Store(cursor);
    }

    /// <summary>
    /// The model stream an event belongs to on the boards. Verification outcomes live in the
    /// verification service's evidence streams but are about a model's result: they name its repo.
    /// </summary>
    public static string KeyOf(IEvent @event) => @event.Data switch
    {
        Contracts.Events.EvidenceVerified verified => Contracts.Events.StreamKeys.Repo(LeaderboardModelRules.ModelKind, verified.Repo),
        Contracts.Events.EvidenceContradicted contradicted => Contracts.Events.StreamKeys.Repo(LeaderboardModelRules.ModelKind, contradicted.Repo),
        _ => @event.StreamKey ?? @event.StreamId.ToString(),
    };
}

public static class LeaderboardReadModels
{
    /// <summary>
    /// Registers the boards and their change log. A rebuild tears down every document the
    /// projection writes (the publication checkpoint is not one of them) and folds the log again,
    /// which writes the same change ids.
    /// </summary>
    /// <param name="lifecycle">Async in the service; Inline lets a test fold events at once.</param>
    public static void AddLeaderboards(this StoreOptions options, ProjectionLifecycle lifecycle = ProjectionLifecycle.Async)
    {
        options.Projections.Add(new LeaderboardProjection(), lifecycle, LeaderboardProjection.ProjectionName, asyncOptions =>
        {
            asyncOptions.DeleteViewTypeOnTeardown<LeaderboardModel>();
            asyncOptions.DeleteViewTypeOnTeardown<LeaderboardBoard>();
            asyncOptions.DeleteViewTypeOnTeardown<LeaderboardCursor>();
            asyncOptions.DeleteViewTypeOnTeardown<ScoreChangeRecord>();
        });

        // Change readers (SSE, the publisher) page through changes in (sequence, n) order: a real,
        // indexed column for the sequence.
        options.Schema.For<ScoreChangeRecord>().Duplicate(change => change.Sequence);
    }
}
