using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;
using static CommunityEvals.IntegrationTests.Leaderboards.Boards;

namespace CommunityEvals.IntegrationTests.Leaderboards;

/// <summary>
/// API.md, "Benchmarks and leaderboards": the Hub board's base-model filter, the native board's
/// <c>verified</c>, <c>community</c>, <c>limit</c>, <c>offset</c>, <c>as_of</c> and its ETag.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class BoardQueryTests(StackFixture stack)
{
    private HttpClient Anonymous => stack.Anonymous;

    [Fact]
    public async Task The_hub_board_hides_fine_tunes_by_default_and_ranks_after_filtering()
    {
        var s = await stack.CreateScenarioAsync("lbbase");
        var tuned = await s.Owner.CreateRepoAsync("model", "model-tuned", s.Org);
        var small = await s.Owner.CreateRepoAsync("model", "model-small", s.Org);
        await s.Owner.CommitResultAsync(s.Model, s.Dataset, "80");
        await s.Owner.CommitResultAsync(tuned, s.Dataset, "90");
        await s.Owner.CommitResultAsync(small, s.Dataset, "70");
        await HubUntilAsync(Anonymous, s.Dataset, $"1 {tuned} 90", $"2 {s.Model} 80", $"3 {small} 70");

        await s.Owner.DeclareFineTuneAsync(tuned, $"{s.Org}/model-7b");

        await HubUntilAsync(Anonymous, s.Dataset, $"1 {s.Model} 80", $"2 {small} 70");
        foreach (var query in new[] { "base_model=true", "base_model=TRUE", "task_id=main" })
        {
            var rows = HubRows(await GetJsonAsync(Anonymous, Hub(s.Dataset, query)));
            Assert.Equal([$"1 {s.Model} 80", $"2 {small} 70"], rows);
        }

        foreach (var query in new[] { "base_model=false", "base_model=False", "task_id=main&base_model=false" })
        {
            var rows = HubRows(await GetJsonAsync(Anonymous, Hub(s.Dataset, query)));
            Assert.Equal([$"1 {tuned} 90", $"2 {s.Model} 80", $"3 {small} 70"], rows);
        }

        // The native board has no base-model filter; it says which rows are base models.
        var native = await GetJsonAsync(Anonymous, Native(s.Dataset));
        Assert.Equal([$"1 {tuned} 90 author", $"2 {s.Model} 80 author", $"3 {small} 70 author"], NativeRows(native));
        Assert.False(RowOf(native, tuned).GetProperty("baseModel").GetBoolean());
        Assert.True(RowOf(native, s.Model).GetProperty("baseModel").GetBoolean());

        using var badFlag = await Anonymous.GetAsync(Hub(s.Dataset, "base_model=perhaps"));
        Assert.Equal(HttpStatusCode.BadRequest, badFlag.StatusCode);
        using var noTask = await Anonymous.GetAsync(Hub(s.Dataset, "task_id=nope"));
        Assert.Equal(HttpStatusCode.NotFound, noTask.StatusCode);
    }

    [Fact]
    public async Task Verified_and_community_filters_apply_before_ranking()
    {
        var s = await stack.CreateScenarioAsync("lbfilter");
        var contributor = await stack.CreateUserAsync("lbfilter-c");
        var onlyPr = await s.Owner.CreateRepoAsync("model", "model-pr", s.Org);
        var last = await s.Owner.CreateRepoAsync("model", "model-last", s.Org);
        await s.Owner.CommitResultAsync(s.Model, s.Dataset, "60");
        await contributor.Client.OpenPullRequestAsync(s.Model, s.Dataset, "75");
        await contributor.Client.OpenPullRequestAsync(onlyPr, s.Dataset, "70");
        await s.Owner.CommitResultAsync(last, s.Dataset, "50");

        var all = await NativeUntilAsync(Anonymous, s.Dataset,
            $"1 {s.Model} 75 community",
            $"2 {onlyPr} 70 community",
            $"3 {last} 50 author");

        var authors = await GetJsonAsync(Anonymous, Native(s.Dataset, "community=false"));
        Assert.Equal([$"1 {s.Model} 60 author", $"2 {last} 50 author"], NativeRows(authors));
        Assert.Equal(2, authors.GetProperty("total").GetInt32());
        Assert.Equal(1, RowOf(authors, s.Model).GetProperty("resultsCount").GetInt32());
        Assert.Equal(2, RowOf(all, s.Model).GetProperty("resultsCount").GetInt32());

        // Nothing here is verified (no signed token, no evidence): verified=true keeps nothing. VerifiedTests covers verified rows.
        var verified = await GetJsonAsync(Anonymous, Native(s.Dataset, "verified=true"));
        Assert.Equal(0, verified.GetProperty("total").GetInt32());
        Assert.Empty(verified.GetProperty("rows").EnumerateArray());
        var unfiltered = await GetJsonAsync(Anonymous, Native(s.Dataset, "verified=false&community=true"));
        Assert.Equal(NativeRows(all), NativeRows(unfiltered));

        foreach (var query in new[] { "verified=yes", "community=nope" })
        {
            using var bad = await Anonymous.GetAsync(Native(s.Dataset, query));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        }

        using var noTask = await Anonymous.GetAsync(Native(s.Dataset, task: "nope"));
        Assert.Equal(HttpStatusCode.NotFound, noTask.StatusCode);
        using var noBenchmark = await Anonymous.GetAsync(Native($"{s.Org}/not-a-benchmark"));
        Assert.Equal(HttpStatusCode.NotFound, noBenchmark.StatusCode);
    }

    [Fact]
    public async Task Limit_and_offset_page_the_ranked_rows_and_total_counts_them_all()
    {
        var s = await stack.CreateScenarioAsync("lbpage");
        var models = new List<string> { s.Model };
        for (var i = 1; i < 5; i++)
        {
            models.Add(await s.Owner.CreateRepoAsync("model", $"model-{i}", s.Org));
        }

        for (var i = 0; i < models.Count; i++)
        {
            await s.Owner.CommitResultAsync(models[i], s.Dataset, (90 - i * 10).ToString(CultureInfo.InvariantCulture));
        }

        var expected = models.Select((model, i) => $"{i + 1} {model} {90 - i * 10} author").ToArray();
        await NativeUntilAsync(Anonymous, s.Dataset, expected);

        foreach (var (query, from, count) in new[]
                 {
                     ("limit=2", 0, 2),
                     ("offset=2&limit=2", 2, 2),
                     ("offset=4", 4, 1),
                     ("offset=3&limit=10", 3, 2),
                     ("offset=10", 0, 0),
                 })
        {
            var page = await GetJsonAsync(Anonymous, Native(s.Dataset, query));
            Assert.Equal(expected.Skip(from).Take(count), NativeRows(page));
            Assert.Equal(5, page.GetProperty("total").GetInt32());
        }

        foreach (var query in new[] { "limit=0", "limit=-1", "limit=two", "offset=-1" })
        {
            using var bad = await Anonymous.GetAsync(Native(s.Dataset, query));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }
    }

    [Fact]
    public async Task The_etag_answers_304_until_the_board_changes()
    {
        var s = await stack.CreateScenarioAsync("lbetag");
        var other = await s.Owner.CreateRepoAsync("model", "model-b", s.Org);
        await s.Owner.CommitResultAsync(s.Model, s.Dataset, "60");
        await NativeUntilAsync(Anonymous, s.Dataset, $"1 {s.Model} 60 author");
        var uri = Native(s.Dataset);

        string etag;
        using (var first = await Anonymous.GetAsync(uri))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            etag = first.Headers.ETag?.ToString() ?? throw new Xunit.Sdk.XunitException("no ETag on the native board");
            Assert.Matches("^(W/)?\"[^\"]+\"$", etag);
        }

        using (var again = await GetAsync(uri, etag))
        {
            Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
            Assert.Empty(await again.Content.ReadAsByteArrayAsync());
            Assert.Equal(etag, again.Headers.ETag?.ToString());
        }

        using (var weak = await GetAsync(uri, etag.StartsWith("W/") ? etag : "W/" + etag))
        {
            Assert.Equal(HttpStatusCode.NotModified, weak.StatusCode); // If-None-Match compares weakly
        }

        using (var among = await GetAsync(uri, $"\"something-else\", {etag}"))
        {
            Assert.Equal(HttpStatusCode.NotModified, among.StatusCode);
        }

        using (var stranger = await GetAsync(uri, "\"something-else\""))
        {
            Assert.Equal(HttpStatusCode.OK, stranger.StatusCode);
        }

        using (var page = await Anonymous.GetAsync(Native(s.Dataset, "limit=1&offset=1")))
        {
            Assert.NotEqual(etag, page.Headers.ETag?.ToString()); // another view, another body
        }

        // The board changes: the old tag no longer matches.
        await s.Owner.CommitResultAsync(other, s.Dataset, "70");
        var changed = await Eventually.GetAsync(async () =>
        {
            using var response = await GetAsync(uri, etag);
            return response.StatusCode == HttpStatusCode.OK
                ? new { Tag = response.Headers.ETag?.ToString(), Rows = NativeRows(await response.Content.ReadJsonAsync()).ToList() }
                : null;
        }, "the board to change under the old ETag");
        Assert.Equal([$"1 {other} 70 author", $"2 {s.Model} 60 author"], changed.Rows);
        Assert.NotNull(changed.Tag);
        Assert.NotEqual(etag, changed.Tag);
        using (var fresh = await GetAsync(uri, changed.Tag!))
        {
            Assert.Equal(HttpStatusCode.NotModified, fresh.StatusCode);
        }
    }

    [Fact]
    public async Task As_of_shows_the_board_from_the_events_stored_until_then()
    {
        var beforeBenchmark = DateTimeOffset.UtcNow;
        await Task.Delay(300);
        var s = await stack.CreateScenarioAsync("lbasof");
        var contributor = await stack.CreateUserAsync("lbasof-c");
        var other = await s.Owner.CreateRepoAsync("model", "model-b", s.Org);
        await s.Owner.CommitResultAsync(s.Model, s.Dataset, "60");
        var early = await NativeUntilAsync(Anonymous, s.Dataset, $"1 {s.Model} 60 author");

        await Task.Delay(300);
        var between = DateTimeOffset.UtcNow;
        await Task.Delay(300);

        await s.Owner.CommitResultAsync(other, s.Dataset, "70");
        await contributor.Client.OpenPullRequestAsync(s.Model, s.Dataset, "80");
        var live = await NativeUntilAsync(Anonymous, s.Dataset, $"1 {s.Model} 80 community", $"2 {other} 70 author");
        var otherResult = RowOf(live, other).GetProperty("resultId").GetString()!;

        await Task.Delay(300);
        var afterChanges = DateTimeOffset.UtcNow;
        await Task.Delay(300);
        await s.Owner.HideAsync(otherResult);
        await NativeUntilAsync(Anonymous, s.Dataset, $"1 {s.Model} 80 community");

        // Before the change: only the first result.
        var then = await GetJsonAsync(Anonymous, Native(s.Dataset, $"as_of={Iso(between)}"));
        Assert.Equal([$"1 {s.Model} 60 author"], NativeRows(then));
        Assert.Equal(1, then.GetProperty("total").GetInt32());
        Assert.Equal(between, then.GetProperty("asOf").GetDateTimeOffset());
        var row = RowOf(then, s.Model);
        var liveRow = RowOf(early, s.Model);
        foreach (var field in new[] { "resultId", "resultsCount", "disputed", "verified", "baseModel" })
        {
            Assert.Equal(liveRow.GetProperty(field).GetRawText(), row.GetProperty(field).GetRawText());
        }

        Assert.Equal(liveRow.GetProperty("updatedAt").GetDateTimeOffset(), row.GetProperty("updatedAt").GetDateTimeOffset());

        // After the commit and the pull request, before the hiding: the hidden result still shows.
        var later = await GetJsonAsync(Anonymous, Native(s.Dataset, $"as_of={Iso(afterChanges)}"));
        Assert.Equal([$"1 {s.Model} 80 community", $"2 {other} 70 author"], NativeRows(later));
        Assert.Equal(2, RowOf(later, s.Model).GetProperty("resultsCount").GetInt32());

        // Now: as the live board; filters and paging apply to the past too.
        var now = await GetJsonAsync(Anonymous, Native(s.Dataset, $"as_of={Iso(DateTimeOffset.UtcNow.AddSeconds(1))}"));
        Assert.Equal([$"1 {s.Model} 80 community"], NativeRows(now));
        var authorsThen = await GetJsonAsync(Anonymous, Native(s.Dataset, $"as_of={Iso(afterChanges)}&community=false&limit=1"));
        Assert.Equal([$"1 {other} 70 author"], NativeRows(authorsThen));
        Assert.Equal(2, authorsThen.GetProperty("total").GetInt32());

        // The same time written with another offset.
        var offsetText = between.ToOffset(TimeSpan.FromHours(2)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture);
        var withOffset = await GetJsonAsync(Anonymous, Native(s.Dataset, $"as_of={Uri.EscapeDataString(offsetText)}"));
        Assert.Equal([$"1 {s.Model} 60 author"], NativeRows(withOffset));

        // Before the benchmark was registered there was no board.
        using var none = await Anonymous.GetAsync(Native(s.Dataset, $"as_of={Iso(beforeBenchmark)}"));
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        using var bad = await Anonymous.GetAsync(Native(s.Dataset, "as_of=yesterday"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private static string Iso(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private Task<HttpResponseMessage> GetAsync(string uri, string ifNoneMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        return Anonymous.SendAsync(request);
    }
}

internal static class ContentJson
{
    public static async Task<JsonElement> ReadJsonAsync(this HttpContent content) =>
        JsonDocument.Parse(await content.ReadAsStringAsync()).RootElement.Clone();
}
