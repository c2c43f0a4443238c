using CommunityEvals.LeaderboardProjection.ScoreChanges;
using CommunityEvals.LeaderboardProjection.Shared;
using CommunityEvals.Platform.Telemetry;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events;
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
/// <remarks>
/// While the daemon is behind (a rebuild, or catching up after a pause), writing every touched
/// model and board on every page is most of the work: the same large documents are rewritten
/// page after page. So a full page with more events after it keeps its documents in memory
/// (score changes are still stored with each page) and the cursor's <see cref="LeaderboardCursor.LastSequence"/>
/// stays where the documents were last written; they are written when the daemon catches up, or after
/// <see cref="MaxDeferredEvents"/> events. Should the process stop in between, the next page
/// finds the cursor behind the daemon's progress and folds the events in between from the log
/// first, so nothing is lost; their score changes are written again under the same ids.
/// </remarks>
public sealed class LeaderboardProjection(Func<int>? fullPage = null) : IProjection
{
    /// <remarks>Named anew (it was <c>Leaderboards</c>) when changes came to be stored per event: a store that had the old one replays the log once.</remarks>
    public const string ProjectionName = "Boards";

    /// <summary>The most events folded while behind before the documents are written anyway.</summary>
    public const int MaxDeferredEvents = 100_000;

    private static readonly HashSet<Type> Relevant = [.. LeaderboardFold.EventTypes];

    /// <summary>
    /// The documents as this instance last folded them. A page only uses them when the stored
    /// cursor is where this instance's last page left it, i.e. that page committed (so a failed
    /// page, a rebuild's teardown or another node's progress all make it load from the store
    /// again); otherwise it loads what it touches. This saves loading the same models and boards
    /// page after page.
    /// </summary>
    private LeaderboardWorld? _warm;

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        if (events.Count == 0)
        {
            return;
        }

        var cursor = await operations.LoadAsync<LeaderboardCursor>(LeaderboardCursor.Key, cancellation) ?? new LeaderboardCursor();
        // Taken, not shared: a page that fails leaves nothing behind, and two pages never fold into one world.
        var warm = Interlocked.Exchange(ref _warm, null);
        LeaderboardWorld world;
        if (warm is not null && warm.WrittenSequence == cursor.LastSequence && warm.Sequence == cursor.FoldedSequence)
        {
            world = warm;
        }
        else
        {
            world = new LeaderboardWorld
            {
                Sequence = cursor.LastSequence,
                WrittenSequence = cursor.LastSequence,
                ChangesStoredThrough = await LastStoredChangeAsync(operations, cancellation),
            };
            if (cursor.LastSequence == 0)
            {
                // Nothing folded yet (a new store or a rebuild's teardown): every document starts empty.
                world.Complete = true;
            }
        }

        var fresh = events.Where(e => e.Sequence > world.Sequence).OrderBy(e => e.Sequence).ToList();
        if (fresh.Count == 0)
        {
            Volatile.Write(ref _warm, world);
            return;
        }

        var relevant = fresh.Where(IsRelevant).ToList();
        if (fullPage is not null && fresh[0].Sequence > world.Sequence + 1)
        {
            // Events the daemon handed out while the documents were kept in memory, lost with it.
            var missed = await operations.Events.QueryAllRawEvents()
                .Where(e => e.Sequence > world.Sequence && e.Sequence < fresh[0].Sequence)
                .Where(e => e.EventTypesAre(LeaderboardFold.EventTypesToQuery))
                .OrderBy(e => e.Sequence)
                .ToListAsync(cancellation);
            relevant.InsertRange(0, missed);
        }

        if (!world.Complete)
        {
            await LoadTouchedAsync(operations, world, relevant, cancellation);
        }

        var records = new List<ScoreChangeRecord>();
        var foldStarted = DateTimeOffset.UtcNow;
        Fold(world, relevant, records);
        if (records.Count > 0)
        {
            await StoreAsync(operations, records, cancellation);
        }

        foreach (var @event in relevant)
        {
            EventTracing.StartHandling(@event, "fold", startTime: foldStarted)?.Dispose();
        }

        var last = fresh[^1];
        world.Sequence = last.Sequence;
        world.Timestamp = last.Timestamp;
        if (!await BehindAsync(operations, events.Count, world, cancellation))
        {
            Write(operations, world, cursor);
        }

        // Stored with every page, so that the next page knows whether this one committed.
        cursor.FoldedSequence = world.Sequence;
        operations.Store(cursor);
        Volatile.Write(ref _warm, world);
    }

    /// <summary>
    /// Folds events the boards depend on (in log order) into <paramref name="world"/>, adding the
    /// score changes of each event after <see cref="LeaderboardWorld.ChangesStoredThrough"/> to
    /// <paramref name="records"/>.
    /// </summary>
    public static void Fold(LeaderboardWorld world, IEnumerable<IEvent> relevant, List<ScoreChangeRecord> records)
    {
        foreach (var @event in relevant)
        {
            // The change log outlives a rebuild: what it already holds was published, and is kept as it was.
            var changes = LeaderboardFold.Apply(world, KeyOf(@event), @event.Data, EventInfo.From(@event),
                computeChanges: @event.Sequence > world.ChangesStoredThrough);
            for (var index = 0; index < changes.Count; index++)
            {
                records.Add(ScoreChangeRecord.From(changes[index], index + 1));
            }
        }
    }

    /// <summary>Whether an event is one the boards depend on.</summary>
    public static bool IsRelevant(IEvent @event) => Relevant.Contains(@event.EventType);

    /// <summary>Whether this page leaves the daemon behind the log, so its documents can wait for a later page.</summary>
    private async Task<bool> BehindAsync(IDocumentOperations operations, int pageCount, LeaderboardWorld world, CancellationToken cancellation)
    {
        if (fullPage is null || pageCount < fullPage() || world.Sequence - world.WrittenSequence >= MaxDeferredEvents)
        {
            return false;
        }

        var after = world.Sequence;
        return await operations.Events.QueryAllRawEvents().AnyAsync(e => e.Sequence > after, cancellation);
    }

    private static void Write(IDocumentOperations operations, LeaderboardWorld world, LeaderboardCursor cursor)
    {
        foreach (var key in world.ChangedModels)
        {
            operations.Store(world.Models[key]);
        }

        foreach (var datasetId in world.ChangedBoards)
        {
            operations.Store(world.Boards[datasetId]);
        }

        cursor.LastSequence = world.Sequence;
        cursor.LastTimestamp = world.Timestamp;
        world.ClearChanges();
        world.WrittenSequence = world.Sequence;
    }

    /// <summary>Loads the models the events belong to and the boards they can touch, unless already held.</summary>
    private static async Task LoadTouchedAsync(IDocumentOperations operations, LeaderboardWorld world, List<IEvent> relevant, CancellationToken cancellation)
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

    private volatile bool _changeTableReady;

    private async Task EnsureChangeTableAsync(IDocumentOperations operations, CancellationToken cancellation)
    {
        if (!_changeTableReady)
        {
            await operations.Database.EnsureStorageExistsAsync(typeof(ScoreChangeSet), cancellation);
            _changeTableReady = true;
        }
    }

    private async Task<long> LastStoredChangeAsync(IDocumentOperations operations, CancellationToken cancellation)
    {
        await EnsureChangeTableAsync(operations, cancellation);
        return await ScoreChangeSets.LastStoredAsync(operations, cancellation);
    }

    /// <summary>Writes a page's changes with one statement (see <see cref="ScoreChangeSets"/>).</summary>
    private async Task StoreAsync(IDocumentOperations operations, List<ScoreChangeRecord> records, CancellationToken cancellation)
    {
        await EnsureChangeTableAsync(operations, cancellation);
        var (ids, data) = ScoreChangeSets.Rows(records, operations.DocumentStore.Options.Serializer());
        operations.QueueSqlCommand(ScoreChangeSets.UpsertSql(operations.DocumentStore), typeof(ScoreChangeSet).FullName!, ids, data);
    }

    /// <summary>
    /// The model stream an event belongs to on the boards. Verification outcomes live in the
    /// verification service's evidence streams but are about a model's result: they name its repo.
    /// </summary>
    public static string KeyOf(IEvent @event) => @event.Data switch
    {
        var data when ResultEvidence.RepoOf(data) is { } repo => Contracts.Events.StreamKeys.Repo(LeaderboardModelRules.ModelKind, repo),
        _ => @event.StreamKey ?? @event.StreamId.ToString(),
    };
}

public static class LeaderboardReadModels
{
    /// <summary>The documents a rebuild of the boards replaces (the change log, <see cref="ScoreChangeSet"/>, is kept).</summary>
    public static readonly Type[] RebuiltDocuments = [typeof(LeaderboardModel), typeof(LeaderboardBoard), typeof(LeaderboardCursor)];

    /// <summary>
    /// Registers the boards and their change log. A rebuild tears down the boards, models and
    /// cursor and folds the log again. The change log is not torn down: it is the record of what
    /// was published, so a rebuild keeps it and stores changes only for events after its last set
    /// (which also spares a rebuild most of its work: ranking every event's rows again and writing
    /// them).
    /// </summary>
    /// <param name="lifecycle">Async in the service; Inline lets a test fold events at once.</param>
    public static void AddLeaderboards(this StoreOptions options, ProjectionLifecycle lifecycle = ProjectionLifecycle.Async)
    {
        AsyncOptions? registered = null;
        // Async only: the page size is read when the page comes, after the service has set it.
        var projection = new LeaderboardProjection(lifecycle == ProjectionLifecycle.Async ? () => registered!.BatchSize : null);
        options.Projections.Add(projection, lifecycle, LeaderboardProjection.ProjectionName, asyncOptions =>
        {
            registered = asyncOptions;
            foreach (var type in RebuiltDocuments)
            {
                asyncOptions.DeleteViewTypeOnTeardown(type);
            }
        });

        // Change readers (SSE, the publisher) page through the sets by id, the event's sequence (the key).
        options.Schema.For<ScoreChangeSet>().Identity(set => set.Id);
    }
}
