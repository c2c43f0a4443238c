using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;
using static CommunityEvals.IntegrationTests.Leaderboards.Boards;

namespace CommunityEvals.IntegrationTests.Leaderboards;

/// <summary>
/// The gateway keeps a copy of each board answer and sends it again only when the service has just
/// confirmed it (RFC 9111 revalidation, reported in RFC 9211's <c>Cache-Status</c>): a board read
/// through the gateway must be as fresh as one read from the service, and every client must get
/// its own answer (encoding, identity, validators).
/// </summary>
[Collection(StackCollection.Name)]
public sealed class GatewayCacheTests(StackFixture stack)
{
    [Fact]
    public async Task A_stored_board_is_sent_only_after_the_service_confirms_it_and_a_change_replaces_it()
    {
        var s = await stack.CreateScenarioAsync("gwcache");
        await s.Owner.CommitResultAsync(s.Model, s.Dataset, "10");
        await NativeUntilAsync(stack.Anonymous, s.Dataset, $"1 {s.Model} 10 author");

        var (status, body) = await ReadAsync(stack.Anonymous, Native(s.Dataset));
        Assert.StartsWith("gateway; fwd=", status);
        var (confirmed, again) = await ReadAsync(stack.Anonymous, Native(s.Dataset));
        Assert.Equal("gateway; fwd=stale; fwd-status=304", confirmed);
        Assert.Equal(body, again);

        await s.Owner.CommitResultAsync(s.Model, s.Dataset, "20");
        await UntilAsync(stack.Anonymous, Native(s.Dataset), board => NativeRows(board), $"1 {s.Model} 20 author");
        var (replaced, changed) = await ReadAsync(stack.Anonymous, Native(s.Dataset));
        Assert.Equal("gateway; fwd=stale; fwd-status=304", replaced);
        Assert.Equal([$"1 {s.Model} 20 author"], NativeRows(JsonDocument.Parse(changed).RootElement));

        // The first read after the change must have had the new board from the service, and stored it.
        await s.Owner.CommitResultAsync(s.Model, s.Dataset, "30");
        string? storedChange = null;
        for (var attempt = 0; attempt < 200 && storedChange is null; attempt++)
        {
            var (polled, text) = await ReadAsync(stack.Anonymous, Native(s.Dataset));
            var rows = NativeRows(JsonDocument.Parse(text).RootElement).ToList();
            if (rows.SequenceEqual([$"1 {s.Model} 30 author"]))
            {
                storedChange = polled;
            }
            else
            {
                Assert.Equal([$"1 {s.Model} 20 author"], rows);
                Assert.Equal("gateway; fwd=stale; fwd-status=304", polled);
                await Task.Delay(50);
            }
        }

        Assert.Equal("gateway; fwd=stale; fwd-status=200; stored", storedChange);
    }

    [Fact]
    public async Task Clients_with_their_own_validators_or_identity_are_answered_by_the_service_alone()
    {
        var s = await stack.CreateScenarioAsync("gwbypass");
        await s.Owner.CommitResultAsync(s.Model, s.Dataset, "10");
        await NativeUntilAsync(stack.Anonymous, s.Dataset, $"1 {s.Model} 10 author");
        using var warm = await stack.Anonymous.GetAsync(Native(s.Dataset));
        Assert.NotNull(warm.Headers.ETag);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, Native(s.Dataset));
        conditional.Headers.IfNoneMatch.Add(warm.Headers.ETag!);
        using var notModified = await stack.Anonymous.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.False(notModified.Headers.Contains("Cache-Status"));

        using var stale = new HttpRequestMessage(HttpMethod.Get, Native(s.Dataset));
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"not-the-board\""));
        using var full = await stack.Anonymous.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        Assert.False(full.Headers.Contains("Cache-Status"));

        using var signedIn = await s.Owner.GetAsync(Native(s.Dataset));
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.False(signedIn.Headers.Contains("Cache-Status"));
        Assert.Equal(await warm.Content.ReadAsStringAsync(), await signedIn.Content.ReadAsStringAsync());

        // What the gateway cannot store (a board that is not there) is never shared either.
        var missing = $"/api/leaderboards/{s.Org}/no-such-bench/main";
        for (var read = 0; read < 3; read++)
        {
            using var notFound = await stack.Anonymous.GetAsync(missing);
            Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
            Assert.Equal("application/problem+json", notFound.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Under_concurrent_readers_a_board_the_service_shows_is_what_the_gateway_sends_next()
    {
        var s = await stack.CreateScenarioAsync("gwcollapse");
        await s.Owner.CommitResultAsync(s.Model, s.Dataset, "1");
        await NativeUntilAsync(stack.Anonymous, s.Dataset, $"1 {s.Model} 1 author");
        using var direct = new HttpClient { BaseAddress = stack.ServiceUrl("leaderboard-projection") };

        // Readers keep exchanges for the board on their way all the time, so most reads share one.
        var statuses = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                statuses.Add((await ReadAsync(stack.Anonymous, Native(s.Dataset))).CacheStatus);
            }
        })).ToList();

        var checks = 0;
        for (var value = 2; value <= 11; value++)
        {
            await s.Owner.CommitResultAsync(s.Model, s.Dataset, value.ToString(CultureInfo.InvariantCulture));
            while (TopValue(await GetJsonAsync(direct, Native(s.Dataset))) != value)
            {
                await Task.Delay(5);
            }

            // The service shows the new board: an exchange begun before that may not answer this read.
            for (var read = 0; read < 5; read++, checks++)
            {
                var (status, text) = await ReadAsync(stack.Anonymous, Native(s.Dataset));
                Assert.True(TopValue(JsonDocument.Parse(text).RootElement) == value, $"after the service showed {value} the gateway sent {text} ({status})");
            }
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.Equal(50, checks);
        Assert.Contains(statuses, status => status.EndsWith("; collapsed", StringComparison.Ordinal));
    }

    private static int TopValue(JsonElement board) => (int)board.GetProperty("rows")[0].GetProperty("value").GetDouble();

    private static async Task<(string CacheStatus, string Body)> ReadAsync(HttpClient client, string uri)
    {
        using var response = await client.GetAsync(uri);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(response.Headers.Date);
        var status = response.Headers.TryGetValues("Cache-Status", out var values) ? string.Join(", ", values) : "";
        return (status, await response.Content.ReadAsStringAsync());
    }
}
