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
/// the <see cref="ScoreChangeSet"/>s in the page's transaction. The async daemon hands pages
/// out one after another and commits each before the next, so the documents loaded are always
/// those the previous page left; the cursor makes a page that is handed out again a no-op.
/// </summary>
public sealed class LeaderboardProjection : IProjection
{
    /// <remarks>Named anew (it was <c>Leaderboards</c>) when changes came to be stored per event: a store that had the old one replays the log once.</remarks>
    public const string ProjectionName = "Boards";

    private static readonly HashSet<Type> Relevant = [.. LeaderboardFold.EventTypes];

    /// <summary>
    /// The documents as the last page left them, and the cursor they go with. A page only uses
    /// them when the stored cursor says that page was committed (so a failed page, a rebuild's
    /// teardown or another node's progress all make it load from the store again); otherwise it
    /// loads what it touches, as it always did. This saves loading the same models and boards
    /// page after page (a rebuild touches most of them on every page).
    /// </summary>
    private LeaderboardWorld? _warm;

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

        var relevant = fresh.Where(e => Relevant.Contains(e.EventType)).ToList();
        // Taken, not shared: a page that fails leaves nothing behind, and two pages never fold into one world.
        var warm = Interlocked.Exchange(ref _warm, null);
        LeaderboardWorld world;
        if (warm is not null && warm.Sequence == cursor.LastSequence)
        {
            world = warm;
            world.ClearChanges();
        }
        else
        {
            world = new LeaderboardWorld();
            if (cursor.LastSequence == 0)
            {
                // Nothing folded yet (a new store or a rebuild's teardown): every document starts empty.
                world.Complete = true;
            }
        }

        if (!world.Complete)
        {
            var modelKeys = LeaderboardFold.ModelKeysOf(relevant.Select(e => (KeyOf(e), e.Data)))
                .Where(key => !world.Models.ContainsKey(key) && !world.MissingModels.Contains(key))
                .ToList();
            if (modelKeys.Count > 0)
            {
                foreach (var model in await operations.LoadManyAsync<LeaderboardModel>(cancellation, modelKeys))
                {
                    world.Add(model);
                }

                world.MissingModels.UnionWith(modelKeys.Where(key => !world.Models.ContainsKey(key)));
            }

            var boardIds = LeaderboardFold.DatasetsOf(relevant.Select(e => e.Data), world.Models.Values)
                .Where(datasetId => !world.Boards.ContainsKey(datasetId) && !world.MissingBoards.Contains(datasetId))
                .ToList();
            if (boardIds.Count > 0)
            {
                foreach (var board in await operations.LoadManyAsync<LeaderboardBoard>(cancellation, boardIds.Select(Contracts.Events.StreamKeys.Benchmark)))
                {
                    world.Add(board);
                }

                world.MissingBoards.UnionWith(boardIds.Where(datasetId => !world.Boards.ContainsKey(datasetId)));
            }
        }

        var records = new List<ScoreChangeRecord>();
        foreach (var @event in relevant)
        {
            var changes = LeaderboardFold.Apply(world, KeyOf(@event), @event.Data, EventInfo.From(@event));
            for (var index = 0; index < changes.Count; index++)
            {
                records.Add(ScoreChangeRecord.From(changes[index], index + 1));
            }
        }

        if (records.Count > 0)
        {
            await StoreAsync(operations, records, cancellation);
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
        // Used by the next page only if it finds this page's cursor stored, i.e. this page was committed.
        world.Sequence = last.Sequence;
        Volatile.Write(ref _warm, world);
    }

    private volatile bool _changeTableReady;

    /// <summary>
    /// Writes a page's changes with one statement, one <see cref="ScoreChangeSet"/> row per event,
    /// into the documents' own table (the rows <c>Store</c> would write: id, data as the store
    /// serialises it).
    /// </summary>
    private async Task StoreAsync(IDocumentOperations operations, List<ScoreChangeRecord> records, CancellationToken cancellation)
    {
        var options = operations.DocumentStore.Options;
        if (!_changeTableReady)
        {
            await operations.Database.EnsureStorageExistsAsync(typeof(ScoreChangeSet), cancellation);
            _changeTableReady = true;
        }

        var serializer = options.Serializer();
        var ids = new List<long>();
        var data = new List<string>();
        var start = 0;
        while (start < records.Count)
        {
            var end = start;
            while (end < records.Count && records[end].Sequence == records[start].Sequence)
            {
                end++;
            }

            ids.Add(records[start].Sequence);
            data.Add(serializer.ToJson(new ScoreChangeSet { Id = records[start].Sequence, Changes = records.GetRange(start, end - start) }));
            start = end;
        }

        var table = options.FindOrResolveDocumentType(typeof(ScoreChangeSet)).TableName.QualifiedName;
        operations.QueueSqlCommand(
            $"insert into {table} (id, data, mt_version, mt_dotnet_type) "
            + "select t.id, t.data::jsonb, gen_random_uuid(), ? from unnest(?::bigint[], ?::text[]) as t(id, data) "
            + "on conflict (id) do update set data = excluded.data, mt_version = excluded.mt_version, mt_dotnet_type = excluded.mt_dotnet_type, "
            + "mt_last_modified = transaction_timestamp()",
            typeof(ScoreChangeSet).FullName!,
            ids.ToArray(),
            data.ToArray());
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
            asyncOptions.DeleteViewTypeOnTeardown<ScoreChangeSet>();
        });

        // Change readers (SSE, the publisher) page through the sets by id, the event's sequence (the key).
        options.Schema.For<ScoreChangeSet>().Identity(set => set.Id);
    }
}
