using System.Net;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;

namespace CommunityEvals.IntegrationTests.Results;

[Collection(StackCollection.Name)]
public sealed class CommitsTests(StackFixture stack)
{
    [Fact]
    public async Task An_owner_commits_results_to_main_and_an_other_user_opens_a_pull_request()
    {
        var s = await stack.CreateScenarioAsync("commit");
        var (_, _, other) = await stack.CreateUserAsync("contrib");

        using var main = await s.Owner.CommitAsync("model", s.Model, "main", ".eval_results/bench.yaml", HubCommits.ResultYaml(s.Dataset, "main", "74.2"));
        using var otherToMain = await other.CommitAsync("model", s.Model, "main", ".eval_results/bench.yaml", HubCommits.ResultYaml(s.Dataset, "main", "99"));
        using var pr = await other.CommitAsync("model", s.Model, "main", ".eval_results/community.yaml", HubCommits.ResultYaml(s.Dataset, "main", "80.5"), createPullRequest: true);

        Assert.Equal(HttpStatusCode.OK, main.StatusCode);
        var answer = await main.JsonAsync();
        Assert.True(answer.GetProperty("success").GetBoolean());
        Assert.Matches("^[0-9a-f]{40}$", answer.GetProperty("commitOid").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, otherToMain.StatusCode);
        Assert.Equal(HttpStatusCode.OK, pr.StatusCode);
        Assert.EndsWith($"/{s.Model}/discussions/1", (await pr.JsonAsync()).GetProperty("pullRequestUrl").GetString());
    }

    [Fact]
    public async Task A_commit_with_one_bad_item_is_422_naming_file_item_line_and_field_and_records_nothing()
    {
        var s = await stack.CreateScenarioAsync("badcommit");
        var before = await StreamEventCount($"model/{s.Model}");
        var files = new[]
        {
            (".eval_results/good.yaml", System.Text.Encoding.UTF8.GetBytes(HubCommits.ResultYaml(s.Dataset, "main", "50"))),
            (".eval_results/bad.yaml", System.Text.Encoding.UTF8.GetBytes(HubCommits.ResultYaml(s.Dataset, "main", "50") + HubCommits.ResultYaml(s.Dataset, "nope", "51"))),
        };

        using var response = await s.Owner.CommitFilesAsync("model", s.Model, "main", files, []);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.JsonAsync();
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("error").GetString()));
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal(".eval_results/bad.yaml", error.GetProperty("file").GetString());
        Assert.Equal(1, error.GetProperty("item").GetInt32());
        Assert.Equal(7, error.GetProperty("line").GetInt32()); // the task_id line of the second item
        Assert.Equal("dataset.task_id", error.GetProperty("field").GetString());
        Assert.Equal(before, await StreamEventCount($"model/{s.Model}"));
    }

    [Fact]
    public async Task A_stale_parent_commit_is_412_and_the_head_is_accepted()
    {
        var s = await stack.CreateScenarioAsync("parent");
        using var first = await s.Owner.CommitAsync("model", s.Model, "main", ".eval_results/a.yaml", HubCommits.ResultYaml(s.Dataset, "main", "10"));
        var head = (await first.JsonAsync()).GetProperty("commitOid").GetString();

        using var second = await s.Owner.CommitAsync("model", s.Model, "main", ".eval_results/b.yaml", HubCommits.ResultYaml(s.Dataset, "main", "11"), parentCommit: head);
        using var stale = await s.Owner.CommitAsync("model", s.Model, "main", ".eval_results/c.yaml", HubCommits.ResultYaml(s.Dataset, "main", "12"), parentCommit: head);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
    }

    [Fact]
    public async Task Only_the_author_or_owner_commits_to_a_pull_request()
    {
        var s = await stack.CreateScenarioAsync("prcommit");
        var (_, _, author) = await stack.CreateUserAsync("author");
        var (_, _, third) = await stack.CreateUserAsync("third");
        using var opened = await author.CommitAsync("model", s.Model, "main", ".eval_results/x.yaml", HubCommits.ResultYaml(s.Dataset, "main", "60"), createPullRequest: true);
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);

        using var byAuthor = await author.CommitAsync("model", s.Model, "refs/pr/1", ".eval_results/x.yaml", HubCommits.ResultYaml(s.Dataset, "main", "61"));
        using var byOwner = await s.Owner.CommitAsync("model", s.Model, "refs/pr/1", ".eval_results/x.yaml", HubCommits.ResultYaml(s.Dataset, "main", "62"));
        using var byThird = await third.CommitAsync("model", s.Model, "refs/pr/1", ".eval_results/x.yaml", HubCommits.ResultYaml(s.Dataset, "main", "63"));
        using var missing = await author.CommitAsync("model", s.Model, "refs/pr/9", ".eval_results/x.yaml", HubCommits.ResultYaml(s.Dataset, "main", "63"));

        Assert.Equal(HttpStatusCode.OK, byAuthor.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byOwner.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byThird.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Paths_outside_the_accepted_files_are_422()
    {
        var s = await stack.CreateScenarioAsync("paths");

        using var weights = await s.Owner.CommitAsync("model", s.Model, "main", "pytorch_model.bin", "not results");
        using var escape = await s.Owner.CommitAsync("model", s.Model, "main", ".eval_results/../../etc/passwd", "x");
        using var datasetResults = await s.Owner.CommitAsync("dataset", s.Dataset, "main", ".git/config", "x");

        foreach (var response in new[] { weights, escape, datasetResults })
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.Equal("path", (await response.JsonAsync()).GetProperty("errors")[0].GetProperty("field").GetString());
        }
    }

    [Fact]
    public async Task The_same_idempotency_key_returns_the_first_answer_and_records_once()
    {
        var s = await stack.CreateScenarioAsync("idem");
        var key = Guid.NewGuid().ToString();

        using var first = await s.Owner.CommitAsync("model", s.Model, "main", ".eval_results/i.yaml", HubCommits.ResultYaml(s.Dataset, "main", "33"), idempotencyKey: key);
        var after = await StreamEventCount($"model/{s.Model}");
        using var retry = await s.Owner.CommitAsync("model", s.Model, "main", ".eval_results/i.yaml", HubCommits.ResultYaml(s.Dataset, "main", "33"), idempotencyKey: key);

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal((await first.JsonAsync()).GetProperty("commitOid").GetString(), (await retry.JsonAsync()).GetProperty("commitOid").GetString());
        Assert.Equal(after, await StreamEventCount($"model/{s.Model}"));
    }

    [Fact]
    public async Task Concurrent_commits_to_one_repo_all_land()
    {
        var s = await stack.CreateScenarioAsync("race");

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            s.Owner.CommitAsync("model", s.Model, "main", $".eval_results/r{i}.yaml", HubCommits.ResultYaml(s.Dataset, "main", $"{40 + i}"))));

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        Assert.Equal(17, await StreamEventCount($"model/{s.Model}")); // RepoCreated + 16 commits
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task An_invalid_benchmark_definition_names_the_field_and_the_allowed_values()
    {
        var (_, _, owner) = await stack.CreateUserAsync("bench");
        var dataset = await owner.CreateRepoAsync("dataset", "bad-bench");

        using var response = await owner.CommitAsync("dataset", dataset, "main", "eval.yaml", HubCommits.BenchmarkYaml().Replace("inspect-ai", "made-up-framework"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.JsonAsync();
        var error = problem.GetProperty("errors").EnumerateArray().Single(e => e.GetProperty("field").GetString() == "evaluation_framework");
        Assert.Contains("inspect-ai", error.GetProperty("message").GetString());
    }

    private Task<long> StreamEventCount(string stream) => EventStoreProbe.CountAsync(stack, stream);
}
