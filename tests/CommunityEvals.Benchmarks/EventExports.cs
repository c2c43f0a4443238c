using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityEvals.LeaderboardProjection.Feed;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.TestStack;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CommunityEvals.Benchmarks;

/// <summary>
/// Issue 19's benchmark: the public event log exported through the gateway
/// (<c>GET /api/events/export?format=ndjson|parquet</c>, anonymous) beside <c>COPY (SELECT ...) TO
/// STDOUT</c> of the same rows by Npgsql in this process: all of <c>projection.feed_events</c>, and
/// the export's own query (its visibility condition, as <see cref="FeedTable.RowsAsync"/> builds it).
/// <c>--events</c> events (<see cref="EventMix"/>) are appended straight to the whole stack's event
/// store with Marten (the services' own store configuration, <see cref="EventStoreExtensions.AddEventStore"/>),
/// then the feed is waited for through the gateway: by the live daemon if its pace gets it there within
/// <c>--seconds</c> of the last append, else by the admin rebuild route (<c>POST /api/admin/projections/rebuild</c>);
/// then, as long at most, the rest of what the appends set off (every projection, ingestion's forwarder
/// to RabbitMQ, verification's inbox), which the output reports when it was still running. Each export
/// is streamed and counted (NDJSON's lines; Parquet's bytes, and its rows from the footer) without being
/// held; events/s, MB/s, and how far each process's peak resident memory grows over it. Targets: at
/// least 200,000 events/s as NDJSON, growth under 100 MB.
/// </summary>
public static class EventExports
{
    public static readonly Options Defaults = new(16, TimeSpan.FromSeconds(300)) { Events = 1_000_000 };

    public static readonly string[] Allowed = ["--events", "--seconds", "--env"];

    private const double TargetEventsPerSecond = 200_000;
    private const double TargetGrowthMegabytes = 100;
    private const int BatchEvents = 2_000;
    private const int WarmUpEvents = 20_000;

    /// <summary>The last bytes of an export kept (a ring), for Parquet's footer.</summary>
    private const int TailBytes = 8 * 1024 * 1024;
    private const string Postgres = "postgresql";
    private static readonly string Feed = FeedTable.QualifiedName("projection");
    private static readonly string PlainQuery = $"select seq, type, stream, actor, occurred_at, data from {Feed} order by seq";

    public static async Task<int> RunAsync(Options options)
    {
        var benchmarks = (int)Math.Min(300, Math.Max(10, options.Events / 3000));
        var models = (int)Math.Clamp(options.Events / 250, 50, 4000);
        using var stop = new StopOnSignal();
        try
        {
            return await RunAsync(options, benchmarks, models, stop.Token);
        }
        catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
        {
            Console.Error.WriteLine("stopped before the end");
            return 130;
        }
    }

    private static async Task<int> RunAsync(Options options, int benchmarks, int models, CancellationToken cancellationToken)
    {
        Console.WriteLine("starting the stack (the AppHost on Aspire's testing host: private PostgreSQL, RabbitMQ, the services) ...");
        await using var stack = await Stack.StartAsync(new StackOptions { ServiceEnvironment = StackOptions.WithoutCallerLimits(options.Environment) }, cancellationToken);
        await using var dataSource = NpgsqlDataSource.Create(stack.DatabaseConnectionString);
        using var anonymous = Hub.Client(stack.Gateway, timeout: TimeSpan.FromMinutes(30));

        // Setup: the events, appended as the services append theirs, then the feed caught up.
        using var host = BuildAppendHost(stack.DatabaseConnectionString);
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var mix = new EventMix(options.Events, benchmarks, models);
        Console.WriteLine($"appending {options.Events:N0} events ({benchmarks} benchmarks, {models} model repos) to the stack's event store in batches of {BatchEvents:N0} ...");
        var appending = Stopwatch.StartNew();
        await mix.AppendToAsync(store, "bench-export", BatchEvents, TimeSpan.FromSeconds(15), () => ProgressAsync(dataSource, null)!, cancellationToken);
        appending.Stop();
        var lastSequence = await ScalarAsync<long>(dataSource, $"select coalesce(max(seq_id), 0) from {EventStoreExtensions.EventSchema}.mt_events");
        var storedEvents = await ScalarAsync<long>(dataSource, $"select count(*) from {EventStoreExtensions.EventSchema}.mt_events");
        Console.WriteLine(Invariant($"  {storedEvents:N0} events in the store (last sequence {lastSequence:N0}) after {appending.Elapsed.TotalSeconds:F1} s ({options.Events / appending.Elapsed.TotalSeconds:F0} events/s appended)"));
        Console.WriteLine($"  {await ProgressAsync(dataSource, lastSequence)}");

        var catchUp = await CatchUpAsync(stack, anonymous, dataSource, lastSequence, options.Duration, appending.Elapsed, cancellationToken);

        // The export's own query, taken from the service's FeedTable.RowsAsync as it would send it.
        var visibleQuery = await VisibleQueryAsync(stack.DatabaseConnectionString);
        Console.WriteLine(visibleQuery is null
            ? "the export's query could not be taken from FeedTable.RowsAsync: the baseline with its visibility condition is left out"
            : "the export's query (its visibility condition included) taken from FeedTable.RowsAsync for a second COPY baseline");

        // Setup's after-effects, which would otherwise run beside the measurements: the projection service's
        // other projections, ingestion forwarding every event to RabbitMQ, verification taking each in.
        // Waited for as long as the feed at most (less when their pace says they will not make it).
        Console.WriteLine(Invariant($"waiting for every daemon (all projections, ingestion's forwarder to RabbitMQ) and verification's inbox to reach {lastSequence:N0}, if they can within {options.Duration.TotalSeconds:0} s ..."));
        var settling = await WaitForAsync(
            "the slowest", async () => (await MarksAsync(dataSource)).AllAt(lastSequence, storedEvents), dataSource, lastSequence, options.Duration, cancellationToken);
        var settled = settling.Reached
            ? Invariant($"done before the measurements, {settling.Seconds:F0} s after the feed")
            : $"NOT done before the measurements, the services still busy with the appended events (their CPU and memory below include that work): {settling.Pace}";
        Console.WriteLine($"  {settled}; {await ProgressAsync(dataSource, lastSequence)}");
        var busy = await StackServices.WaitQuietAsync(stack, TimeSpan.FromSeconds(60));
        Console.WriteLine(Invariant($"services settled or steady ({busy:F2} cores busy); {await ProgressAsync(dataSource, lastSequence)}"));

        // Both formats' code paths and both queries compiled before anything is measured.
        var warmUntil = Math.Min(lastSequence, WarmUpEvents);
        Console.WriteLine($"warming up: both formats with until={warmUntil}, and both COPY queries ...");
        foreach (var format in new[] { "ndjson", "parquet" })
        {
            await ExportAsync(anonymous, $"/api/events/export?format={format}&until={warmUntil}", format, cancellationToken);
        }

        await CopyAsync(dataSource, PlainQuery + " limit 1000", cancellationToken);
        if (visibleQuery is not null)
        {
            await CopyAsync(dataSource, visibleQuery + " limit 1000", cancellationToken);
        }

        var exports = new List<ExportRun>();
        foreach (var format in new[] { "ndjson", "parquet" })
        {
            var quiet = await StackServices.WaitQuietAsync(stack, TimeSpan.FromSeconds(30));
            Console.WriteLine(Invariant($"exporting as {format} through the gateway ({quiet:F2} cores busy before) ..."));
            var peaks = PeakMemory.ResetAll(stack);
            var cpu = CpuMeter.For(stack).Start();
            var result = await ExportAsync(anonymous, $"/api/events/export?format={format}", format, cancellationToken);
            var report = cpu.Stop();
            var read = new List<Peak>();
            foreach (var peak in peaks)
            {
                read.Add(await peak.ReadAsync(format));
                await peak.DisposeAsync();
            }

            var run = new ExportRun(format, result, report, read);
            exports.Add(run);
            Console.WriteLine($"  {run.Describe()}");
        }

        var baselines = new List<CopyRun>();
        foreach (var (name, sql) in new[] { ("COPY, all rows", PlainQuery), ("COPY, the export's query", visibleQuery) })
        {
            if (sql is null)
            {
                continue;
            }

            await StackServices.WaitQuietAsync(stack, TimeSpan.FromSeconds(30));
            Console.WriteLine($"{name} ...");
            var cpu = CpuMeter.For(stack).Start();
            var result = await CopyAsync(dataSource, sql, cancellationToken);
            var run = new CopyRun(name, sql, result, cpu.Stop());
            baselines.Add(run);
            Console.WriteLine($"  {run.Describe()}");
        }

        // A line (NDJSON) and a row (Parquet) per feed row the export's rules keep: the COPY of its own query when there is one.
        var reference = baselines[^1];
        var checks = new List<string>();
        foreach (var run in exports)
        {
            var unit = run.Format == "ndjson" ? "lines" : "rows in its footer";
            checks.Add(run.Result.Problem is null && run.Result.Rows == reference.Result.Rows
                ? Invariant($"ok: {run.Format} {run.Result.Rows:N0} {unit} = {reference.Result.Rows:N0} rows of {reference.Name}")
                : Invariant($"FAILED: {run.Format} {run.Result.Rows?.ToString("N0", CultureInfo.InvariantCulture) ?? "no"} {unit}{(run.Result.Problem is { } problem ? $" ({problem})" : "")}, but {reference.Result.Rows:N0} rows of {reference.Name}"));
        }

        var plain = baselines[0].Result.Rows;
        if (plain < options.Events)
        {
            checks.Add($"INCOMPLETE: the feed holds {plain:N0} rows, fewer than the {options.Events:N0} events appended; the exports measured what is there");
        }

        var ndjson = exports.Single(e => e.Format == "ndjson");
        Console.WriteLine();
        Console.WriteLine($"== export: eng/bench.sh export --events {options.Events} --seconds {options.Duration.TotalSeconds:0}{options.EnvironmentText}");
        Console.WriteLine(Invariant($"{Label("store")}{storedEvents:N0} events (last sequence {lastSequence:N0}); {benchmarks} benchmarks, {models} model repos; feed rows {plain:N0}"));
        Console.WriteLine($"{Label("event mix")}{string.Join(", ", mix.Counts.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value:N0}"))}");
        Console.WriteLine(Invariant($"{Label("appending (setup)")}{appending.Elapsed.TotalSeconds:F1} s, {options.Events / appending.Elapsed.TotalSeconds:F0} events/s through Marten, with the stack running"));
        Console.WriteLine($"{Label("feed caught up")}{catchUp}");
        Console.WriteLine($"{Label("the rest of setup")}{settled} (every projection, ingestion's forwarder to RabbitMQ, verification's inbox)");
        foreach (var run in exports)
        {
            Console.WriteLine($"{Label($"gateway, {run.Format}")}{run.Describe()}");
            foreach (var line in run.Peaks)
            {
                Console.WriteLine($"  {line}");
            }
        }

        foreach (var run in baselines)
        {
            Console.WriteLine($"{Label(run.Name)}{run.Describe()}");
        }

        Console.WriteLine("  (Npgsql in this process, BeginTextExport, rows counted: " + PlainQuery + (visibleQuery is null ? "; the export's query could not be taken from FeedTable, so no COPY with its visibility condition" : "; and the export's query as FeedTable.RowsAsync sends it") + ")");
        Console.WriteLine("MB = 10^6 bytes; an export's time runs from the request to its last byte read");
        foreach (var check in checks)
        {
            Console.WriteLine($"{Label("check")}{check}");
        }

        var rate = ndjson.EventsPerSecond;
        var ratio = rate / (reference.Result.Rows / reference.Result.Seconds);
        var growth = exports.SelectMany(run => run.Peaks).Where(p => p.GrowthBytes is not null).MaxBy(p => p.GrowthBytes!.Value);
        var growthMegabytes = (growth?.GrowthBytes ?? 0) / 1e6;
        var growthOf = $"{growth?.Name}{(growth?.Name == Postgres ? "'s private memory" : "")} exporting {growth?.Format}";
        Console.WriteLine(Invariant(
            $"{Label("targets")}>= 200,000 events/s as NDJSON: {(rate >= TargetEventsPerSecond ? "met" : "MISSED")} ({rate:F0}/s, {rate / TargetEventsPerSecond:P0} of it; {ratio:P0} of {reference.Name}); memory growth < 100 MB: {(growthMegabytes < TargetGrowthMegabytes ? "met" : "MISSED")} (largest {growthMegabytes:F0} MB, {growthOf})"));
        foreach (var run in exports)
        {
            Console.WriteLine($"CPU while exporting {run.Format}:");
            Console.WriteLine(run.Cpu.Describe());
        }

        foreach (var run in baselines)
        {
            Console.WriteLine($"CPU during {run.Name}:");
            Console.WriteLine(run.Cpu.Describe());
        }

        return checks.All(check => check.StartsWith("ok", StringComparison.Ordinal)) ? 0 : 1;
    }

    /// <summary>
    /// A host (never started) with a Marten store configured by the services' own
    /// <see cref="EventStoreExtensions.AddEventStore"/>: the shared event log, its event types and
    /// metadata, and the listener that wakes the services' daemons when events are appended. Its own
    /// documents (none are written) would go to a schema of its own.
    /// </summary>
    private static IHost BuildAppendHost(string connectionString)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{EventStoreExtensions.DatabaseName}"] = connectionString,
        });
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddEventStore("bench_export");
        return builder.Build();
    }

    /// <summary>
    /// Polls the feed's newest entry through the gateway until it reaches <paramref name="lastSequence"/>.
    /// When the live daemon will not get there within <paramref name="limit"/> (at the pace it keeps
    /// over the first 20 s or more), asks for the admin rebuild and polls again. Says how long it took and how.
    /// </summary>
    private static async Task<string> CatchUpAsync(
        Stack stack, HttpClient anonymous, NpgsqlDataSource dataSource, long lastSequence, TimeSpan limit, TimeSpan appendTime, CancellationToken cancellationToken)
    {
        Console.WriteLine(Invariant($"waiting for the feed (GET /api/events?order=desc&limit=1 through the gateway) to reach {lastSequence:N0}, by the live daemon if it can within {limit.TotalSeconds:0} s ..."));
        var clock = Stopwatch.StartNew();
        var live = await WaitForAsync("feed", () => NewestInFeedAsync(anonymous, cancellationToken), dataSource, lastSequence, limit, cancellationToken);
        if (live.Reached)
        {
            return Invariant($"by the live daemon, {live.Seconds:F1} s after the last append ({(appendTime + clock.Elapsed).TotalSeconds:F1} s after the first); {live.Pace}");
        }

        Console.WriteLine(Invariant($"  the live daemon is too slow on this machine ({live.Pace}); asking for the admin rebuild (POST /api/admin/projections/rebuild) ..."));
        using var admin = Hub.Client(stack.Gateway, stack.AdminToken, timeout: TimeSpan.FromMinutes(30));
        var rebuilding = Stopwatch.StartNew();
        using var response = await admin.PostAsync("/api/admin/projections/rebuild", null, cancellationToken);
        var answer = await response.Content.ReadAsStringAsync(cancellationToken);
        var rebuildSeconds = rebuilding.Elapsed.TotalSeconds;
        Console.WriteLine(Invariant($"  rebuild answered {(int)response.StatusCode} after {rebuildSeconds:F1} s: {answer}"));
        await Hub.EnsureAsync(response);
        var after = await WaitForAsync("feed", () => NewestInFeedAsync(anonymous, cancellationToken), dataSource, lastSequence, TimeSpan.FromMinutes(10), cancellationToken);
        return Invariant(
            $"by the admin rebuild ({rebuildSeconds:F1} s for the request), feed at {after.Position:N0} of {lastSequence:N0} {clock.Elapsed.TotalSeconds:F1} s after the last append; the live daemon was left {live.Seconds:F0} s first: {live.Pace}");
    }

    private static async Task<long> NewestInFeedAsync(HttpClient anonymous, CancellationToken cancellationToken)
    {
        var page = await anonymous.GetFromJsonAsync<JsonElement>("/api/events?order=desc&limit=1", cancellationToken);
        var events = page.GetProperty("events");
        return events.GetArrayLength() > 0 ? events[0].GetProperty("sequence").GetInt64() : 0;
    }

    private sealed record Wait(bool Reached, long Position, double Seconds, string Pace);

    /// <summary>
    /// Polls <paramref name="position"/> each second until it reaches <paramref name="target"/>, or
    /// <paramref name="limit"/> passes, or (after 20 s) its pace so far says it will not get there
    /// within <paramref name="limit"/>.
    /// </summary>
    private static async Task<Wait> WaitForAsync(
        string what, Func<Task<long>> position, NpgsqlDataSource dataSource, long target, TimeSpan limit, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var reported = TimeSpan.Zero;
        long? start = null;
        long current = 0;
        while (true)
        {
            try
            {
                current = await position();
                start ??= current;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or NpgsqlException && !cancellationToken.IsCancellationRequested)
            {
                Console.WriteLine($"  {what}: {exception.Message}");
            }

            var elapsed = clock.Elapsed;
            var perSecond = (current - (start ?? current)) / Math.Max(elapsed.TotalSeconds, 0.001);
            var left = target - current;
            var pace = Invariant($"{what} at {current:N0} of {target:N0} after {elapsed.TotalSeconds:F0} s, {perSecond:F0} events/s");
            if (current >= target)
            {
                return new Wait(true, current, elapsed.TotalSeconds, pace);
            }

            var projected = perSecond > 0 ? left / perSecond : double.PositiveInfinity;
            if (elapsed >= limit)
            {
                return new Wait(false, current, elapsed.TotalSeconds, pace + " (the limit)");
            }

            if (elapsed >= TimeSpan.FromSeconds(20) && elapsed.TotalSeconds + projected > limit.TotalSeconds)
            {
                return new Wait(false, current, elapsed.TotalSeconds, pace + Invariant($": {(double.IsInfinity(projected) ? "no progress" : $"about {projected:F0} s more")}, past the {limit.TotalSeconds:0} s limit"));
            }

            if (elapsed - reported >= TimeSpan.FromSeconds(15))
            {
                reported = elapsed;
                Console.WriteLine($"  {pace}; {await ProgressAsync(dataSource, target)}");
            }

            await Task.Delay(1000, cancellationToken);
        }
    }

    /// <summary>
    /// Where the services stand with the log: the feed's mark, the slowest of every daemon's marks in
    /// <c>mt_event_progression</c> (each service's projections, ingestion's forwarder to RabbitMQ), and
    /// how many events verification's inbox took in from RabbitMQ.
    /// </summary>
    private static async Task<Marks> MarksAsync(NpgsqlDataSource dataSource)
    {
        long feed = 0;
        long forwarder = 0;
        (string Name, long Mark)? slowest = null;
        // Shards only ("Boards:All"): the daemon's own rows (HighWaterMark, HighWaterStuckGap) are no one's progress.
        await using (var command = dataSource.CreateCommand($"select name, last_seq_id from {EventStoreExtensions.EventSchema}.mt_event_progression where name like '%:%'"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var (name, mark) = (reader.GetString(0), reader.GetInt64(1));
                feed = name.StartsWith($"{FeedProjection.ProjectionName}:", StringComparison.Ordinal) ? mark : feed;
                forwarder = name.StartsWith($"{EventForwarder.SubscriptionId}:", StringComparison.Ordinal) ? mark : forwarder;
                slowest = slowest is null || mark < slowest.Value.Mark ? (name, mark) : slowest;
            }
        }

        long? received;
        try
        {
            received = await ScalarAsync<long>(dataSource, ReceivedQuery);
        }
        catch (PostgresException)
        {
            received = null; // not created yet
        }

        return new Marks(feed, forwarder, slowest?.Name ?? "none", slowest?.Mark ?? 0, received);
    }

    /// <summary>Verification's inbox: a row per event it took in (see its <c>EventCommittedConsumer</c>).</summary>
    private const string ReceivedQuery = "select count(*) from verification.mt_doc_receivedevent";

    private sealed record Marks(long Feed, long Forwarder, string Slowest, long SlowestMark, long? Received)
    {
        /// <summary>How far every service got: the slowest daemon, and verification's inbox counted as a position in a log of <paramref name="stored"/> events ending at <paramref name="last"/>.</summary>
        public long AllAt(long last, long stored) => Math.Min(SlowestMark, last - (stored - (Received ?? 0)));

        public override string ToString() => Invariant(
            $"marks: feed {Feed:N0}, forwarder {Forwarder:N0}, slowest {Slowest} {SlowestMark:N0}; verification took in {Received?.ToString("N0", CultureInfo.InvariantCulture) ?? "none"}");
    }

    private static async Task<string> ProgressAsync(NpgsqlDataSource dataSource, long? lastSequence)
    {
        try
        {
            return (await MarksAsync(dataSource)).ToString() + (lastSequence is { } last ? Invariant($" (of {last:N0})") : "");
        }
        catch (NpgsqlException exception)
        {
            return $"marks not read: {exception.Message}";
        }
    }

    /// <summary>
    /// The SQL the export sends for the whole log: <see cref="FeedTable.RowsAsync"/> called with the
    /// export's query (no bounds), over a session whose logger keeps the command and stops it before
    /// it reaches the database. Null when it cannot be taken (or it has parameters COPY cannot take).
    /// </summary>
    private static async Task<string?> VisibleQueryAsync(string connectionString)
    {
        using var store = DocumentStore.For(options =>
        {
            options.Connection(connectionString);
            options.DatabaseSchemaName = "projection";
            options.AutoCreateSchemaObjects = JasperFx.AutoCreate.None;
        });
        await using var session = store.QuerySession();
        var capture = new CommandCapture();
        session.Logger = capture;
        // Should the logger not be asked after all, the query is cancelled soon after it starts.
        using var soon = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await foreach (var _ in FeedTable.RowsAsync(session, new FeedQuery(), take: null, soon.Token))
            {
                break;
            }
        }
        catch (Exception exception) when (exception is CommandCapture.Captured or OperationCanceledException or NpgsqlException)
        {
        }

        return capture.Command is { Parameters.Count: 0 } command ? command.CommandText : null;
    }

    private sealed class CommandCapture : IMartenSessionLogger
    {
        public sealed class Captured : Exception;

        public NpgsqlCommand? Command { get; private set; }

        public void OnBeforeExecute(NpgsqlCommand command)
        {
            Command = command;
            throw new Captured();
        }

        public void OnBeforeExecute(NpgsqlBatch batch)
        {
        }

        public void LogSuccess(NpgsqlCommand command)
        {
        }

        public void LogFailure(NpgsqlCommand command, Exception ex)
        {
        }

        public void LogSuccess(NpgsqlBatch batch)
        {
        }

        public void LogFailure(NpgsqlBatch batch, Exception ex)
        {
        }

        public void LogFailure(Exception ex, string message)
        {
        }

        public void RecordSavedChanges(IDocumentSession session, Marten.Services.IChangeSet commit)
        {
        }
    }

    /// <param name="Rows">NDJSON: lines; Parquet: the rows its footer counts (null when it could not be read).</param>
    private sealed record ExportResult(int Status, long? Rows, long Bytes, double Seconds, string? Problem);

    /// <summary>
    /// One export read to its end in 64 KiB reads, nothing kept but the first bytes and the last
    /// <see cref="TailBytes"/>: NDJSON's lines counted; Parquet's footer (magic, metadata) read back
    /// from the kept bytes for its row count.
    /// </summary>
    private static async Task<ExportResult> ExportAsync(HttpClient client, string path, string format, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var head = new byte[4];
        var ring = new byte[TailBytes];
        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        long lines = 0;
        long bytes = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            var data = buffer.AsSpan(0, read);
            lines += data.Count((byte)'\n');
            if (bytes < head.Length)
            {
                data[..Math.Min(read, head.Length - (int)bytes)].CopyTo(head.AsSpan((int)bytes));
            }

            var at = (int)(bytes % ring.Length);
            var first = Math.Min(read, ring.Length - at);
            data[..first].CopyTo(ring.AsSpan(at));
            data[first..].CopyTo(ring);
            bytes += read;
        }

        var seconds = clock.Elapsed.TotalSeconds;
        if (!response.IsSuccessStatusCode)
        {
            return new ExportResult((int)response.StatusCode, null, bytes, seconds, $"answered {(int)response.StatusCode}");
        }

        if (format == "ndjson")
        {
            return new ExportResult((int)response.StatusCode, lines, bytes, seconds, null);
        }

        var kept = (int)Math.Min(bytes, ring.Length);
        var tail = new byte[kept];
        var start = (int)((bytes - kept) % ring.Length);
        ring.AsSpan(start, Math.Min(kept, ring.Length - start)).CopyTo(tail);
        ring.AsSpan(0, kept - Math.Min(kept, ring.Length - start)).CopyTo(tail.AsSpan(Math.Min(kept, ring.Length - start)));
        try
        {
            await using var ends = new EndsStream(head, tail, bytes);
            await using var reader = await Parquet.ParquetReader.CreateAsync(ends, cancellationToken: cancellationToken);
            return new ExportResult((int)response.StatusCode, reader.Metadata?.NumRows, bytes, seconds, null);
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            return new ExportResult((int)response.StatusCode, null, bytes, seconds, $"its footer could not be read from the last {kept:N0} bytes: {exception.Message}");
        }
    }

    /// <summary>A file of which only the first bytes and the last are kept: enough for a Parquet reader to check the magic and read the footer.</summary>
    private sealed class EndsStream(byte[] head, byte[] tail, long length) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get; set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            count = (int)Math.Min(count, length - Position);
            if (count <= 0)
            {
                return 0;
            }

            var tailStart = length - tail.Length;
            if (Position >= tailStart)
            {
                tail.AsSpan((int)(Position - tailStart), count).CopyTo(buffer.AsSpan(offset));
            }
            else if (Position + count <= head.Length)
            {
                head.AsSpan((int)Position, count).CopyTo(buffer.AsSpan(offset));
            }
            else
            {
                throw new IOException($"bytes {Position:N0}..{Position + count:N0} were not kept");
            }

            Position += count;
            return count;
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed record CopyResult(long Rows, long Characters, double Seconds);

    /// <summary><c>COPY (sql) TO STDOUT</c> (text format: a row a line, newlines in values escaped), read in 64 Ki-character blocks, lines counted.</summary>
    private static async Task<CopyResult> CopyAsync(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken)
    {
        var buffer = new char[64 * 1024];
        var clock = Stopwatch.StartNew();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        using var reader = await connection.BeginTextExportAsync($"COPY ({sql}) TO STDOUT", cancellationToken);
        long rows = 0;
        long characters = 0;
        int read;
        while ((read = await reader.ReadAsync(buffer, cancellationToken)) > 0)
        {
            rows += buffer.AsSpan(0, read).Count('\n');
            characters += read;
        }

        return new CopyResult(rows, characters, clock.Elapsed.TotalSeconds);
    }

    private sealed record ExportRun(string Format, ExportResult Result, CpuReport Cpu, IReadOnlyList<Peak> Peaks)
    {
        public double EventsPerSecond => (Result.Rows ?? 0) / Result.Seconds;

        public string Describe() => Invariant(
            $"{EventsPerSecond,9:F0} events/s, {Result.Bytes / 1e6 / Result.Seconds,6:F1} MB/s: {Result.Rows?.ToString("N0", CultureInfo.InvariantCulture) ?? "?"} {(Format == "ndjson" ? "lines" : "rows")}, {Result.Bytes / 1e6:F1} MB in {Result.Seconds:F1} s (status {Result.Status})");
    }

    private sealed record CopyRun(string Name, string Sql, CopyResult Result, CpuReport Cpu)
    {
        public string Describe() => Invariant(
            $"{Result.Rows / Result.Seconds,9:F0} rows/s,   {Result.Characters / 1e6 / Result.Seconds,6:F1} M characters/s: {Result.Rows:N0} rows, {Result.Characters / 1e6:F1} M characters in {Result.Seconds:F1} s");
    }

    /// <param name="GrowthBytes">What the target is judged on: the growth of the peak resident size; for PostgreSQL, of its private memory.</param>
    private sealed record Peak(string Name, string Format, long? GrowthBytes, string Text)
    {
        public override string ToString() => Text;
    }

    /// <summary>
    /// Peak resident memory over a window: VmHWM reset to the current resident size by writing 5 to
    /// /proc/pid/clear_refs (as <c>files</c> and <c>verify</c> do), read after. PostgreSQL: the
    /// postmaster and each backend alive at the reset, the one that grew most. A backend's resident
    /// size also counts the pages of shared buffers it touched (allocated once, at the server's start),
    /// so its private memory (RssAnon, which has no peak of its own) is sampled every 100 ms too, and that is
    /// PostgreSQL's figure for the target.
    /// </summary>
    private sealed class PeakMemory : IAsyncDisposable
    {
        private readonly string _name;
        private readonly Dictionary<int, long> _before = [];
        private readonly Dictionary<int, (long First, long Max)> _anonymous = [];
        private readonly CancellationTokenSource _stop = new();
        private Task _sampling = Task.CompletedTask;
        private string? _problem;

        private PeakMemory(string name) => _name = name;

        public static List<PeakMemory> ResetAll(Stack stack)
        {
            var peaks = Stack.Services.Select(name => Reset(name, stack.Pid(name) is { } pid ? [pid] : [])).ToList();
            var postmaster = stack.Pid(Stack.Postgres);
            var postgres = Reset(Postgres, postmaster is { } id ? [id, .. ProcessTable.ChildrenOf(id)] : []);
            if (postmaster is { } parent)
            {
                postgres._sampling = postgres.SampleAsync(parent);
            }

            peaks.Add(postgres);
            return peaks;
        }

        private static PeakMemory Reset(string name, IReadOnlyList<int> pids)
        {
            var peak = new PeakMemory(name);
            if (pids.Count == 0)
            {
                peak._problem = "its process was not found";
                return peak;
            }

            foreach (var pid in pids)
            {
                try
                {
                    File.WriteAllText($"/proc/{pid}/clear_refs", "5");
                    peak._before[pid] = Kibibytes(pid, "VmRSS");
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidOperationException)
                {
                    peak._problem ??= $"its peak could not be reset ({exception.Message})";
                }
            }

            return peak;
        }

        /// <summary>Private memory of the server's processes (those started meanwhile too), every 100 ms until read.</summary>
        private async Task SampleAsync(int postmaster)
        {
            while (!_stop.IsCancellationRequested)
            {
                foreach (var pid in ProcessTable.ChildrenOf(postmaster).Append(postmaster))
                {
                    try
                    {
                        var anonymous = Kibibytes(pid, "RssAnon");
                        _anonymous[pid] = _anonymous.TryGetValue(pid, out var seen) ? (seen.First, Math.Max(seen.Max, anonymous)) : (anonymous, anonymous);
                    }
                    catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidOperationException)
                    {
                        // A backend that ended.
                    }
                }

                try
                {
                    await Task.Delay(100, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        public async Task<Peak> ReadAsync(string format)
        {
            await _stop.CancelAsync();
            await _sampling;
            var label = $"{_name}:";
            if (_before.Count == 0)
            {
                return new Peak(_name, format, null, $"{label,-24}not measured: {_problem}");
            }

            var measured = new List<(int Pid, long Before, long Peak)>();
            foreach (var (pid, before) in _before)
            {
                try
                {
                    measured.Add((pid, before, Kibibytes(pid, "VmHWM")));
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidOperationException)
                {
                    // A backend that ended during the export.
                }
            }

            if (measured.Count == 0)
            {
                return new Peak(_name, format, null, $"{label,-24}not measured: its process ended");
            }

            var top = measured.MaxBy(p => p.Peak - p.Before);
            var growth = (top.Peak - top.Before) * 1024;
            var text = Invariant($"{label,-24}peak RSS {top.Peak * 1024 / 1e6,6:F0} MB, growth {growth / 1e6,5:F0} MB over {top.Before * 1024 / 1e6:F0} MB before");
            if (_anonymous.Count == 0)
            {
                return new Peak(_name, format, growth, text);
            }

            var grown = _anonymous.MaxBy(pair => pair.Value.Max - pair.Value.First);
            var privateGrowth = (grown.Value.Max - grown.Value.First) * 1024;
            return new Peak(_name, format, privateGrowth, text + Invariant(
                $" (the most of {measured.Count} processes, pid {top.Pid}, mostly pages of shared buffers); private memory (RssAnon) grew at most {privateGrowth / 1e6:F0} MB (pid {grown.Key}, {_anonymous.Count} processes sampled)"));
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _sampling;
            _stop.Dispose();
        }

        private static long Kibibytes(int pid, string field) =>
            File.ReadLines($"/proc/{pid}/status").Where(line => line.StartsWith(field + ":", StringComparison.Ordinal))
                .Select(line => long.Parse(line.Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture)).Single();
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Label(string name) => (name + ":").PadRight(27);
}
