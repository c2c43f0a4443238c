using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;

namespace CommunityEvals.IntegrationTests.Security;

/// <summary>
/// ACCESS.md "Limits on callers", with the gateway's configured defaults: writes 20 a second per token
/// (bursts of 100), evidence uploads 2 a second per token, anonymous reads 200 a second per address
/// (bursts of 1,000), the admin not limited; over the rate, 429 with Retry-After and a problem document.
/// </summary>
[Collection(DefaultLimitsCollection.Name)]
public sealed class RateLimitTests(DefaultLimitsStackFixture stack)
{
    [Fact]
    public async Task Writes_past_a_burst_of_100_at_20_a_second_per_token_are_answered_429()
    {
        var (_, _, client) = await stack.CreateUserAsync("limwrite");

        // An invalid repo: answered at once, changing nothing.
        var flood = await FloodAsync(client, () => Post("/api/repos/create", new { }), max: 1000, concurrency: 8);

        AssertLimited(flood, burst: 100, perSecond: 20);
        // Another token is counted apart.
        var (_, _, other) = await stack.CreateUserAsync("limwrite2");
        using var fresh = await other.SendAsync(Post("/api/repos/create", new { }));
        Assert.NotEqual(HttpStatusCode.TooManyRequests, fresh.StatusCode);
    }

    [Fact]
    public async Task Evidence_uploads_past_2_a_second_per_token_are_answered_429()
    {
        var (_, _, client) = await stack.CreateUserAsync("limevidence");
        var (_, _, other) = await stack.CreateUserAsync("limevidence2");
        const string upload = "/api/results/0123456789abcdef0123456789abcdef/evidence";

        // At once: the service waits a few seconds for a result it does not know yet, so one at a time would stay under the rate.
        var flood = await FloodAsync(client, () => new HttpRequestMessage(HttpMethod.Post, upload) { Content = new ByteArrayContent([1, 2, 3]) },
            max: 8, concurrency: 8);
        using var otherToken = await other.PostAsync(upload, new ByteArrayContent([1, 2, 3]));

        AssertLimited(flood, burst: 2, perSecond: 2);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, otherToken.StatusCode);
    }

    [Fact]
    public async Task Anonymous_reads_past_a_burst_of_1000_are_answered_429_per_address_while_tokens_count_apart()
    {
        var (_, token, _) = await stack.CreateUserAsync("limread");
        using var anonymous = ClientFrom("127.0.0.3", token: null);
        using var elsewhere = ClientFrom("127.0.0.4", token: null);
        using var signedIn = ClientFrom("127.0.0.3", token);
        static HttpRequestMessage Read() => new(HttpMethod.Get, "/.well-known/jwks.json");

        // One after the other: each starts while the address before it is still over its rate, and
        // still gets a whole burst of its own.
        var fromOneAddress = await FloodAsync(anonymous, Read, max: 10_000, concurrency: 16);
        var fromAnother = await FloodAsync(elsewhere, Read, max: 10_000, concurrency: 16);
        var withAToken = await FloodAsync(signedIn, Read, max: 10_000, concurrency: 16);

        AssertLimited(fromOneAddress, burst: 1000, perSecond: 200);
        AssertLimited(fromAnother, burst: 1000, perSecond: 200);
        // Signed-in reads are counted per token, at the same rate (ACCESS.md leaves it open; docs/ACCESS.md says so).
        AssertLimited(withAToken, burst: 1000, perSecond: 200);
    }

    [Fact]
    public async Task The_admin_token_is_not_limited()
    {
        // Three times the burst of writes, faster than they refill: any other token would be refused.
        var flood = await FloodAsync(stack.Admin, () => Post("/api/users", new { }), max: 300, concurrency: 8);

        Assert.Null(flood.FirstLimited);
        Assert.Equal(300, flood.Admitted);
    }

    [Fact]
    public async Task The_api_calls_made_for_a_page_count_against_its_visitor_not_against_the_web_services_address()
    {
        // The web service calls the gateway at localhost, from 127.0.0.1 or ::1: keep both addresses
        // over their rate (a bucket gets 200 more each second) while a visitor opens pages.
        using var visitor = ClientFrom("127.0.0.7", token: null);
        using var v4 = ClientFrom("127.0.0.1", token: null);
        using var v6 = ClientFrom("::1", token: null);
        using var stop = new CancellationTokenSource();
        var refused = new[] { new TaskCompletionSource(), new TaskCompletionSource() };
        var floods = new[] { v4, v6 }.SelectMany((client, i) => Enumerable.Range(0, 4).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await client.GetAsync("/.well-known/jwks.json", CancellationToken.None);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    refused[i].TrySetResult();
                }
            }
        })).ToList();
        try
        {
            await Task.WhenAll(refused.Select(r => r.Task)).WaitAsync(TimeSpan.FromSeconds(60));
            for (var i = 0; i < 3; i++)
            {
                // Had the page's calls counted against the web service's address, they would be refused
                // now: the model page of a missing model would be 429 instead of the API's 404.
                using var page = await visitor.GetAsync("/nobody-here/no-model");
                var html = await page.Content.ReadAsStringAsync();
                Assert.True(page.StatusCode == HttpStatusCode.NotFound, $"{(int)page.StatusCode} {html[..Math.Min(html.Length, 300)]}");
                Assert.Contains("Not found", html);
                await Task.Delay(300);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(floods);
        }

        // The other tests' anonymous reads come from these addresses as well: let their buckets fill again (1,000 at 200 a second).
        await Task.Delay(TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task Health_probes_are_not_callers()
    {
        using var client = ClientFrom("127.0.0.5", token: null);

        var flood = await FloodAsync(client, () => new HttpRequestMessage(HttpMethod.Get, "/alive"), max: 1500, concurrency: 16);

        Assert.Null(flood.FirstLimited);
    }

    private sealed record Limited(HttpStatusCode Status, string? RetryAfter, string? ContentType, string Body);

    private sealed record Flood(int Admitted, Limited? FirstLimited, TimeSpan Elapsed);

    /// <summary>Sends until the first 429 (or <paramref name="max"/> requests), <paramref name="concurrency"/> at a time.</summary>
    private static async Task<Flood> FloodAsync(HttpClient client, Func<HttpRequestMessage> request, int max, int concurrency)
    {
        var sent = 0;
        var admitted = 0;
        Limited? first = null;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Volatile.Read(ref first) is null && Interlocked.Increment(ref sent) <= max)
            {
                using var message = request();
                using var response = await client.SendAsync(message);
                if (response.StatusCode != HttpStatusCode.TooManyRequests)
                {
                    Interlocked.Increment(ref admitted);
                    continue;
                }

                var limited = new Limited(response.StatusCode, response.Headers.RetryAfter?.ToString(),
                    response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
                Interlocked.CompareExchange(ref first, limited, null);
            }
        }));
        return new Flood(admitted, first, clock.Elapsed);
    }

    private static void AssertLimited(Flood flood, int burst, int perSecond)
    {
        Assert.True(flood.FirstLimited is not null, $"no 429 after {flood.Admitted} requests in {flood.Elapsed.TotalSeconds:F1} s");
        // The whole burst passes; past it, at most what refilled meanwhile (requests in flight when the first 429 came included).
        Assert.True(flood.Admitted >= burst, $"429 after only {flood.Admitted} requests (burst: {burst})");
        var refilled = perSecond * (int)Math.Ceiling(flood.Elapsed.TotalSeconds + 1);
        Assert.True(flood.Admitted <= burst + refilled + 16, $"{flood.Admitted} requests passed in {flood.Elapsed.TotalSeconds:F1} s (burst {burst}, {perSecond}/s)");

        var limited = flood.FirstLimited!;
        Assert.True(int.TryParse(limited.RetryAfter, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds >= 1,
            $"Retry-After: '{limited.RetryAfter}'");
        Assert.Contains("json", limited.ContentType);
        using var problem = JsonDocument.Parse(limited.Body);
        Assert.Equal(429, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains("retry after", problem.RootElement.GetProperty("error").GetString());
    }

    private static HttpRequestMessage Post<T>(string path, T body) => new(HttpMethod.Post, path) { Content = JsonContent.Create(body) };

    /// <summary>A client whose connections come from <paramref name="address"/> (any 127.x address is this machine), so its address is counted apart.</summary>
    private HttpClient ClientFrom(string address, string? token)
    {
        var local = IPAddress.Parse(address);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(local.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    var loopback = local.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback;
                    await socket.ConnectAsync(new IPEndPoint(loopback, context.DnsEndPoint.Port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return stack.Client(token, handler);
    }
}
