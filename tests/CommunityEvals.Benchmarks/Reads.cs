using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using CommunityEvals.TestStack;

namespace CommunityEvals.Benchmarks;

/// <summary>
/// Board reads under load: a board of <c>--models</c> rows (one result committed to each of as many
/// model repos), then the whole board (<c>?limit=</c> all rows) read by <c>--connections</c>
/// concurrent connections, first through the gateway, then straight from the leaderboard-projection
/// service, to show what the gateway costs. Targets: 5,000 req/s through the gateway, and the
/// gateway at least 60% of direct.
/// </summary>
public static class Reads
{
    public static readonly Options Defaults = new(16, TimeSpan.FromSeconds(15)) { Models = 1000, Connections = 32, Route = "native" };

    public static readonly string[] Allowed = ["--models", "--connections", "--seconds", "--route", "--clients", "--conditional", "--gzip", "--env"];

    private const double TargetPerSecond = 5000;
    private const double TargetRatio = 0.60;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    public static async Task<int> RunAsync(Options options)
    {
        if (options.Models < 1)
        {
            throw new ArgumentException("--models must be positive");
        }

        if (options.Conditional && options.Route == "hub")
        {
            throw new ArgumentException("--conditional needs --route native: the Hub board has no ETag");
        }

        Console.WriteLine("starting the stack (the AppHost on Aspire's testing host: private PostgreSQL, RabbitMQ, the services) ...");
        await using var stack = await Stack.StartAsync(new StackOptions { ServiceEnvironment = StackOptions.WithoutCallerLimits(options.Environment) });
        var (datasetId, anonymous) = await SetUpBoardAsync(stack, options.Models, options.Clients);
        using var _ = anonymous;
        var gateway = stack.Gateway;
        var busy = await StackServices.WaitQuietAsync(stack, TimeSpan.FromSeconds(60));
        var idle = await StackServices.IdleAsync(stack, TimeSpan.FromSeconds(5));
        Console.WriteLine($"  services settled ({busy:F2} cores busy)");

        var direct = stack.ServiceUrl("leaderboard-projection");
        Console.WriteLine($"leaderboard-projection answers at {direct}");

        var path = options.Route == "hub"
            ? $"/api/datasets/{datasetId}/leaderboard"
            : Hub.NativeBoardPath(datasetId, options.Models);
        using var probe = new HttpRequestMessage(HttpMethod.Get, path);
        if (options.Gzip)
        {
            probe.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        }

        using var probed = await anonymous.SendAsync(probe);
        var bytes = (await probed.Content.ReadAsByteArrayAsync()).Length;
        var encoding = probed.Content.Headers.ContentEncoding.FirstOrDefault() ?? "identity";
        Console.WriteLine($"reading GET {path} ({bytes / 1024.0:F0} KiB a response) with {options.Connections} connections, both routes warmed first, then {WarmUp.TotalSeconds:0} s warm-up and {options.Duration.TotalSeconds:0} s each ...");

        // Both routes are read for a while before either is measured: the service compiles its read
        // path to its final (tier-1) code during whichever run comes first, which would charge that
        // compiling to the gateway's figures and spare the direct ones.
        await HammerAsync(stack, gateway, path, options, WarmUp);
        await HammerAsync(stack, direct, path, options, WarmUp);
        var (viaGateway, gatewayCpu, shared) = await HammerAsync(stack, gateway, path, options, options.Duration);
        var (straight, directCpu, _) = await HammerAsync(stack, direct, path, options, options.Duration);

        var ratio = viaGateway.PerSecond / straight.PerSecond;
        Console.WriteLine();
        Console.WriteLine($"== reads: eng/bench.sh reads --models {options.Models} --connections {options.Connections} --seconds {options.Duration.TotalSeconds:0} --route {options.Route}{(options.Conditional ? " --conditional yes" : "")}{(options.Gzip ? " --gzip yes" : "")}{options.EnvironmentText}");
        Console.WriteLine($"request:               GET {path}, {bytes} bytes ({encoding}), {options.Models} rows"
            + (options.Conditional ? "; with If-None-Match: the current ETag (every answer a 304, no body)" : ""));
        string Volume(Latencies.Summary summary) => options.Conditional ? "304s, no body" : $"{summary.PerSecond * bytes / 1048576:F0} MiB/s";
        Console.WriteLine($"through the gateway:   {viaGateway}, {Volume(viaGateway)}");
        Console.WriteLine(Invariant($"                       {shared / (double)Math.Max(1, viaGateway.Operations):P0} of them shared an exchange with the service (Cache-Status: collapsed), the rest made one"));
        Console.WriteLine($"straight to service:   {straight}, {Volume(straight)}  ({direct})");
        Console.WriteLine(Invariant($"gateway / direct:      {ratio:P0}"));
        Console.WriteLine(viaGateway.PerSecond >= TargetPerSecond
            ? $"target >= 5,000 req/s through the gateway: met ({viaGateway.PerSecond:F0}/s)"
            : Invariant($"target >= 5,000 req/s through the gateway: MISSED by {TargetPerSecond - viaGateway.PerSecond:F0} req/s (reached {viaGateway.PerSecond / TargetPerSecond:P0} of it)"));
        Console.WriteLine(ratio >= TargetRatio
            ? Invariant($"target gateway >= 60% of direct: met ({ratio:P0})")
            : Invariant($"target gateway >= 60% of direct: MISSED by {(TargetRatio - ratio) * 100:F0} points ({ratio:P0})"));
        Console.WriteLine("CPU of the idle stack (before reading, 5 s):");
        Console.WriteLine(idle.Describe());
        Console.WriteLine("CPU while reading through the gateway:");
        Console.WriteLine(gatewayCpu.Describe(viaGateway.Operations));
        Console.WriteLine("CPU while reading straight from the service:");
        Console.WriteLine(directCpu.Describe(straight.Operations));
        return viaGateway.Failures == 0 && straight.Failures == 0 ? 0 : 1;
    }

    /// <summary>A benchmark whose board has <paramref name="models"/> rows (one result committed to each of as many model repos), once the board shows them all; and an anonymous client of the gateway.</summary>
    public static async Task<(string DatasetId, HttpClient Anonymous)> SetUpBoardAsync(Stack stack, int models, int clients)
    {
        var gateway = stack.Gateway;
        var (org, token) = await Hub.CreateOrgOwnerAsync(gateway, stack.AdminToken);
        using var owner = Hub.Client(gateway, token);
        var datasetId = await Hub.RegisterBenchmarkAsync(owner, org, "bench");

        Console.WriteLine($"setting up {datasetId}: {models} model repos with one result each ({clients} at a time) ...");
        var setup = System.Diagnostics.Stopwatch.StartNew();
        var random = new Random(7);
        // Committed best first, so each new model lands near the bottom of the board: in random order
        // every insert would move about half the rows, hundreds of thousands of ScoreChanged messages
        // still being published while the reads are measured. The board read is the same either way.
        var values = Enumerable.Range(0, models).Select(_ => Math.Round(random.NextDouble() * 100, 2)).OrderDescending().ToArray();
        await Hub.ForEachAsync(models, clients, async i =>
        {
            var name = $"model-{i:D5}";
            await Hub.CreateRepoAsync(owner, org, "model", name);
            await Hub.EnsureAsync(Hub.CommitResultAsync(owner, $"{org}/{name}", datasetId, values[i]));
        });
        var anonymous = Hub.Client(gateway);
        await Hub.WaitForBoardAsync(anonymous, datasetId, models, TimeSpan.FromMinutes(5));
        Console.WriteLine($"  board has {models} rows after {setup.Elapsed.TotalSeconds:F1} s");
        return (datasetId, anonymous);
    }

    private static async Task<(Latencies.Summary Summary, CpuReport Cpu, int Shared)> HammerAsync(Stack stack, Uri baseAddress, string path, Options options, TimeSpan duration)
    {
        using var client = Hub.Client(baseAddress, maxConnections: options.Connections);
        var buffers = Enumerable.Range(0, options.Connections).Select(_ => new byte[64 * 1024]).ToArray();
        EntityTagHeaderValue? etag = null;
        var shared = 0;
        if (options.Conditional)
        {
            using var first = await client.GetAsync(path);
            await Hub.EnsureAsync(first);
            etag = first.Headers.ETag ?? throw new InvalidOperationException($"{path} answered without an ETag");
        }

        async Task<bool> ReadAsync(int worker, int _)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                if (etag is not null)
                {
                    request.Headers.IfNoneMatch.Add(etag);
                }

                if (options.Gzip)
                {
                    request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
                }

                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                if (response.Headers.TryGetValues("Cache-Status", out var cacheStatus) && cacheStatus.Any(value => value.EndsWith("; collapsed", StringComparison.Ordinal)))
                {
                    Interlocked.Increment(ref shared);
                }

                await using var body = await response.Content.ReadAsStreamAsync();
                while (await body.ReadAsync(buffers[worker]) > 0)
                {
                }

                return etag is null ? response.IsSuccessStatusCode : response.StatusCode == HttpStatusCode.NotModified;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
            {
                return false;
            }
        }

        await Latencies.MeasureAsync(options.Connections, WarmUp, ReadAsync);
        await StackServices.WaitQuietAsync(stack, TimeSpan.FromSeconds(30));
        var cpu = CpuMeter.For(stack).Start();
        Interlocked.Exchange(ref shared, 0);
        var summary = await Latencies.MeasureAsync(options.Connections, duration, ReadAsync);
        return (summary, cpu.Stop(), shared);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
