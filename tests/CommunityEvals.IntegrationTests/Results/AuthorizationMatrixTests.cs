using System.Net;
using System.Net.Http.Json;
using CommunityEvals.IntegrationTests.Infrastructure;

namespace CommunityEvals.IntegrationTests.Results;

/// <summary>
/// Every write route against every kind of caller: anonymous, a signed-in stranger, a member of
/// the owning org, the author of a pull request, and the admin. Each case gets fresh state.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class AuthorizationMatrixTests(StackFixture stack)
{
    public enum Role
    {
        Anonymous,
        Stranger,
        Member,
        PullRequestAuthor,
        Admin,
    }

    [Theory]
    // Accounts: the admin's alone.
    [InlineData("create-user", Role.Anonymous, 401)]
    [InlineData("create-user", Role.Stranger, 403)]
    [InlineData("create-user", Role.Member, 403)]
    [InlineData("create-user", Role.Admin, 201)]
    [InlineData("add-member", Role.Anonymous, 401)]
    [InlineData("add-member", Role.Member, 403)]
    [InlineData("add-member", Role.Admin, 204)]
    // Repos in an org: its members.
    [InlineData("create-repo", Role.Anonymous, 401)]
    [InlineData("create-repo", Role.Stranger, 403)]
    [InlineData("create-repo", Role.Member, 200)]
    [InlineData("create-repo", Role.Admin, 200)]
    // main: the owner.
    [InlineData("commit-main", Role.Anonymous, 401)]
    [InlineData("commit-main", Role.Stranger, 403)]
    [InlineData("commit-main", Role.PullRequestAuthor, 403)]
    [InlineData("commit-main", Role.Member, 200)]
    [InlineData("commit-main", Role.Admin, 200)]
    [InlineData("preupload-main", Role.Anonymous, 401)]
    [InlineData("preupload-main", Role.Stranger, 403)]
    [InlineData("preupload-main", Role.Member, 200)]
    // Opening a pull request: anyone signed in.
    [InlineData("open-pr", Role.Anonymous, 401)]
    [InlineData("open-pr", Role.Stranger, 200)]
    [InlineData("open-pr", Role.Member, 200)]
    [InlineData("open-pr", Role.Admin, 200)]
    [InlineData("preupload-pr", Role.Stranger, 200)]
    // A pull request's branch: its author or the owner.
    [InlineData("commit-pr", Role.Anonymous, 401)]
    [InlineData("commit-pr", Role.Stranger, 403)]
    [InlineData("commit-pr", Role.PullRequestAuthor, 200)]
    [InlineData("commit-pr", Role.Member, 200)]
    [InlineData("commit-pr", Role.Admin, 200)]
    // Comments: anyone signed in.
    [InlineData("comment", Role.Anonymous, 401)]
    [InlineData("comment", Role.Stranger, 200)]
    // Status: the owner or the author.
    [InlineData("close", Role.Anonymous, 401)]
    [InlineData("close", Role.Stranger, 403)]
    [InlineData("close", Role.PullRequestAuthor, 200)]
    [InlineData("close", Role.Member, 200)]
    [InlineData("close", Role.Admin, 200)]
    // Merge: the owner.
    [InlineData("merge", Role.Anonymous, 401)]
    [InlineData("merge", Role.Stranger, 403)]
    [InlineData("merge", Role.PullRequestAuthor, 403)]
    [InlineData("merge", Role.Member, 200)]
    [InlineData("merge", Role.Admin, 200)]
    // Hiding: the owner.
    [InlineData("hide", Role.Anonymous, 401)]
    [InlineData("hide", Role.Stranger, 403)]
    [InlineData("hide", Role.PullRequestAuthor, 403)]
    [InlineData("hide", Role.Member, 200)]
    [InlineData("hide", Role.Admin, 200)]
    [InlineData("unhide", Role.Stranger, 403)]
    [InlineData("unhide", Role.PullRequestAuthor, 403)]
    [InlineData("unhide", Role.Member, 200)]
    // Official benchmarks: the admin.
    [InlineData("official", Role.Anonymous, 401)]
    [InlineData("official", Role.Member, 403)]
    [InlineData("official", Role.Admin, 200)]
    public async Task Route_answers_role_with_status(string route, Role role, int expected)
    {
        var s = await stack.CreateScenarioAsync("authz");
        var member = await stack.CreateUserAsync("member", s.Org);
        var stranger = await stack.CreateUserAsync("stranger");
        var author = await stack.CreateUserAsync("prauthor");
        using var opened = await author.Client.CommitAsync("model", s.Model, "main", ".eval_results/pr.yaml", HubCommits.ResultYaml(s.Dataset, "main", "55"), createPullRequest: true);
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        using var committed = await s.Owner.CommitAsync("model", s.Model, "main", ".eval_results/main.yaml", HubCommits.ResultYaml(s.Dataset, "main", "44"));
        Assert.Equal(HttpStatusCode.OK, committed.StatusCode);
        var mainResultId = await MainResultIdAsync(s);

        var client = role switch
        {
            Role.Anonymous => stack.Anonymous,
            Role.Stranger => stranger.Client,
            Role.Member => member.Client,
            Role.PullRequestAuthor => author.Client,
            _ => stack.Admin,
        };
        var discussion = $"/api/models/{s.Model}/discussions/1";
        var result = await (route switch
        {
            "create-user" => client.PostAsJsonAsync("/api/users", new { name = $"new{Guid.NewGuid():N}"[..16] }),
            "add-member" => client.PostAsJsonAsync($"/api/orgs/{s.Org}/members", new { user = stranger.Name }),
            "create-repo" => client.PostAsJsonAsync("/api/repos/create", new { type = "model", name = "another", organization = s.Org }),
            "commit-main" => client.CommitAsync("model", s.Model, "main", ".eval_results/x.yaml", HubCommits.ResultYaml(s.Dataset, "main", "1")),
            "preupload-main" => client.PostAsJsonAsync($"/api/models/{s.Model}/preupload/main", new { files = new[] { new { path = ".eval_results/x.yaml", size = 10, sample = "" } } }),
            "preupload-pr" => client.PostAsJsonAsync($"/api/models/{s.Model}/preupload/main?create_pr=1", new { files = new[] { new { path = ".eval_results/x.yaml", size = 10, sample = "" } } }),
            "open-pr" => client.CommitAsync("model", s.Model, "main", ".eval_results/x.yaml", HubCommits.ResultYaml(s.Dataset, "main", "1"), createPullRequest: true),
            "commit-pr" => client.CommitAsync("model", s.Model, "refs/pr/1", ".eval_results/pr.yaml", HubCommits.ResultYaml(s.Dataset, "main", "56")),
            "comment" => client.PostAsJsonAsync($"{discussion}/comment", new { comment = "looks right" }),
            "close" => client.PostAsJsonAsync($"{discussion}/status", new { status = "closed", comment = "closing" }),
            "merge" => client.PostAsJsonAsync($"{discussion}/merge", new { comment = "thanks" }),
            "hide" => client.PostAsJsonAsync($"/api/results/{mainResultId}/hide", new { reason = "wrong split" }),
            "unhide" => HideThenAsync(s, mainResultId, () => client.PostAsync($"/api/results/{mainResultId}/unhide", null)),
            "official" => client.PostAsync($"/api/benchmarks/{s.Dataset}/official", null),
            _ => throw new ArgumentOutOfRangeException(nameof(route)),
        });
        using (result)
        {
            Assert.True(expected == (int)result.StatusCode, $"{route} as {role}: expected {expected}, got {(int)result.StatusCode} {await result.Content.ReadAsStringAsync()}");
        }
    }

    private static async Task<HttpResponseMessage> HideThenAsync(StackFixture.Scenario s, string resultId, Func<Task<HttpResponseMessage>> then)
    {
        using var hidden = await s.Owner.PostAsJsonAsync($"/api/results/{resultId}/hide", new { reason = "checking" });
        Assert.Equal(HttpStatusCode.OK, hidden.StatusCode);
        return await then();
    }

    /// <summary>The id of the result committed to main: derived from repo, ref, path and index, read back from the log.</summary>
    private async Task<string> MainResultIdAsync(StackFixture.Scenario s)
    {
        await using var connection = new Npgsql.NpgsqlConnection(stack.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "select data -> 'commit' -> 'results' -> 0 ->> 'resultId' from events.mt_events where stream_id = @stream and type = 'main_committed' order by seq_id desc limit 1",
            connection);
        command.Parameters.AddWithValue("stream", $"model/{s.Model}");
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
