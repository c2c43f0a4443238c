using System.Globalization;
using System.Net.Http.Headers;
using CommunityEvals.TestStack;

namespace CommunityEvals.Benchmarks;

/// <summary>
/// The board page of <c>--models</c> rows through the gateway (the web service renders it from the
/// JSON board, read through the gateway too), beside the JSON board route in the same run: bytes
/// compressed, p50 and p99, requests per second with <c>--connections</c> connections. Targets
/// (PAGES.md): under 300 KB compressed, p50 under 100 ms on a quiet machine.
/// </summary>
public static class Pages
{
    public static readonly Options Defaults = new(16, TimeSpan.FromSeconds(15)) { Models = 1000, Connections = 16 };

    public static readonly string[] Allowed = ["--models", "--connections", "--seconds", "--clients", "--env"];

    private const int TargetBytes = 300 * 1000;
    private const double TargetP50Ms = 100;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    public static async Task<int> RunAsync(Options options)
    {
        Console.WriteLine("starting the stack (the AppHost on Aspire's testing host: private PostgreSQL, RabbitMQ, the services) ...");
        await using var stack = await Stack.StartAsync(new StackOptions { ServiceEnvironment = StackOptions.WithoutCallerLimits(options.Environment) });
        var (datasetId, anonymous) = await Reads.SetUpBoardAsync(stack, options.Models, options.Clients);
        using var _ = anonymous;
        await StackServices.WaitQuietAsync(stack, TimeSpan.FromSeconds(60));

        var page = $"/datasets/{datasetId}";
        var json = Hub.NativeBoardPath(datasetId, options.Models);
        var (pageBytes, pageRaw) = await SizesAsync(anonymous, page);
        var (jsonBytes, jsonRaw) = await SizesAsync(anonymous, json);

        Console.WriteLine($"reading the page and the JSON board, {options.Connections} connections, {WarmUp.TotalSeconds:0} s warm-up each, then {options.Duration.TotalSeconds:0} s each ...");
        await ReadAsync(stack.Gateway, page, options.Connections, WarmUp);
        await ReadAsync(stack.Gateway, json, options.Connections, WarmUp);
        var pages = await ReadAsync(stack.Gateway, page, options.Connections, options.Duration);
        await StackServices.WaitQuietAsync(stack, TimeSpan.FromSeconds(30));
        var boards = await ReadAsync(stack.Gateway, json, options.Connections, options.Duration);
        // One request at a time: the latency of a page on a quiet machine, which the target is about.
        var single = await ReadAsync(stack.Gateway, page, 1, options.Duration);

        Console.WriteLine();
        Console.WriteLine($"== pages: eng/bench.sh pages --models {options.Models} --connections {options.Connections} --seconds {options.Duration.TotalSeconds:0}{options.EnvironmentText}");
        Console.WriteLine($"page:        GET {page}: {pageBytes:N0} bytes gzip ({pageRaw:N0} uncompressed), {options.Models} rows");
        Console.WriteLine($"JSON board:  GET {json}: {jsonBytes:N0} bytes gzip ({jsonRaw:N0} uncompressed)");
        Console.WriteLine($"page, {options.Connections} connections:       {pages}");
        Console.WriteLine($"JSON board, {options.Connections} connections: {boards}");
        Console.WriteLine(Invariant($"page / JSON board:     {pages.PerSecond / boards.PerSecond:P0} of the requests per second"));
        Console.WriteLine($"page, one at a time:   {single}");
        Console.WriteLine(pageBytes < TargetBytes ? $"target < 300 KB compressed: met ({pageBytes / 1000.0:F0} KB)" : $"target < 300 KB compressed: MISSED ({pageBytes / 1000.0:F0} KB)");
        Console.WriteLine(single.P50Ms < TargetP50Ms ? Invariant($"target p50 < 100 ms: met ({single.P50Ms:F1} ms)") : Invariant($"target p50 < 100 ms: MISSED ({single.P50Ms:F1} ms)"));
        return pages.Failures == 0 && boards.Failures == 0 ? 0 : 1;
    }

    /// <summary>The answer's size as sent with gzip, and as it is.</summary>
    private static async Task<(int Gzip, int Raw)> SizesAsync(HttpClient client, string path)
    {
        using var compressed = new HttpRequestMessage(HttpMethod.Get, path);
        compressed.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var answer = await client.SendAsync(compressed);
        await Hub.EnsureAsync(answer);
        var gzip = (await answer.Content.ReadAsByteArrayAsync()).Length;
        var raw = (await client.GetByteArrayAsync(path)).Length;
        return (gzip, raw);
    }

    private static async Task<Latencies.Summary> ReadAsync(Uri gateway, string path, int connections, TimeSpan duration)
    {
        using var client = Hub.Client(gateway, maxConnections: connections);
        var buffers = Enumerable.Range(0, connections).Select(_ => new byte[64 * 1024]).ToArray();
        return await Latencies.MeasureAsync(connections, duration, async (worker, _) =>
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                await using var body = await response.Content.ReadAsStreamAsync();
                while (await body.ReadAsync(buffers[worker]) > 0)
                {
                }

                return response.IsSuccessStatusCode;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
            {
                return false;
            }
        });
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
