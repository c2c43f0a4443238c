using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using CommunityEvals.IntegrationTests.Infrastructure;
using static CommunityEvals.IntegrationTests.Leaderboards.Boards;

namespace CommunityEvals.IntegrationTests.Leaderboards;

/// <summary>
/// Live boards are served from a cache of serialized answers: every change must still show within
/// the read contract, once shown it must stay, and the gzip form must be the same document.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class BoardCacheTests(StackFixture stack)
{
    [Fact]
    public async Task A_board_read_before_each_change_shows_the_change_and_never_goes_back()
    {
        var s = await stack.CreateScenarioAsync("lbcache");
        await s.Owner.CommitResultAsync(s.Model, s.Dataset, "10");
        await NativeUntilAsync(stack.Anonymous, s.Dataset, $"1 {s.Model} 10 author");
        await HubUntilAsync(stack.Anonymous, s.Dataset, $"1 {s.Model} 10");

        foreach (var value in new[] { "20", "15", "30" })
        {
            // Warm both routes with the old board, then change it.
            await GetJsonAsync(stack.Anonymous, Native(s.Dataset));
            await GetJsonAsync(stack.Anonymous, Hub(s.Dataset));
            await s.Owner.CommitResultAsync(s.Model, s.Dataset, value);

            await NativeUntilAsync(stack.Anonymous, s.Dataset, $"1 {s.Model} {value} author");
            await HubUntilAsync(stack.Anonymous, s.Dataset, $"1 {s.Model} {value}");
            for (var read = 0; read < 5; read++)
            {
                Assert.Equal([$"1 {s.Model} {value} author"], NativeRows(await GetJsonAsync(stack.Anonymous, Native(s.Dataset))));
                Assert.Equal([$"1 {s.Model} {value}"], HubRows(await GetJsonAsync(stack.Anonymous, Hub(s.Dataset))));
            }
        }
    }

    [Fact]
    public async Task Gzip_is_sent_when_accepted_and_holds_the_same_document_and_etag()
    {
        var s = await stack.CreateScenarioAsync("lbgzip");
        // Enough rows for the answer to be worth compressing.
        var models = new List<string> { s.Model };
        for (var i = 0; i < 7; i++)
        {
            models.Add(await s.Owner.CreateRepoAsync("model", $"model-{i}", s.Org));
        }

        for (var i = 0; i < models.Count; i++)
        {
            await s.Owner.CommitResultAsync(models[i], s.Dataset, $"{10 + i}", notes: $"run with a long enough note to make the row big, {i}");
        }

        await UntilAsync(stack.Anonymous, Native(s.Dataset), board => [NativeRows(board).Count().ToString()], models.Count.ToString());

        using var raw = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = stack.Gateway };
        foreach (var uri in new[] { Native(s.Dataset), Hub(s.Dataset, "base_model=false") })
        {
            using var plain = await raw.GetAsync(uri);
            Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
            Assert.Empty(plain.Content.Headers.ContentEncoding);
            var identity = await plain.Content.ReadAsByteArrayAsync();
            Assert.True(identity.Length > 1024, $"{uri} is only {identity.Length} bytes");

            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.AcceptEncoding.ParseAdd("gzip, deflate, br");
            using var compressed = await raw.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, compressed.StatusCode);
            Assert.Equal(["gzip"], compressed.Content.Headers.ContentEncoding);
            Assert.Contains("Accept-Encoding", compressed.Headers.Vary);
            Assert.Equal(plain.Headers.ETag, compressed.Headers.ETag);
            var zipped = await compressed.Content.ReadAsByteArrayAsync();
            Assert.True(zipped.Length < identity.Length);
            using var unzip = new GZipStream(new MemoryStream(zipped), CompressionMode.Decompress);
            using var unzipped = new MemoryStream();
            await unzip.CopyToAsync(unzipped);
            Assert.Equal(identity, unzipped.ToArray());

            // A client that refuses gzip gets the plain body.
            using var refusing = new HttpRequestMessage(HttpMethod.Get, uri);
            refusing.Headers.AcceptEncoding.ParseAdd("gzip;q=0");
            using var refused = await raw.SendAsync(refusing);
            Assert.Empty(refused.Content.Headers.ContentEncoding);
            Assert.Equal(identity, await refused.Content.ReadAsByteArrayAsync());
        }

        // The native board's ETag answers 304 whatever the encoding asked for.
        using var first = await raw.GetAsync(Native(s.Dataset));
        using var conditional = new HttpRequestMessage(HttpMethod.Get, Native(s.Dataset));
        conditional.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        conditional.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var notModified = await raw.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(first.Headers.ETag, notModified.Headers.ETag);
    }
}
