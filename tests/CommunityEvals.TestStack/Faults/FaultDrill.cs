using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Npgsql;

namespace CommunityEvals.TestStack.Faults;

public sealed record FaultDrillOptions
{
    /// <summary>The resources whose process is killed, in this order.</summary>
    public IReadOnlyList<string> Faults { get; init; } = FaultDrill.AllFaults;

    /// <summary>Committing clients, each with a model of its own.</summary>
    public int Clients { get; init; } = 4;

    /// <summary>How long the load runs before each kill, and again once the stack is healthy after it.</summary>
    public TimeSpan Steady { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Each client's pause between an answer and its next commit.</summary>
    public TimeSpan Pause { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long the stack may take to be healthy again after a kill.</summary>
    public TimeSpan HealTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>At the end, rebuild the projections and compare the board before and after.</summary>
    public bool Rebuild { get; init; } = true;
}

/// <summary>
/// Kills parts of a running <see cref="Stack"/> one at a time, with SIGKILL, under a commit load through
/// the gateway, and checks what README's "Faults" section promises: while something is down, callers
/// get 200 or 503 with <c>Retry-After</c> and a problem document (never another error, never a wait past
/// 10 s; only the gateway's own death leaves them without an answer); the AppHost starts what died and the
/// stack is healthy again on its own; every commit answered 200 is on <c>main</c> and on the board; every
/// score change reaches a RabbitMQ subscriber, a resuming SSE client and the SSE replay exactly once; and
/// the board equals a rebuild from the log. Used by <c>eng/faults.sh</c> and the integration tests.
/// </summary>
public static class FaultDrill
{
    /// <summary>Every fault, cheapest to heal first: the broker, the database, then each service.</summary>
    public static readonly string[] AllFaults = [Stack.Broker, Stack.Postgres, "ingestion", "verification", "leaderboard-projection", Stack.GatewayName];

    /// <summary>The longest a caller may wait for an answer, even while something is down.</summary>
    public static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(10);

    public const string Setup = "setup";

    public static async Task<DrillReport> RunAsync(Stack stack, FaultDrillOptions options, Action<string> log, CancellationToken cancellationToken = default)
    {
        var unknown = options.Faults.Except(AllFaults).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"unknown fault {string.Join(", ", unknown)}; the faults are {string.Join(", ", AllFaults)}");
        }

        var gateway = stack.Gateway;
        var (org, token) = await Hub.CreateOrgOwnerAsync(gateway, stack.AdminToken);
        using var owner = Hub.Client(gateway, token);
        var datasetId = await Hub.RegisterBenchmarkAsync(owner, org, "faults");
        // Listening before the first result is committed: every change of the benchmark is expected.
        await using var broker = await DurableBrokerChanges.StartAsync(stack.BrokerConnectionString, datasetId);
        await using var live = await ResumingSseChanges.OpenAsync(gateway, $"benchmark={datasetId}");

        var models = Enumerable.Range(0, options.Clients).Select(i => $"{org}/model-{i}").ToList();
        foreach (var model in models)
        {
            await Hub.CreateRepoAsync(owner, org, "model", model[(org.Length + 1)..]);
        }

        var load = new CommitLoad(gateway, token, datasetId, models, options.Pause);
        for (var client = 0; client < models.Count; client++)
        {
            var first = await load.CommitOnceAsync(client, Setup);
            if (first.Answer.Status != 200)
            {
                throw new InvalidOperationException($"setting up {first.Model} answered {first.Answer.Kind}: {first.Answer.Error}");
            }
        }

        log($"set up {datasetId} with {models.Count} models; {options.Clients} clients commit through {gateway}");
        var outcomes = new List<FaultOutcome>();
        foreach (var fault in options.Faults)
        {
            cancellationToken.ThrowIfCancellationRequested();
            outcomes.Add(await RunFaultAsync(stack, load, fault, options, log, cancellationToken));
        }

        log("checking what the log, the boards and the subscribers hold ...");
        var verdict = await CheckAsync(stack, load, datasetId, org, broker, live, options, log);
        return new DrillReport(outcomes, verdict, load.Commits, load.Reads);
    }

    private static async Task<FaultOutcome> RunFaultAsync(Stack stack, CommitLoad load, string fault, FaultDrillOptions options, Action<string> log, CancellationToken cancellationToken)
    {
        await stack.WaitHealthyAsync(fault, replacing: null, options.HealTimeout, cancellationToken);
        var victim = stack.Pid(fault) ?? throw new InvalidOperationException($"{fault} has no process to kill");
        var process = ProcessTable.Name(victim) ?? "?";
        var restartsBefore = stack.Restarts(fault);
        load.Start(fault);
        await Task.Delay(options.Steady, cancellationToken);

        using var watching = new CancellationTokenSource();
        var timeline = new List<string>();
        var killed = Stopwatch.GetTimestamp();
        var watcher = WatchStatesAsync(stack, fault, killed, timeline, watching.Token);
        using (var target = Process.GetProcessById(victim))
        {
            // SIGKILL: no chance to clean up, as in a crash or an OOM kill.
            target.Kill();
        }

        log($"{fault}: killed {process} (pid {victim})");
        double? healed = null;
        int? successor = null;
        try
        {
            successor = await stack.WaitHealthyAsync(fault, replacing: victim, options.HealTimeout, cancellationToken);
            healed = Stopwatch.GetElapsedTime(killed).TotalSeconds;
            log($"{fault}: healthy again after {healed:F1} s ({process} pid {successor})");
        }
        catch (TimeoutException exception)
        {
            log($"{fault}: {exception.Message}");
        }

        await Task.Delay(options.Steady, cancellationToken);
        await load.StopAsync();
        await watching.CancelAsync();
        await watcher;
        return new FaultOutcome(fault, process, victim, successor, healed, stack.Restarts(fault) - restartsBefore, timeline);
    }

    /// <summary>The resource's states as Aspire reports them from the kill on, with the seconds since.</summary>
    private static async Task WatchStatesAsync(Stack stack, string resource, long since, List<string> timeline, CancellationToken cancellationToken)
    {
        var seen = "";
        try
        {
            await foreach (var update in stack.App.ResourceNotifications.WatchAsync(cancellationToken))
            {
                if (update.Resource.Name != resource)
                {
                    continue;
                }

                var state = $"{update.Snapshot.State?.Text}{(update.Snapshot.HealthStatus is { } health ? $"/{health}" : "")}";
                if (state != seen)
                {
                    seen = state;
                    timeline.Add($"+{Stopwatch.GetElapsedTime(since).TotalSeconds:F1} s {state}");
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static async Task<Verdict> CheckAsync(
        Stack stack, CommitLoad load, string datasetId, string org, DurableBrokerChanges broker, ResumingSseChanges live, FaultDrillOptions options, Action<string> log)
    {
        var answered = load.Commits.Where(c => c.Answer.Status == 200).ToList();

        // The log: every commit that landed on main, whoever was told what.
        var onMain = await MainCommitsAsync(stack.DatabaseConnectionString, org);
        var lost = answered.Where(c => !onMain.Any(m => m.CommitOid == c.CommitOid)).ToList();
        var committedTwice = onMain.GroupBy(m => (m.Model, m.Value)).Where(g => g.Count() > 1).Select(g => $"{g.Key.Model} {g.Key.Value}").ToList();

        // The boards catch up with the log: each model's row shows the value of its last commit.
        using var reader = Hub.Client(stack.Gateway);
        var lastOfEach = onMain.GroupBy(m => m.Model).ToDictionary(g => g.Key, g => g.MaxBy(m => m.Sequence)!.Value);
        var board = await WaitForBoardAsync(reader, datasetId, lastOfEach, TimeSpan.FromSeconds(60));

        // Every change stored for the benchmark, as a client replaying the stream from the start gets them.
        await using var replay = await ResumingSseChanges.OpenAsync(stack.Gateway, $"benchmark={datasetId}&after=0");
        await replay.SettleAsync(atLeast: 1, quiet: TimeSpan.FromSeconds(3), timeout: TimeSpan.FromSeconds(60));
        var stored = replay.Received.DistinctBy(c => c.Id).ToList();
        var notOnBoard = answered.Where(c => !stored.Any(s => s.ModelId == c.Model && s.Value == c.Value)).ToList();

        // The subscribers get what was stored; a little longer for the last page to arrive.
        await broker.SettleAsync(stored.Count, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(60));
        await live.SettleAsync(stored.Count, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(60));

        var rebuildEqual = true;
        if (options.Rebuild)
        {
            using var admin = Hub.Client(stack.Gateway, stack.AdminToken, timeout: TimeSpan.FromMinutes(10));
            var before = board;
            await Hub.EnsureAsync(admin.PostAsync("/api/admin/projections/rebuild", null));
            var after = await reader.GetStringAsync(Hub.NativeBoardPath(datasetId, 1000));
            rebuildEqual = before == after;
            if (!rebuildEqual)
            {
                log($"the board before the rebuild:\n{before}\nafter it:\n{after}");
            }
        }

        return new Verdict(
            Answered: answered.Count,
            OnMain: onMain,
            Lost: lost,
            CommittedTwice: committedTwice,
            NotOnBoard: notOnBoard,
            Stored: stored,
            ReplayDuplicates: replay.Count - stored.Count,
            Broker: Delivery.Compare(stored, broker.Received),
            Live: Delivery.Compare(stored, live.Received),
            LiveConnections: live.Connections,
            ListenerErrors: [.. broker.Errors, .. live.Errors, .. replay.Errors],
            RebuildEqual: rebuildEqual,
            Rebuilt: options.Rebuild);
    }

    private static async Task<string> WaitForBoardAsync(HttpClient reader, string datasetId, IReadOnlyDictionary<string, double> expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var text = "";
        while (DateTime.UtcNow < deadline)
        {
            using var response = await reader.GetAsync(Hub.NativeBoardPath(datasetId, 1000));
            if (response.IsSuccessStatusCode)
            {
                text = await response.Content.ReadAsStringAsync();
                using var board = JsonDocument.Parse(text);
                var rows = board.RootElement.GetProperty("rows").EnumerateArray()
                    .ToDictionary(row => row.GetProperty("modelId").GetString()!, row => row.GetProperty("value").GetDouble());
                if (expected.All(pair => rows.TryGetValue(pair.Key, out var value) && value == pair.Value))
                {
                    return text;
                }
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"the board of {datasetId} did not show every model's last commit within {timeout.TotalSeconds:0} s: {text}");
    }

    /// <summary>A commit on <c>main</c> as the event log holds it.</summary>
    public sealed record MainCommit(long Sequence, string Model, string CommitOid, double Value);

    /// <summary>The <c>MainCommitted</c> events of the org's model repos, straight from the log (not from a projection).</summary>
    private static async Task<List<MainCommit>> MainCommitsAsync(string connectionString, string org)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            select seq_id, data->>'repo', data->'commit'->>'commitOid', (data->'commit'->'results'->0->>'value')::float8
            from events.mt_events where type = 'main_committed' and stream_id like $1 order by seq_id
            """,
            connection)
        {
            Parameters = { new() { Value = $"model/{org}/%" } },
        };
        var commits = new List<MainCommit>();
        await using var rows = await command.ExecuteReaderAsync();
        while (await rows.ReadAsync())
        {
            commits.Add(new MainCommit(rows.GetInt64(0), rows.GetString(1), rows.GetString(2), rows.GetDouble(3)));
        }

        return commits;
    }
}
