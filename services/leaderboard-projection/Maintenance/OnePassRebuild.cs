using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Arena;
using CommunityEvals.LeaderboardProjection.Benchmarks;
using CommunityEvals.LeaderboardProjection.Discussions;
using CommunityEvals.LeaderboardProjection.Feed;
using CommunityEvals.LeaderboardProjection.Leaderboards;
using CommunityEvals.LeaderboardProjection.Models;
using CommunityEvals.LeaderboardProjection.Results;
using CommunityEvals.LeaderboardProjection.ScoreChanges;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Npgsql;
using NpgsqlTypes;
using BoardsProjection = CommunityEvals.LeaderboardProjection.Leaderboards.LeaderboardProjection;

namespace CommunityEvals.LeaderboardProjection.Maintenance;

/// <summary>
/// Rebuilds every read model of this service from the log in one pass. The daemon rebuilds a
/// projection by reading and deserializing the whole log for it alone, and writing its documents
/// page after page; with six projections that is six reads of every event and most documents
/// written many times. Here each event is read once and folded by every projection's own rules
/// (the projections' <c>Evolve</c>, <see cref="LeaderboardProjection.Fold"/>) into documents held
/// in memory, which are then copied (<c>COPY</c>) into new tables beside the old ones, on several
/// connections at once (<see cref="StagedTable"/>); the feed is copied inside the database, into
/// its new table, while the events are folded.
/// </summary>
/// <remarks>
/// The caller pauses the projection coordinator first (so no agent runs) and resumes it after. The
/// new tables take the old ones' places in the rebuild's one transaction, which also sets each
/// projection's progress to <c>through</c>, so readers see the old read models until the new ones
/// are complete, and the agents go on from exactly the events this did not fold. The score-change
/// log is kept, as in the daemon's rebuild: changes are stored only for events after its last set.
/// </remarks>
public static class OnePassRebuild
{
    /// <summary>Events read per query; the next chunk is read while this one is folded.</summary>
    public const int ChunkSize = 2_000;

    /// <summary>
    /// Score changes held before they are written (in the background, on the rebuild's connection).
    /// A first build of a long log makes millions; held to the end they took gigabytes.
    /// </summary>
    public const int ChangesPerWrite = 50_000;

    /// <summary>Chunks read and folded by the other projections that the boards' fold may still have to take: a bound on the events held.</summary>
    private const int BoardChunksAhead = 4;

    /// <summary>Connections the document tables are written on at once: PostgreSQL parses each one's JSON on one core.</summary>
    private static int Lanes => Math.Clamp(Environment.ProcessorCount, 2, 4);

    /// <param name="Phases">Seconds spent in each phase, in order: where a rebuild's time goes.</param>
    public sealed record Outcome(long Through, long Events, int Documents, int ChangeSets, IReadOnlyList<(string Phase, double Seconds)> Phases);

    /// <param name="shards">The progress rows to set to <paramref name="through"/> (the shards of this service's projections).</param>
    /// <param name="through">The last event to fold: the daemon's high-water mark, below which no append is still in flight.</param>
    public static async Task<Outcome> RunAsync(IDocumentStore store, IReadOnlyCollection<string> shards, long through, CancellationToken cancellationToken)
    {
        var options = (StoreOptions)store.Options;
        var folds = new List<IDocumentFold>();
        var feed = false;
        var asynchronous = options.Projections.All.Where(projection => projection.Lifecycle == ProjectionLifecycle.Async).ToList();
        var boards = asynchronous.Any(projection => projection.Name == BoardsProjection.ProjectionName);
        // With the boards rebuilt as well, their models are the model repos' whole pages
        // (LeaderboardWorld.KeepsPageFiles): the pages fold takes only the other repos.
        var foldsModelPages = boards && asynchronous.OfType<RepoPageProjection>().Any();
        var modelStreams = StreamKeys.Repo(LeaderboardModelRules.ModelKind, "");
        foreach (var projection in asynchronous)
        {
            switch (projection)
            {
                case RepoPageProjection pages:
                    folds.Add(SingleStream<RepoPage>(pages, pages.IncludedEventTypes, pages.Evolve,
                        foldsModelPages ? key => !key.StartsWith(modelStreams, StringComparison.Ordinal) : _ => true));
                    break;
                case BenchmarkProjection benchmarks:
                    folds.Add(SingleStream<BenchmarkDocument>(benchmarks, benchmarks.IncludedEventTypes, benchmarks.Evolve, _ => true));
                    break;
                case DiscussionProjection discussions:
                    folds.Add(new DocumentFold<Discussion>(e => DiscussionRules.KeyOf(e.Data) is { } key ? [key] : [], discussions.Evolve));
                    break;
                case ResultRecordProjection results:
                    folds.Add(new DocumentFold<ResultRecord>(e => ResultRules.IdsOf(e.Data), results.Evolve));
                    break;
                case ArenaBoardProjection:
                    folds.Add(new DocumentFold<ArenaBoard>(ArenaBoardProjection.KeysOf, ArenaBoardProjection.Fold));
                    break;
                case ArenaVoterProjection:
                    folds.Add(new DocumentFold<ArenaVoterStatus>(ArenaVoterProjection.KeysOf, ArenaVoterProjection.Fold));
                    break;
                case { Name: FeedProjection.ProjectionName }:
                    feed = true;
                    break;
                case { Name: BoardsProjection.ProjectionName }:
                    break;
                default:
                    // A projection this does not fold would be left behind its progress row: refuse instead.
                    throw new NotSupportedException($"The one-pass rebuild does not know how to fold projection {projection.Name}.");
            }
        }

        var database = store.Storage.Database;
        // The boards' documents are replaced; their change log is kept and added to.
        Type[] replaced = [.. folds.Select(fold => fold.DocumentType), .. boards ? LeaderboardReadModels.RebuiltDocuments : Type.EmptyTypes];
        foreach (var type in replaced.Concat(boards ? [typeof(ScoreChangeSet)] : []))
        {
            await database.EnsureStorageExistsAsync(type, cancellationToken);
        }

        var world = new LeaderboardWorld { Complete = true, KeepsPageFiles = foldsModelPages };
        if (boards)
        {
            await using var session = store.QuerySession();
            world.ChangesStoredThrough = await ScoreChangeSets.LastStoredAsync(session, cancellationToken);
        }

        var serializer = options.Serializer();
        await using var connection = database.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The staging tables have fixed names: one rebuild at a time (a second waits for the first's commit).
        await using (var exclusive = new NpgsqlCommand("select pg_advisory_xact_lock(hashtext($1))", connection, transaction))
        {
            exclusive.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"communityevals one-pass rebuild {options.DatabaseSchemaName}" });
            await exclusive.ExecuteNonQueryAsync(cancellationToken);
        }

        var phases = new List<(string, double)>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        void Phase(string name)
        {
            phases.Add((name, Math.Round(clock.Elapsed.TotalSeconds, 3)));
            clock.Restart();
        }

        // Filled on their own connections and committed there; put in place by this transaction at the end.
        var staged = new StagedTables(database);
        var swapped = false;
        // While the events are folded here, the database copies the feed into its new table.
        var copyingFeed = feed ? Task.Run(() => staged.CopyFeedAsync(options, through, cancellationToken), cancellationToken) : Task.CompletedTask;
        var waiting = TimeSpan.Zero;
        var records = new List<ScoreChangeRecord>();
        var writingChanges = Task.FromResult(0);
        var changeSets = 0;
        Task<int> WriteChangesAsync(List<ScoreChangeRecord> batch)
        {
            var (ids, data) = ScoreChangeSets.Rows(batch, serializer);
            return CopyAsync(connection, ScoreChangeSets.TableName(store), typeof(ScoreChangeSet), NpgsqlDbType.Bigint, ids.Zip(data), cancellationToken);
        }

        long events = 0;
        IEvent? last = null;
        var documents = 0;
        // The boards' fold is the longest: it runs on a thread of its own, taking the chunks as they
        // are read, so that it never waits for the other folds or for a free pool thread.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var boardChunks = new System.Collections.Concurrent.BlockingCollection<IReadOnlyList<IEvent>>(BoardChunksAhead);
        var boardsBusy = TimeSpan.Zero;
        var foldingBoards = boards
            ? Task.Factory.StartNew(FoldBoards, stopping.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            : Task.CompletedTask;
        void FoldBoards()
        {
            foreach (var chunk in boardChunks.GetConsumingEnumerable(stopping.Token))
            {
                var busy = System.Diagnostics.Stopwatch.StartNew();
                BoardsProjection.Fold(world, chunk.Where(BoardsProjection.IsRelevant), records);
                boardsBusy += busy.Elapsed;
                if (records.Count >= ChangesPerWrite)
                {
                    // One batch written while the next is made: never more than two held.
                    changeSets += writingChanges.GetAwaiter().GetResult();
                    var batch = records;
                    records = [];
                    writingChanges = Task.Run(() => WriteChangesAsync(batch), stopping.Token);
                }
            }
        }

        void HandToBoards(IReadOnlyList<IEvent> chunk)
        {
            try
            {
                boardChunks.Add(chunk, stopping.Token);
            }
            catch (OperationCanceledException) when (foldingBoards.IsFaulted)
            {
                // The boards' failure is the one to report.
                foldingBoards.GetAwaiter().GetResult();
            }
        }

        try
        {
            var next = ReadChunkAsync(store, 0, through, cancellationToken);
            while (true)
            {
                var waited = System.Diagnostics.Stopwatch.StartNew();
                var chunk = await next;
                waiting += waited.Elapsed;
                if (chunk.Count == 0)
                {
                    break;
                }

                next = chunk.Count < ChunkSize
                    ? Task.FromResult<IReadOnlyList<IEvent>>([])
                    : Task.Run(() => ReadChunkAsync(store, chunk[^1].Sequence, through, cancellationToken), cancellationToken);
                if (boards)
                {
                    HandToBoards(chunk);
                }

                foreach (var @event in chunk)
                {
                    foreach (var fold in folds)
                    {
                        fold.Apply(@event);
                    }
                }

                events += chunk.Count;
                last = chunk[^1];
            }

            boardChunks.CompleteAdding();
            await foldingBoards;
            Phase("reading and folding the events");
            phases.Add(("  of which waiting for the next chunk", Math.Round(waiting.TotalSeconds, 3)));
            phases.Add(("  the boards' fold busy (its own thread)", Math.Round(boardsBusy.TotalSeconds, 3)));
            await copyingFeed;
            changeSets += await writingChanges;
            Phase("copying the feed, writing changes (waited for)");

            // The document tables are filled side by side, a table to a connection at a time.
            var writes = new List<Func<NpgsqlConnection, Task<int>>>();
            var cursor = last is null
                ? []
                : new[] { (LeaderboardCursor.Key, (object)new LeaderboardCursor { LastSequence = last.Sequence, FoldedSequence = last.Sequence, LastTimestamp = last.Timestamp }) };
            if (boards)
            {
                if (foldsModelPages)
                {
                    var pages = folds.Single(fold => fold.DocumentType == typeof(RepoPage));
                    writes.Add(async lane =>
                    {
                        var written = await staged.WriteAsync(lane, options, serializer, typeof(RepoPage),
                            pages.Documents.Concat(world.Models.Values.Select(model => (model.Id, (object)model.Page))), cancellationToken);
                        // Written as pages just now; the models are stored without their files, as the live projection stores them.
                        foreach (var model in world.Models.Values)
                        {
                            LeaderboardModelRules.DropFiles(model.Page);
                        }

                        return written + await WriteModelsAsync(lane);
                    });
                }
                else
                {
                    writes.Add(WriteModelsAsync);
                }
            }

            writes.AddRange(folds
                .Where(fold => !(foldsModelPages && fold.DocumentType == typeof(RepoPage)))
                .OrderByDescending(fold => fold.Count)
                .Select(fold => (Func<NpgsqlConnection, Task<int>>)(lane => staged.WriteAsync(lane, options, serializer, fold.DocumentType, fold.Documents, cancellationToken))));
            if (boards)
            {
                writes.Add(async lane =>
                    await staged.WriteAsync(lane, options, serializer, typeof(LeaderboardBoard),
                        world.ChangedBoards.Select(datasetId => (world.Boards[datasetId].Id, (object)world.Boards[datasetId])), cancellationToken)
                    + await staged.WriteAsync(lane, options, serializer, typeof(LeaderboardCursor), cursor, cancellationToken));
            }

            Task<int> WriteModelsAsync(NpgsqlConnection lane) =>
                staged.WriteAsync(lane, options, serializer, typeof(LeaderboardModel), world.ChangedModels.Select(key => (key, (object)world.Models[key])), cancellationToken);

            documents = await staged.RunAsync(writes, Lanes, cancellationToken);
            Phase($"writing the documents ({Lanes} connections)");
            phases.AddRange(staged.Timings.Select(timing => ($"  {timing.Table}", timing.Seconds)));

            if (records.Count > 0)
            {
                changeSets += await WriteChangesAsync(records);
            }

            Phase("writing the score changes");
            await staged.SwapAsync(connection, transaction, cancellationToken);
            swapped = true;
        }
        finally
        {
            if (!swapped)
            {
                await stopping.CancelAsync();
                await foldingBoards.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                // The connection may still be busy with a batch of changes: let it end before it is closed (and the transaction rolled back).
                await copyingFeed.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await ((Task)writingChanges).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await staged.DropAsync();
            }
        }

        await using (var progress = new NpgsqlCommand(
                         $"insert into {options.Events.DatabaseSchemaName}.mt_event_progression (name, last_seq_id) select name, $2 from unnest($1::text[]) as t(name) "
                         + "on conflict (name) do update set last_seq_id = excluded.last_seq_id, last_updated = transaction_timestamp()",
                         connection, transaction))
        {
            progress.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. shards] });
            progress.Parameters.Add(new NpgsqlParameter<long> { TypedValue = through });
            await progress.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        Phase("committing");
        return new Outcome(through, events, documents, changeSets, phases);
    }

    /// <param name="takesStream">Whether this fold takes the events of a stream, by its key.</param>
    private static DocumentFold<TDocument> SingleStream<TDocument>(
        object projection, IEnumerable<Type> included, Func<TDocument?, string, IEvent, TDocument?> evolve, Func<string, bool> takesStream)
        where TDocument : class
    {
        var types = included.ToHashSet();
        if (types.Count == 0)
        {
            throw new NotSupportedException($"{projection.GetType().Name} names no event types; the one-pass rebuild folds only those it names.");
        }

        return new DocumentFold<TDocument>(e => types.Contains(e.EventType) && takesStream(e.StreamKey!) ? [e.StreamKey!] : [], evolve);
    }

    private static async Task<IReadOnlyList<IEvent>> ReadChunkAsync(IDocumentStore store, long after, long through, CancellationToken cancellationToken)
    {
        var options = (StoreOptions)store.Options;
        var reader = EventReaders.GetValue(options, _ => new EventReader(options));
        return await reader.ReadAsync(store, after, through, cancellationToken);
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<StoreOptions, EventReader> EventReaders = new();

    /// <summary>
    /// Reads a chunk of the log as the daemon would hand it out, with the fields the folds read
    /// (data, sequence, stream, time, user). Each event is deserialized synchronously from the row
    /// already in memory: Marten's own reading deserializes every event asynchronously, which took
    /// a quarter of the rebuild's processor time.
    /// </summary>
    private sealed class EventReader(StoreOptions options)
    {
        /// <summary>Each stored type name's event type and envelope.</summary>
        private readonly Dictionary<string, (Type Type, Func<object, IEvent> Wrap)> _types = ((Marten.Events.EventGraph)options.Events).AllKnownEventTypes()
            .ToDictionary(mapping => mapping.EventTypeName, mapping => (mapping.EventType, Wrapper(mapping.EventType)), StringComparer.Ordinal);

        private readonly ISerializer _serializer = options.Serializer();

        public async Task<IReadOnlyList<IEvent>> ReadAsync(IDocumentStore store, long after, long through, CancellationToken cancellationToken)
        {
            await using var connection = store.Storage.Database.CreateConnection();
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand(
                $"select seq_id, stream_id, timestamp, user_name, type, data from {options.Events.DatabaseSchemaName}.mt_events "
                + "where seq_id > $1 and seq_id <= $2 order by seq_id limit $3",
                connection);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = through });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = ChunkSize });
            var events = new List<IEvent>(ChunkSize);
            await using var rows = await command.ExecuteReaderAsync(cancellationToken);
            while (await rows.ReadAsync(cancellationToken))
            {
                var typeName = rows.GetString(4);
                if (!_types.TryGetValue(typeName, out var known))
                {
                    throw new InvalidOperationException($"Event {rows.GetInt64(0)} has type {typeName}, which this store does not know.");
                }

                var @event = known.Wrap(_serializer.FromJson(known.Type, rows, 5));
                @event.Sequence = rows.GetInt64(0);
                @event.StreamKey = rows.GetString(1);
                @event.Timestamp = rows.GetFieldValue<DateTimeOffset>(2);
                @event.UserName = rows.IsDBNull(3) ? null : rows.GetString(3);
                @event.EventTypeName = typeName;
                events.Add(@event);
            }

            return events;
        }

        /// <summary>The daemon's envelope for an event of this type (<c>new Event&lt;T&gt;(data)</c>), compiled once.</summary>
        private static Func<object, IEvent> Wrapper(Type type)
        {
            var constructor = typeof(JasperFx.Events.Event<>).MakeGenericType(type).GetConstructor([type])
                ?? throw new NotSupportedException($"No event envelope for {type.Name}.");
            var data = System.Linq.Expressions.Expression.Parameter(typeof(object), "data");
            return System.Linq.Expressions.Expression.Lambda<Func<object, IEvent>>(
                System.Linq.Expressions.Expression.Convert(
                    System.Linq.Expressions.Expression.New(constructor, System.Linq.Expressions.Expression.Convert(data, type)), typeof(IEvent)),
                data).Compile();
        }
    }

    /// <summary>Document rows as <c>Store</c> would write them (id, data, .NET type; the version and time left to their defaults), with <c>COPY</c>.</summary>
    private static async Task<int> CopyAsync<TId>(
        NpgsqlConnection connection, string table, Type type, NpgsqlDbType idType, IEnumerable<(TId Id, string Json)> rows, CancellationToken cancellationToken)
    {
        var count = 0;
        await using var importer = await connection.BeginBinaryImportAsync(
            $"copy {table} (id, data, mt_dotnet_type) from stdin (format binary)", cancellationToken);
        foreach (var (id, json) in rows)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(id, idType, cancellationToken);
            await importer.WriteAsync(json, NpgsqlDbType.Jsonb, cancellationToken);
            await importer.WriteAsync(type.FullName!, NpgsqlDbType.Text, cancellationToken);
            count++;
        }

        await importer.CompleteAsync(cancellationToken);
        return count;
    }

    /// <summary>The rebuild's <see cref="StagedTable"/>s: filled on connections of their own, then swapped in by the rebuild's transaction.</summary>
    private sealed class StagedTables(Marten.Storage.IMartenDatabase database)
    {
        private readonly List<StagedTable> _tables = [];
        private readonly System.Collections.Concurrent.ConcurrentQueue<(string Table, double Seconds)> _timings = new();

        public IEnumerable<(string Table, double Seconds)> Timings => _timings;

        /// <summary>
        /// The feed holds each event's data as stored (the same JSON the public shape gives: camelCase,
        /// no converters) under its type's name, so it is copied by one statement inside the database.
        /// </summary>
        public async Task CopyFeedAsync(StoreOptions options, long through, CancellationToken cancellationToken)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var schema = options.DatabaseSchemaName;
            var mappings = ((Marten.Events.EventGraph)options.Events).AllKnownEventTypes();
            await using var connection = database.CreateConnection();
            await connection.OpenAsync(cancellationToken);
            foreach (var statement in new[] { FeedTable.CreateSql(schema), FeedTable.VisibilityIndexSql(schema) })
            {
                await using var create = new NpgsqlCommand(statement, connection);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var table = await StageAsync(connection, FeedTable.QualifiedName(schema), cancellationToken);
            await using (var command = new NpgsqlCommand(
                             $"insert into {table.QualifiedStaging} (seq, type, stream, actor, occurred_at, data) "
                             + $"select e.seq_id, coalesce(n.name, e.type), e.stream_id, e.user_name, e.timestamp, e.data from {options.Events.DatabaseSchemaName}.mt_events e "
                             + "left join unnest($1::text[], $2::text[]) as n(alias, name) on n.alias = e.type where e.seq_id <= $3",
                             connection, transaction))
            {
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. mappings.Select(mapping => mapping.EventTypeName)] });
                command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. mappings.Select(mapping => mapping.EventType.Name)] });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = through });
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await table.IndexAsync(connection, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            _timings.Enqueue((FeedTable.Name + " (beside the fold)", Math.Round(clock.Elapsed.TotalSeconds, 3)));
        }

        /// <summary>Writes one document type's new table on <paramref name="lane"/>, in a transaction of its own.</summary>
        public async Task<int> WriteAsync(
            NpgsqlConnection lane, StoreOptions options, ISerializer serializer, Type type, IEnumerable<(string Id, object Document)> documents, CancellationToken cancellationToken)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await using var transaction = await lane.BeginTransactionAsync(cancellationToken);
            var table = await StageAsync(lane, ((IReadOnlyStoreOptions)options).FindOrResolveDocumentType(type).TableName.QualifiedName, cancellationToken);
            var written = await CopyAsync(lane, table.QualifiedStaging, type, NpgsqlDbType.Text,
                documents.Select(pair => (pair.Id, serializer.ToJson(pair.Document))), cancellationToken);
            await table.IndexAsync(lane, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            _timings.Enqueue((type.Name, Math.Round(clock.Elapsed.TotalSeconds, 3)));
            return written;
        }

        /// <summary>Runs the writes on <paramref name="lanes"/> connections, each taking the next write when done; the documents written.</summary>
        public async Task<int> RunAsync(IReadOnlyList<Func<NpgsqlConnection, Task<int>>> writes, int lanes, CancellationToken cancellationToken)
        {
            var queue = new System.Collections.Concurrent.ConcurrentQueue<Func<NpgsqlConnection, Task<int>>>(writes);
            async Task<int> LaneAsync()
            {
                await using var lane = database.CreateConnection();
                await lane.OpenAsync(cancellationToken);
                var written = 0;
                while (queue.TryDequeue(out var write))
                {
                    written += await write(lane);
                }

                return written;
            }

            var running = Enumerable.Range(0, Math.Min(lanes, writes.Count)).Select(_ => Task.Run(LaneAsync, cancellationToken)).ToList();
            try
            {
                return (await Task.WhenAll(running)).Sum();
            }
            finally
            {
                // On a failure, the other lanes end before their tables are dropped.
                await ((Task)Task.WhenAll(running)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        /// <summary>Puts every new table in its old one's place, in the rebuild's transaction.</summary>
        public async Task SwapAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
        {
            foreach (var table in _tables)
            {
                await table.SwapAsync(connection, transaction, cancellationToken);
            }
        }

        /// <summary>Drops the new tables of a rebuild that failed; a table left behind is dropped by the next rebuild anyway.</summary>
        public async Task DropAsync()
        {
            try
            {
                await using var connection = database.CreateConnection();
                await connection.OpenAsync();
                foreach (var table in _tables)
                {
                    await table.DropAsync(connection, CancellationToken.None);
                }
            }
            catch (NpgsqlException)
            {
                // Best effort: the failure that brought us here is the one to report.
            }
        }

        private async Task<StagedTable> StageAsync(NpgsqlConnection connection, string qualifiedTable, CancellationToken cancellationToken)
        {
            var table = await StagedTable.CreateAsync(connection, qualifiedTable, cancellationToken);
            lock (_tables)
            {
                _tables.Add(table);
            }

            return table;
        }
    }

    private interface IDocumentFold
    {
        Type DocumentType { get; }

        int Count { get; }

        IEnumerable<(string Id, object Document)> Documents { get; }

        void Apply(IEvent @event);
    }

    /// <summary>One document per key, folded by the projection's own <c>Evolve</c>; null deletes, as in the daemon.</summary>
    private sealed class DocumentFold<TDocument>(Func<IEvent, IReadOnlyList<string>> keysOf, Func<TDocument?, string, IEvent, TDocument?> evolve) : IDocumentFold
        where TDocument : class
    {
        private readonly Dictionary<string, TDocument> _documents = new(StringComparer.Ordinal);

        public Type DocumentType => typeof(TDocument);

        public int Count => _documents.Count;

        public IEnumerable<(string Id, object Document)> Documents => _documents.Select(pair => (pair.Key, (object)pair.Value));

        public void Apply(IEvent @event)
        {
            foreach (var key in keysOf(@event))
            {
                var document = evolve(_documents.GetValueOrDefault(key), key, @event);
                if (document is null)
                {
                    _documents.Remove(key);
                }
                else
                {
                    _documents[key] = document;
                }
            }
        }
    }
}
