using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using CommunityEvals.LeaderboardProjection.Feed;
using CommunityEvals.LeaderboardProjection.Leaderboards;
using CommunityEvals.LeaderboardProjection.Maintenance;
using CommunityEvals.LeaderboardProjection.Shared;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.TestStack;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CommunityEvals.Benchmarks;

/// <summary>
/// How fast the leaderboard-projection service's read models are rebuilt from the log. A private
/// PostgreSQL gets <c>--events</c> events appended straight through Marten (see <see cref="EventMix"/>),
/// then every projection is rebuilt as the service's <c>POST /api/admin/projections/rebuild</c> does it
/// (<see cref="OnePassRebuild"/>, over a store configured exactly as the service configures its own:
/// its <c>AddApplicationServices</c>, called in-process): once as a first build (read models and
/// change log empty), then <c>--repeat</c> times as a rebuild. <c>--daemon yes</c> also rebuilds each
/// projection with Marten's daemon, one after another and all at once, to compare. Target: 20,000 events/s.
/// </summary>
public static class Rebuild
{
    public static readonly Options Defaults = new(16, TimeSpan.FromSeconds(20)) { Events = 1_000_000, Models = 0, Benchmarks = 300, Repeat = 1 };

    public static readonly string[] Allowed = ["--events", "--models", "--benchmarks", "--repeat", "--batch-size", "--pg", "--projections", "--daemon"];

    private const double TargetPerSecond = 20_000;
    private const int BatchEvents = 2_000;
    private const string InProcess = "in-process daemon";
    private const string Postgres = "postgresql";

    private sealed record Timing(string Name, double Seconds, CpuReport Cpu)
    {
        public double Cores(string source) => Cpu.Seconds.GetValueOrDefault(source) / Cpu.WallSeconds;
    }

    public static async Task<int> RunAsync(Options options)
    {
        var benchmarks = (int)Math.Min(options.Benchmarks, Math.Max(10, options.Events / 3000));
        var models = options.Models > 0 ? options.Models : (int)Math.Clamp(options.Events / 250, 50, 4000);
        // Ctrl+C or SIGTERM: stop at the next batch or projection and still stop PostgreSQL and delete its files (the stack's dispose).
        using var stop = new StopOnSignal();
        try
        {
            Console.WriteLine("starting a private PostgreSQL (the AppHost's, alone, on Aspire's testing host) ...");
            await using var stack = await Stack.StartAsync(new StackOptions { Only = [Stack.Database] });
            var postmaster = stack.Pid(Stack.Postgres) ?? throw new InvalidOperationException("the postmaster was not found");
            await ApplySettingsAsync(stack.DatabaseConnectionString, options.PostgresSettings);
            using var host = BuildProjectionHost(stack.DatabaseConnectionString, options.BatchSize, out var configuredBy);
            var store = host.Services.GetRequiredService<IDocumentStore>();
            var names = ProjectionNames(store);
            Console.WriteLine($"store configured by {configuredBy}; projections: {string.Join(", ", names)}");
            if (options.Projections.Count > 0)
            {
                var unknown = options.Projections.Except(names).ToList();
                if (unknown.Count > 0)
                {
                    throw new ArgumentException($"--projections: no projection named {string.Join(", ", unknown)}");
                }

                names = [.. names.Where(options.Projections.Contains)];
                Console.WriteLine($"rebuilding only: {string.Join(", ", names)}");
            }


            var mix = new EventMix(options.Events, benchmarks, models);
            Console.WriteLine($"appending {options.Events:N0} events ({benchmarks} benchmarks, {models} model repos) in batches of {BatchEvents:N0} ...");
            var seeding = Stopwatch.StartNew();
            await mix.AppendToAsync(store, "bench-seed", BatchEvents, TimeSpan.FromSeconds(10), progress: null, stop.Token);
            seeding.Stop();
            var statistics = await store.Advanced.FetchEventStoreStatistics();
            Console.WriteLine($"  {statistics.EventCount:N0} events in {statistics.StreamCount:N0} streams after {seeding.Elapsed.TotalSeconds:F1} s ({statistics.EventCount / seeding.Elapsed.TotalSeconds:F0} events/s appended)");

            // This process (the rebuild runs in it) and PostgreSQL, from now on.
            CpuMeter StartMeter()
            {
                var meter = new CpuMeter();
                meter.Add(InProcess, () => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds);
                meter.Add(Postgres, () => CpuMeter.TreeSeconds(postmaster));
                meter.Start();
                return meter;
            }

            // The service's rebuild command: one pass over the log for every projection (see OnePassRebuild).
            // Only for the whole service: naming projections asks for the daemon's rebuild of each.
            var onePass = new List<Timing>();
            if (options.Projections.Count == 0)
            {
                var lastSequence = await LastSequenceAsync(store);
                var shards = names.Select(name => new ShardName(name, ShardName.All, 1).Identity).ToList();
                for (var pass = 1; pass <= options.Repeat + 1; pass++)
                {
                    var what = pass == 1 ? "first build (read models and change log empty before)" : "rebuild (read models full before, change log kept)";
                    Console.WriteLine($"one-pass {what} ...");
                    var cpu = StartMeter();
                    var paused = GC.GetTotalPauseDuration();
                    var collections = Enumerable.Range(0, 3).Select(GC.CollectionCount).ToArray();
                    var clock = Stopwatch.StartNew();
                    // As the service's rebuild command does (counted in the time).
                    await EventLogStatistics.RefreshAsync(store, stop.Token);
                    var outcome = await OnePassRebuild.RunAsync(store, shards, lastSequence, stop.Token);
                    var timing = new Timing(pass == 1 ? "one-pass, first build" : "one-pass, rebuild", clock.Elapsed.TotalSeconds, cpu.Stop());
                    onePass.Add(timing);
                    // The rebuild holds every document in memory until it writes them: the peak is its cost.
                    Console.WriteLine($"  {timing.Seconds:F1} s: {outcome.Events:N0} events, {outcome.Documents:N0} documents, {outcome.ChangeSets:N0} change sets written; peak working set of this process so far {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024):N0} MiB");
                    Console.WriteLine(string.Join(Environment.NewLine, outcome.Phases.Select(phase => string.Create(CultureInfo.InvariantCulture, $"    {phase.Phase,-40} {phase.Seconds,7:F1} s"))));
                    // Every managed thread stands still while the GC pauses them: the fold is one of them.
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"    garbage collector pauses: {(GC.GetTotalPauseDuration() - paused).TotalSeconds:F1} s (collections: gen0 {GC.CollectionCount(0) - collections[0]}, gen1 {GC.CollectionCount(1) - collections[1]}, gen2 {GC.CollectionCount(2) - collections[2]})"));
                }
            }

            var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("rebuild");
            using var daemon = await store.BuildProjectionDaemonAsync(logger: logger);
            var passes = new List<List<Timing>>();
            Timing? together = null;
            if (options.Daemon || options.Projections.Count > 0)
            {
                for (var pass = 1; pass <= options.Repeat; pass++)
                {
                    Console.WriteLine($"daemon rebuild pass {pass}, one projection after another ...");
                    var timings = new List<Timing>();
                    foreach (var name in names)
                    {
                        var cpu = StartMeter();
                        var clock = Stopwatch.StartNew();
                        await EventLogStatistics.RefreshAsync(store, stop.Token);
                        await daemon.RebuildProjectionAsync(name, TimeSpan.FromHours(2), stop.Token);
                        var seconds = clock.Elapsed.TotalSeconds;
                        var report = cpu.Stop();
                        timings.Add(new Timing(name, seconds, report));
                        Console.WriteLine($"  {name}: {seconds:F1} s");
                    }

                    passes.Add(timings);
                }

                // Then all of them at once by the daemon, side by side.
                if (names.Count > 1 && options.Projections.Count == 0)
                {
                    Console.WriteLine("daemon rebuild pass: all projections at once ...");
                    var cpu = StartMeter();
                    var clock = Stopwatch.StartNew();
                    await EventLogStatistics.RefreshAsync(store, stop.Token);
                    await Task.WhenAll(names.Select(name => daemon.RebuildProjectionAsync(name, TimeSpan.FromHours(2), stop.Token)));
                    together = new Timing("daemon, all at once", clock.Elapsed.TotalSeconds, cpu.Stop());
                    Console.WriteLine($"  all at once: {together.Seconds:F1} s");
                }
            }

            await daemon.StopAllAsync();
            var check = options.Projections.Count == 0
                ? await CheckAsync(store, statistics.EventCount)
                : "ok: skipped (only some projections were rebuilt)";

            Console.WriteLine();
            Console.WriteLine($"== rebuild: eng/bench.sh rebuild --events {options.Events} --benchmarks {options.Benchmarks}{(options.Models > 0 ? $" --models {options.Models}" : "")} --repeat {options.Repeat}{(options.Daemon ? " --daemon yes" : "")}{(options.BatchSize > 0 ? $" --batch-size {options.BatchSize}" : "")}{string.Concat(options.PostgresSettings.Select(p => $" --pg {p.Key}={p.Value}"))}{(options.Projections.Count > 0 ? $" --projections {string.Join(',', options.Projections)}" : "")}");
            Console.WriteLine($"store:                 {statistics.EventCount:N0} events, {statistics.StreamCount:N0} streams; {benchmarks} benchmarks, {models} model repos");
            Console.WriteLine($"event mix:             {string.Join(", ", mix.Counts.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value:N0}"))}");
            Console.WriteLine($"appending (setup):     {seeding.Elapsed.TotalSeconds:F1} s, {statistics.EventCount / seeding.Elapsed.TotalSeconds:F0} events/s through Marten");
            string Line(Timing timing, string what) => string.Create(CultureInfo.InvariantCulture,
                $"  {timing.Name,-24} {timing.Seconds,8:F1} s  {statistics.EventCount / timing.Seconds,10:F0} events/s{what}   cores: in-process {timing.Cores(InProcess):F2}, postgresql {timing.Cores(Postgres):F2}, machine {timing.Cores(CpuReport.Machine):F2} ({timing.Cpu.OtherCores:F2} others)");
            if (onePass.Count > 0)
            {
                Console.WriteLine("one pass over the log for every projection (the service's rebuild command):");
                foreach (var timing in onePass)
                {
                    Console.WriteLine(Line(timing, ""));
                }
            }

            for (var pass = 0; pass < passes.Count; pass++)
            {
                Console.WriteLine($"daemon rebuild pass {pass + 1}, one projection after another:");
                foreach (var timing in passes[pass])
                {
                    Console.WriteLine(Line(timing, ""));
                }

                var total = passes[pass].Sum(t => t.Seconds);
                Console.WriteLine($"  {"all, one after another",-24} {total,8:F1} s  {statistics.EventCount / total,10:F0} events/s (log length / total time)");
            }

            if (together is not null)
            {
                Console.WriteLine("daemon rebuild, all projections at once:");
                Console.WriteLine(Line(together, " (log length / wall time)"));
            }

            Console.WriteLine($"check:                 {check}");
            if (onePass.Count > 0)
            {
                var rate = statistics.EventCount / onePass[^1].Seconds;
                Console.WriteLine(rate >= TargetPerSecond
                    ? $"target >= 20,000 events/s: met by the rebuild command ({rate:F0}/s)"
                    : $"target >= 20,000 events/s: MISSED by the rebuild command by {TargetPerSecond - rate:F0} events/s ({rate:F0}/s, {rate / TargetPerSecond:P0} of it)");
            }
            else
            {
                var overall = statistics.EventCount / passes[^1].Sum(t => t.Seconds);
                Console.WriteLine($"daemon, the projections named one after another: {overall:F0}/s, {overall / TargetPerSecond:P0} of the 20,000 events/s target");
            }

            return check.StartsWith("ok", StringComparison.Ordinal) ? 0 : 1;
        }
        catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
        {
            Console.Error.WriteLine("stopped before the end");
            return 130;
        }
    }

    /// <summary>
    /// A host (never started: no daemon, no bus) whose Marten store is the leaderboard-projection
    /// service's: its own <c>AddApplicationServices</c> when it can be found, so the benchmark follows
    /// changes to the service's configuration; else a copy of what it registered when this was written.
    /// </summary>
    private static IHost BuildProjectionHost(string connectionString, int batchSize, out string configuredBy)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{EventStoreExtensions.DatabaseName}"] = connectionString,
            // Registered by the service, never connected to: the host is not started.
            ["ConnectionStrings:eventbus"] = "amqp://guest:guest@127.0.0.1:1/",
        });
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        var method = typeof(FeedProjection).Assembly
            .GetType("Microsoft.Extensions.Hosting.Extensions")?
            .GetMethod("AddApplicationServices", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, [typeof(IHostApplicationBuilder)]);
        if (method is not null)
        {
            try
            {
                method.Invoke(null, [builder]);
            }
            catch (TargetInvocationException exception) when (exception.InnerException is not null)
            {
                throw exception.InnerException;
            }

            configuredBy = "the service's own AddApplicationServices";
        }
        else
        {
            builder.AddEventStore("projection", options =>
            {
                options.Projections.Add(new FeedProjection(), ProjectionLifecycle.Async, FeedProjection.ProjectionName);
                options.AddRepoReadModels(ProjectionLifecycle.Async);
                options.AddLeaderboards(ProjectionLifecycle.Async);
            });
            configuredBy = "a copy of the service's configuration (its AddApplicationServices was not found)";
        }

        if (batchSize > 0)
        {
            // What-if only: the service keeps its own page size.
            builder.Services.ConfigureMarten(options =>
            {
                foreach (var projection in options.Projections.All)
                {
                    projection.Options.BatchSize = batchSize;
                }
            });
            configuredBy += $", with every projection's BatchSize set to {batchSize} (what-if)";
        }

        return builder.Build();
    }

    /// <summary>What-if PostgreSQL settings: ALTER SYSTEM, then a reload (settings that need a restart are refused).</summary>
    private static async Task ApplySettingsAsync(string connectionString, IReadOnlyDictionary<string, string> settings)
    {
        if (settings.Count == 0)
        {
            return;
        }

        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var (name, value) in settings)
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z_.]+$"))
            {
                throw new ArgumentException($"--pg {name}: not a setting name");
            }

            await using (var alter = new Npgsql.NpgsqlCommand($"alter system set {name} = '{value.Replace("'", "''", StringComparison.Ordinal)}'", connection))
            {
                await alter.ExecuteNonQueryAsync();
            }

            await using (var reload = new Npgsql.NpgsqlCommand("select pg_reload_conf()", connection))
            {
                await reload.ExecuteNonQueryAsync();
            }

            await using var pending = new Npgsql.NpgsqlCommand("select pending_restart from pg_settings where name = @name", connection);
            pending.Parameters.AddWithValue("name", name);
            if (await pending.ExecuteScalarAsync() is true)
            {
                throw new ArgumentException($"--pg {name} needs a server restart; only reloadable settings are supported");
            }

            Console.WriteLine($"postgresql: {name} = {value} (what-if)");
        }
    }

    private static List<string> ProjectionNames(IDocumentStore store) =>
        ((DocumentStore)store).Options.Projections.All
            .Where(projection => projection.Lifecycle == ProjectionLifecycle.Async)
            .Select(projection => projection.Name)
            .Distinct()
            .ToList();

    private static async Task<long> LastSequenceAsync(IDocumentStore store)
    {
        await using var session = store.QuerySession();
        return await session.Events.QueryAllRawEvents().MaxAsync(e => e.Sequence);
    }

    /// <summary>That the rebuilt read models saw the whole log: one feed entry per event, the boards' cursor at the last event.</summary>
    private static async Task<string> CheckAsync(IDocumentStore store, long events)
    {
        await using var session = store.QuerySession();
        var feed = await session.AdvancedSql.QueryAsync<long>(
            $"select count(*) from {FeedTable.QualifiedName(((DocumentStore)store).Options.DatabaseSchemaName)}", CancellationToken.None);
        var cursor = await session.LoadAsync<LeaderboardCursor>(LeaderboardCursor.Key);
        var boards = await session.Query<LeaderboardBoard>().CountAsync();
        var lastSequence = await LastSequenceAsync(store);
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{feed[0]:N0} feed entries, {boards:N0} boards, board cursor at {cursor?.LastSequence ?? 0:N0} of {lastSequence:N0}");
        return feed[0] == events && cursor?.LastSequence == lastSequence ? $"ok: {text}" : $"INCOMPLETE: {text}";
    }
}
