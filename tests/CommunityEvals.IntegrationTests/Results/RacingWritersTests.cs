using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;
using CommunityEvals.IntegrationTests.Leaderboards;

namespace CommunityEvals.IntegrationTests.Results;

/// <summary>
/// A burst of identical requests (a client's retries, two tabs) on every write route, on a stream
/// that does not exist yet and on one that does: each is answered 2xx, or 409 where the caller must
/// decide, never 500; and the log holds exactly the events of the requests answered with a change.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class RacingWritersTests(StackFixture stack)
{
    private const int Burst = 12;

    [Fact]
    public async Task Creating_one_user_at_once_creates_it_once()
    {
        var name = $"racer-{Guid.NewGuid():N}"[..18];
        var first = await RaceAsync(_ => stack.Admin.PostAsJsonAsync("/api/users", new { name }));
        Assert.Equal(1, first.Count(s => s == HttpStatusCode.Created));
        Assert.All(first.Where(s => s != HttpStatusCode.Created), s => Assert.Equal(HttpStatusCode.Conflict, s));

        var again = await RaceAsync(_ => stack.Admin.PostAsJsonAsync("/api/users", new { name }));
        Assert.All(again, s => Assert.Equal(HttpStatusCode.Conflict, s));
        Assert.Equal(1, await EventStoreProbe.CountAsync(stack, $"user/{name}", "UserCreated"));
    }

    [Fact]
    public async Task Members_added_at_once_to_a_new_and_an_existing_org_are_all_added_once()
    {
        var org = $"race-org-{Guid.NewGuid():N}"[..20];
        var users = new List<string>();
        for (var i = 0; i < Burst; i++)
        {
            users.Add((await stack.CreateUserAsync($"member{i}")).Name);
        }

        AssertAnswered(await RaceAsync(i => stack.Admin.PostAsJsonAsync($"/api/orgs/{org}/members", new { user = users[i] })));
        AssertAnswered(await RaceAsync(_ => stack.Admin.PostAsJsonAsync($"/api/orgs/{org}/members", new { user = users[0] })));

        Assert.Equal(1, await EventStoreProbe.CountAsync(stack, $"org/{org}", "OrgCreated"));
        Assert.Equal(Burst, await EventStoreProbe.CountAsync(stack, $"org/{org}", "OrgMemberAdded"));
    }

    [Fact]
    public async Task Creating_one_repo_at_once_creates_it_once()
    {
        var (_, _, owner) = await stack.CreateUserAsync("repo-racer");
        var name = $"racy-{Guid.NewGuid():N}"[..16];
        var statuses = await RaceAsync(_ => owner.PostAsJsonAsync("/api/repos/create", new { type = "model", name }));
        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.All(statuses.Where(s => s != HttpStatusCode.OK), s => Assert.Equal(HttpStatusCode.Conflict, s));
        var whoami = await owner.GetFromJsonAsync<JsonElement>("/api/whoami-v2");
        Assert.Equal(1, await EventStoreProbe.CountAsync(stack, $"model/{whoami.GetProperty("name").GetString()}/{name}", "RepoCreated"));
    }

    [Fact]
    public async Task Pull_requests_opened_commented_closed_and_merged_at_once_land_once_each()
    {
        var s = await stack.CreateScenarioAsync("pr-race");
        var contributor = await stack.CreateUserAsync("pr-racer");
        var stream = $"model/{s.Model}";

        var opened = await RaceAsync(i => contributor.Client.CommitAsync("model", s.Model, "main", $".eval_results/r{i}.yaml", HubCommits.ResultYaml(s.Dataset, "main", $"{40 + i}"), createPullRequest: true));
        Assert.All(opened, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(Burst, await EventStoreProbe.CountAsync(stack, stream, "PullRequestOpened"));

        var comments = await RaceAsync(i => contributor.Client.PostAsJsonAsync($"/api/models/{s.Model}/discussions/1/comment", new { comment = $"ping {i}" }));
        Assert.All(comments, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(Burst, await EventStoreProbe.CountAsync(stack, stream, "PullRequestCommented"));

        AssertAnswered(await RaceAsync(_ => s.Owner.PostAsJsonAsync($"/api/models/{s.Model}/discussions/1/status", new { status = "closed" })));
        Assert.Equal(1, await EventStoreProbe.CountAsync(stack, stream, "PullRequestClosed"));

        var merges = await RaceAsync(_ => s.Owner.PostAsJsonAsync($"/api/models/{s.Model}/discussions/2/merge", new { }));
        Assert.Equal(1, merges.Count(status => status == HttpStatusCode.OK));
        Assert.All(merges.Where(status => status != HttpStatusCode.OK), status => Assert.Equal(HttpStatusCode.Conflict, status));
        Assert.Equal(1, await EventStoreProbe.CountAsync(stack, stream, "PullRequestMerged"));
    }

    [Fact]
    public async Task Hiding_and_unhiding_at_once_changes_once()
    {
        var s = await stack.CreateScenarioAsync("hide-race");
        var resultId = await stack.CommitResultAsync(s, "70");

        AssertAnswered(await RaceAsync(_ => s.Owner.PostAsJsonAsync($"/api/results/{resultId}/hide", new { reason = "wrong split" })));
        AssertAnswered(await RaceAsync(_ => s.Owner.PostAsync($"/api/results/{resultId}/unhide", null)));

        Assert.Equal(1, await EventStoreProbe.CountAsync(stack, $"model/{s.Model}", "ResultHidden"));
        Assert.Equal(1, await EventStoreProbe.CountAsync(stack, $"model/{s.Model}", "ResultUnhidden"));
    }

    [Fact]
    public async Task Evidence_uploaded_at_once_to_a_new_and_an_existing_stream_is_all_kept()
    {
        var s = await stack.CreateScenarioAsync("evidence-race");
        var resultId = await stack.CommitResultAsync(s, "75");
        var log = InspectLogs.Json(s.Dataset, "main", s.Model, ["C", "C", "C", "I"]);

        var first = await RaceAsync(_ => EvidenceSteps.UploadAsync(s.Owner, resultId, log));
        Assert.All(first, status => Assert.Equal(HttpStatusCode.Accepted, status));
        var second = await RaceAsync(_ => EvidenceSteps.UploadAsync(s.Owner, resultId, log));
        Assert.All(second, status => Assert.Equal(HttpStatusCode.Accepted, status));

        Assert.Equal(2 * Burst, await EventStoreProbe.CountAsync(stack, $"evidence/{resultId}", "EvidenceSubmitted"));
        await EvidenceSteps.SettledAsync(stack.Anonymous, resultId, 2 * Burst, TimeSpan.FromSeconds(120));
        Assert.Equal(2 * Burst, await EventStoreProbe.CountAsync(stack, $"evidence/{resultId}", "EvidenceVerified"));

        var comments = await RaceAsync(i => s.Owner.PostAsJsonAsync($"/api/results/{resultId}/failures/s4/comments", new { comment = $"look {i}" }));
        Assert.All(comments, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(Burst, await EventStoreProbe.CountAsync(stack, $"evidence/{resultId}", "FailureCommented"));
    }

    [Fact]
    public async Task Marking_a_benchmark_official_at_once_marks_it_once()
    {
        var s = await stack.CreateScenarioAsync("official-race");
        AssertAnswered(await RaceAsync(_ => stack.Admin.PostAsync($"/api/benchmarks/{s.Dataset}/official", null)));
        Assert.Equal(1, await EventStoreProbe.CountAsync(stack, $"benchmark/{s.Dataset}", "BenchmarkMarkedOfficial"));
    }

    /// <summary>Sends <see cref="Burst"/> requests at once; every answer must be a success or a conflict with a problem document.</summary>
    private static async Task<IReadOnlyList<HttpStatusCode>> RaceAsync(Func<int, Task<HttpResponseMessage>> send)
    {
        using var go = new ManualResetEventSlim();
        var racers = Enumerable.Range(0, Burst).Select(i => Task.Run(async () =>
        {
            go.Wait();
            return await send(i);
        })).ToArray();
        go.Set();
        var responses = await Task.WhenAll(racers);
        var statuses = new List<HttpStatusCode>();
        foreach (var response in responses)
        {
            using (response)
            {
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.Conflict, $"{(int)response.StatusCode}: {body}");
                if (response.StatusCode == HttpStatusCode.Conflict)
                {
                    // A problem document (Hub-compatible routes send it as application/json, API.md "Errors").
                    Assert.Equal(409, JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32());
                }

                statuses.Add(response.StatusCode);
            }
        }

        return statuses;
    }

    private static void AssertAnswered(IReadOnlyList<HttpStatusCode> statuses) =>
        Assert.All(statuses, status => Assert.True((int)status is >= 200 and < 300 || status == HttpStatusCode.Conflict, $"{status}"));
}
