using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityEvals.TestStack;

namespace CommunityEvals.Benchmarks;

/// <summary>
/// How soon a commit shows on the leaderboard (API.md: visible within 2 s, target p99 under
/// 500 ms). Commits are scheduled open-loop at a fixed rate, round-robin over several clients,
/// each with its own repo, whatever the answers do; every commit writes a new value for its model.
/// Freshness of a commit: from its 200 answer to the <c>score-changed</c> event of that model and
/// value arriving on one SSE stream of the benchmark, read through the gateway. Besides, one commit
/// in <c>--poll-every</c> goes to a probe repo (never two at once) whose row is polled on the
/// native board every 10 ms until it shows the value: the board's own visibility, without SSE.
/// </summary>
public static class Freshness
{
    public static readonly Options Defaults = new(16, TimeSpan.FromSeconds(20)) { Rate = 200, PollEvery = 20 };

    public static readonly string[] Allowed = ["--rate", "--seconds", "--clients", "--poll-every", "--env"];

    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);
    private const double TargetP99Ms = 500;
    private const string Probe = "probe";

    private sealed class CommitRecord(int k, int repo, string model, double value, bool probe, bool measured)
    {
        public int K { get; } = k;
        public int Repo { get; } = repo;
        public string Model { get; } = model;
        public double Value { get; } = value;
        public long Cents { get; } = CentsOf(value);
        public bool Probe { get; } = probe;
        public bool Measured { get; } = measured;
        public long SentAt { get; set; }
        public long AnsweredAt { get; set; }
        public bool Ok { get; set; }
        public string? Error { get; set; }
        public double? BoardVisibleMs { get; set; }
    }

    public static async Task<int> RunAsync(Options options)
    {
        var clientCount = options.Clients;
        Console.WriteLine("starting the stack (the AppHost on Aspire's testing host: private PostgreSQL, RabbitMQ, the services) ...");
        await using var stack = await Stack.StartAsync(new StackOptions { ServiceEnvironment = StackOptions.WithoutCallerLimits(options.Environment) });
        var adminToken = stack.AdminToken;
        var gateway = stack.Gateway;

        var (org, token) = await Hub.CreateOrgOwnerAsync(gateway, adminToken);
        var clients = Enumerable.Range(0, clientCount).Select(_ => Hub.Client(gateway, token)).ToArray();
        using var probeClient = Hub.Client(gateway, token);
        using var reader = Hub.Client(gateway);
        try
        {
            var datasetId = await Hub.RegisterBenchmarkAsync(clients[0], org, "bench");
            var repos = Enumerable.Range(0, clientCount).Select(i => $"model-{i}").Append(Probe).ToArray();
            var usesProbe = options.PollEvery > 0;
            var rows = usesProbe ? repos.Length : clientCount;
            Console.WriteLine($"setting up {datasetId}: {rows} model repos, one result each ...");
            await Hub.ForEachAsync(rows, 8, async i =>
            {
                await Hub.CreateRepoAsync(clients[0], org, "model", repos[i]);
                await Hub.EnsureAsync(Hub.CommitResultAsync(clients[0], $"{org}/{repos[i]}", datasetId, 5));
            });
            await Hub.WaitForBoardAsync(reader, datasetId, rows, TimeSpan.FromSeconds(60));
            await StackServices.WaitQuietAsync(stack, TimeSpan.FromSeconds(30));
            var idle = await StackServices.IdleAsync(stack, TimeSpan.FromSeconds(5));

            // One SSE stream of the benchmark through the gateway; the first arrival of each (model, value) counts.
            var seen = new ConcurrentDictionary<(string Model, long Cents), long>();
            long sseEvents = 0;
            using var sseClient = Hub.Client(gateway, timeout: Timeout.InfiniteTimeSpan);
            using var stopReading = new CancellationTokenSource();
            using var sseResponse = await sseClient.GetAsync($"/api/events/stream?benchmark={datasetId}", HttpCompletionOption.ResponseHeadersRead);
            await Hub.EnsureAsync(sseResponse);
            var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var sseStream = await sseResponse.Content.ReadAsStreamAsync();
            var readerTask = Task.Run(async () =>
            {
                using var lines = new StreamReader(sseStream);
                try
                {
                    while (await lines.ReadLineAsync(stopReading.Token) is { } line)
                    {
                        var now = Stopwatch.GetTimestamp();
                        if (line.StartsWith(": stream open", StringComparison.Ordinal))
                        {
                            opened.TrySetResult();
                            continue;
                        }

                        if (!line.StartsWith("data:", StringComparison.Ordinal))
                        {
                            continue;
                        }

                        Interlocked.Increment(ref sseEvents);
                        using var change = JsonDocument.Parse(line.AsMemory(5));
                        var root = change.RootElement;
                        if (root.TryGetProperty("modelId", out var model) && model.ValueKind == JsonValueKind.String
                            && root.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.Number)
                        {
                            seen.TryAdd((model.GetString()!, CentsOf(value.GetDouble())), now);
                        }
                    }
                }
                catch (OperationCanceledException) when (stopReading.IsCancellationRequested)
                {
                }
                catch (IOException) when (stopReading.IsCancellationRequested)
                {
                }
            });
            if (await Task.WhenAny(opened.Task, Task.Delay(TimeSpan.FromSeconds(10))) != opened.Task)
            {
                throw new TimeoutException("the SSE stream did not open within 10 s");
            }

            // Schedule: commit k is due at k / rate, whatever the answers do.
            var total = (int)Math.Round(options.Rate * (WarmUp + options.Duration).TotalSeconds);
            var warmCount = (int)Math.Round(options.Rate * WarmUp.TotalSeconds);
            var perRepo = new int[repos.Length];
            var records = new List<CommitRecord>(total);
            var inFlight = new List<Task>(total);
            var probeBusy = 0;
            var maxLagMs = 0.0;
            var cpu = CpuMeter.For(stack);
            Console.WriteLine($"committing at {options.Rate:0.#}/s open-loop over {clientCount} clients/repos"
                + (usesProbe ? $" (every {options.PollEvery}th commit to the polled probe repo when it is free)" : "")
                + $": {WarmUp.TotalSeconds:0} s warm-up, then {options.Duration.TotalSeconds:0} s measured ...");
            var start = Stopwatch.GetTimestamp();
            var interval = Stopwatch.Frequency / options.Rate;
            for (var k = 0; k < total; k++)
            {
                var due = start + (long)(k * interval);
                var wait = due - Stopwatch.GetTimestamp();
                if (wait > Stopwatch.Frequency / 1000)
                {
                    await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
                }

                maxLagMs = Math.Max(maxLagMs, Ms(due, Stopwatch.GetTimestamp()));
                if (k == warmCount)
                {
                    cpu.Start();
                }

                var repo = k % clientCount;
                var probe = usesProbe && k % options.PollEvery == 0 && Interlocked.CompareExchange(ref probeBusy, 1, 0) == 0;
                if (probe)
                {
                    repo = repos.Length - 1;
                }

                // A new value each time, rising per repo, so every commit changes its model's row.
                var i = ++perRepo[repo];
                var record = new CommitRecord(k, repo, $"{org}/{repos[repo]}", 5 + 0.01 * (1 + (i - 1) % 9000), probe, k >= warmCount);
                records.Add(record);
                inFlight.Add(probe
                    ? ProbeAsync(record, probeClient, reader, datasetId, () => Volatile.Write(ref probeBusy, 0))
                    : CommitAsync(record, clients[repo], datasetId));
            }

            var scheduleEnd = Stopwatch.GetTimestamp();
            // Until the last answer: when commits queue up, their work goes on after the schedule ends.
            await Task.WhenAll(inFlight);
            var cpuReport = cpu.Stop();

            // Wait for the stream to deliver every answered commit's change (or give up).
            var drainDeadline = Stopwatch.GetTimestamp() + (long)(DrainTimeout.TotalSeconds * Stopwatch.Frequency);
            while (records.Any(r => r.Ok && !seen.ContainsKey((r.Model, r.Cents))) && Stopwatch.GetTimestamp() < drainDeadline)
            {
                await Task.Delay(100);
            }

            await stopReading.CancelAsync();
            sseResponse.Dispose();
            await readerTask;

            Report(options, records, seen, Interlocked.Read(ref sseEvents), start, scheduleEnd, maxLagMs, cpuReport, warmCount, usesProbe);
            Console.WriteLine("CPU of the idle stack (before committing, 5 s):");
            Console.WriteLine(idle.Describe());
            var measured = records.Where(r => r.Measured).ToList();
            return measured.All(r => r.Ok && seen.ContainsKey((r.Model, r.Cents))) ? 0 : 1;
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private static async Task CommitAsync(CommitRecord record, HttpClient client, string datasetId)
    {
        await Task.Yield();
        record.SentAt = Stopwatch.GetTimestamp();
        try
        {
            using var response = await Hub.CommitResultAsync(client, record.Model, datasetId, record.Value);
            record.AnsweredAt = Stopwatch.GetTimestamp();
            record.Ok = response.IsSuccessStatusCode;
            if (!record.Ok)
            {
                record.Error = $"{(int)response.StatusCode}";
                if (Interlocked.Exchange(ref _failureShown, 1) == 0)
                {
                    Console.WriteLine($"first failed commit: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            record.AnsweredAt = Stopwatch.GetTimestamp();
            record.Error = exception.GetType().Name;
        }
    }

    /// <summary>Set once the first failed commit's answer was printed: it usually says why the others failed.</summary>
    private static int _failureShown;

    /// <summary>Commits to the probe repo, then polls the native board until its row shows the value.</summary>
    private static async Task ProbeAsync(CommitRecord record, HttpClient client, HttpClient reader, string datasetId, Action done)
    {
        try
        {
            await CommitAsync(record, client, datasetId);
            if (!record.Ok)
            {
                return;
            }

            var deadline = record.AnsweredAt + (long)(DrainTimeout.TotalSeconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < deadline)
            {
                using var response = await reader.GetAsync(Hub.NativeBoardPath(datasetId, 1000));
                var arrived = Stopwatch.GetTimestamp();
                if (response.IsSuccessStatusCode)
                {
                    var board = await response.Content.ReadFromJsonAsync<JsonElement>();
                    foreach (var row in board.GetProperty("rows").EnumerateArray())
                    {
                        if (row.GetProperty("modelId").GetString() == record.Model && CentsOf(row.GetProperty("value").GetDouble()) == record.Cents)
                        {
                            record.BoardVisibleMs = Math.Max(0, Ms(record.AnsweredAt, arrived));
                            return;
                        }
                    }
                }

                await Task.Delay(PollInterval);
            }
        }
        finally
        {
            done();
        }
    }

    private static void Report(
        Options options,
        List<CommitRecord> records,
        ConcurrentDictionary<(string Model, long Cents), long> seen,
        long sseEvents,
        long start,
        long scheduleEnd,
        double maxLagMs,
        CpuReport cpu,
        int warmCount,
        bool usesProbe)
    {
        var measured = records.Where(r => r.Measured).ToList();
        var ok = measured.Where(r => r.Ok).ToList();
        var failed = measured.Where(r => !r.Ok).ToList();
        var firstSent = measured.Count > 0 ? measured.Min(r => r.SentAt) : start;
        var lastAnswered = measured.Count > 0 ? measured.Max(r => r.AnsweredAt) : start;
        var achieved = ok.Count / ((double)(lastAnswered - firstSent) / Stopwatch.Frequency);
        var scheduled = measured.Count / ((double)(scheduleEnd - (start + (long)(warmCount * (Stopwatch.Frequency / options.Rate)))) / Stopwatch.Frequency);

        var freshness = new List<double>();
        var fromSent = new List<double>();
        var early = 0;
        foreach (var record in ok)
        {
            if (seen.TryGetValue((record.Model, record.Cents), out var at))
            {
                var ms = Ms(record.AnsweredAt, at);
                if (ms < 0)
                {
                    early++;
                }

                freshness.Add(Math.Max(0, ms));
                fromSent.Add(Ms(record.SentAt, at));
            }
        }

        var missing = ok.Count - freshness.Count;
        var probes = ok.Where(r => r.Probe).ToList();
        var polled = probes.Where(r => r.BoardVisibleMs is not null).Select(r => r.BoardVisibleMs!.Value).ToList();
        var sorted = freshness.Order().ToArray();
        var p99 = Stats.Percentile(sorted, 0.99);

        Console.WriteLine();
        Console.WriteLine($"== freshness: eng/bench.sh freshness --rate {options.Rate:0.#} --seconds {options.Duration.TotalSeconds:0} --clients {options.Clients} --poll-every {options.PollEvery}{options.EnvironmentText}");
        Console.WriteLine($"commits measured:      {measured.Count} scheduled ({scheduled:F1}/s offered), {ok.Count} answered 200, {failed.Count} failed"
            + (failed.Count > 0 ? $" ({string.Join(", ", failed.GroupBy(r => r.Error).Select(g => $"{g.Key} x{g.Count()}"))})" : ""));
        Console.WriteLine($"achieved commit rate:  {achieved:F1}/s (200 answers / first send to last answer; target {options.Rate:0.#}/s); scheduler lag max {maxLagMs:F1} ms");
        Console.WriteLine($"commit latency:        {Stats.Describe(ok.Select(r => Ms(r.SentAt, r.AnsweredAt)))}");
        Console.WriteLine($"freshness (SSE):       {Stats.Describe(freshness)}  [200 answer -> score-changed received through the gateway; {freshness.Count} matched, {missing} never seen, {early} seen before the answer (counted 0)]");
        Console.WriteLine($"  from request sent:   {Stats.Describe(fromSent)}");
        if (usesProbe)
        {
            Console.WriteLine($"board visibility:      {Stats.Describe(polled)}  [probe commits, native board polled every {PollInterval.TotalMilliseconds:0} ms; {polled.Count} of {probes.Count} seen]");
        }

        Console.WriteLine($"SSE events received:   {sseEvents} (every changed row: rank moves included)");
        Console.WriteLine(double.IsNaN(p99)
            ? "target p99 < 500 ms:   no samples"
            : p99 < TargetP99Ms
                ? $"target p99 < 500 ms:   met (p99 {p99:F0} ms)"
                : $"target p99 < 500 ms:   MISSED by {p99 - TargetP99Ms:F0} ms (p99 {p99:F0} ms)");
        Console.WriteLine($"CPU from the first measured commit to the last answer ({cpu.WallSeconds:F1} s):");
        Console.WriteLine(cpu.Describe(measured.Count));
    }

    private static long CentsOf(double value) => (long)Math.Round(value * 100, MidpointRounding.AwayFromZero);

    private static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
}
