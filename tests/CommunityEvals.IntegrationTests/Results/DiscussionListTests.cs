using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;
using CommunityEvals.IntegrationTests.Leaderboards;

namespace CommunityEvals.IntegrationTests.Results;

/// <summary>
/// The discussion list as <c>huggingface_hub</c>'s <c>get_repo_discussions</c> reads it: pages asked
/// for with <c>?p=N</c> (it stops when <c>start</c> plus the page reaches <c>count</c>), filtered by
/// <c>type</c>, <c>status</c> and <c>author</c>.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class DiscussionListTests(StackFixture stack)
{
    [Fact]
    public async Task Pages_follow_p_and_the_filters_apply_before_paging()
    {
        var s = await stack.CreateScenarioAsync("pages");
        var author = await stack.CreateUserAsync("pager");
        var numbers = new List<int>();
        for (var i = 0; i < 52; i++)
        {
            numbers.Add(await (i < 2 ? s.Owner : author.Client).OpenPullRequestAsync(s.Model, s.Dataset, $"{50 + i % 10}", $"pr{i}.yaml"));
        }

        await s.Owner.SetPullRequestStatusAsync(s.Model, numbers[0], "closed");

        var first = await ListAsync(s.Model, "", until: page => page.GetProperty("count").GetInt32() == 52 && page.GetProperty("numClosedDiscussions").GetInt32() == 1);
        Assert.Equal(52, first.GetProperty("count").GetInt32());
        Assert.Equal(0, first.GetProperty("start").GetInt32());
        Assert.Equal(50, first.GetProperty("discussions").GetArrayLength());
        var second = await ListAsync(s.Model, "?p=1");
        Assert.Equal(50, second.GetProperty("start").GetInt32());
        Assert.Equal(2, second.GetProperty("discussions").GetArrayLength());
        var all = first.GetProperty("discussions").EnumerateArray().Concat(second.GetProperty("discussions").EnumerateArray())
            .Select(d => d.GetProperty("num").GetInt32()).ToList();
        Assert.Equal(numbers.OrderDescending(), all);

        var closed = await ListAsync(s.Model, "?status=closed&p=0");
        Assert.Equal([numbers[0]], closed.GetProperty("discussions").EnumerateArray().Select(d => d.GetProperty("num").GetInt32()));
        var byAuthor = await ListAsync(s.Model, $"?author={s.OwnerName}&type=pull_request");
        Assert.Equal(2, byAuthor.GetProperty("count").GetInt32());
        var plain = await ListAsync(s.Model, "?type=discussion");
        Assert.Equal(0, plain.GetProperty("count").GetInt32());
        var open = await ListAsync(s.Model, "?status=open&p=1");
        Assert.Equal(51, open.GetProperty("count").GetInt32());
        Assert.Equal(1, open.GetProperty("discussions").GetArrayLength());

        foreach (var bad in new[] { "?p=-1", "?p=x", "?status=draft", "?type=issue" })
        {
            using var response = await stack.Anonymous.GetAsync($"/api/models/{s.Model}/discussions{bad}");
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{bad}: {(int)response.StatusCode}");
        }
    }

    /// <summary>One page of the list; with <paramref name="until"/>, the first answer that satisfies it (the list is a projection).</summary>
    private async Task<JsonElement> ListAsync(string model, string query, Func<JsonElement, bool>? until = null) =>
        await Eventually.ValueAsync(async () =>
        {
            using var response = await stack.Anonymous.GetAsync($"/api/models/{model}/discussions{query}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.Content.ReadFromJsonAsync<JsonElement>();
            return until is null || until(page) ? page : (JsonElement?)null;
        }, $"the discussion list {query}");
}
