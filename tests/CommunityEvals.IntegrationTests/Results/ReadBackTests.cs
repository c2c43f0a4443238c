using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;

namespace CommunityEvals.IntegrationTests.Results;

/// <summary>What the write side records comes back on the read routes (eventually consistent).</summary>
[Collection(StackCollection.Name)]
public sealed class ReadBackTests(StackFixture stack)
{
    [Fact]
    public async Task A_registered_benchmark_is_readable_and_the_admin_marks_it_official()
    {
        var s = await stack.CreateScenarioAsync("benchread");

        var benchmark = await Eventually.ValueAsync(() => TryGetAsync($"/api/benchmarks/{s.Dataset}"), "the benchmark read model");
        Assert.Equal("Test benchmark", benchmark.GetProperty("name").GetString());
        Assert.Equal("main", benchmark.GetProperty("tasks")[0].GetProperty("id").GetString());

        using var official = await stack.Admin.PostAsync($"/api/benchmarks/{s.Dataset}/official", null);
        Assert.Equal(HttpStatusCode.OK, official.StatusCode);
        await Eventually.ValueAsync(async () =>
        {
            var list = await stack.Anonymous.GetFromJsonAsync<JsonElement>("/api/datasets?filter=benchmark:official");
            return list.EnumerateArray().Any(d => d.GetProperty("id").GetString() == s.Dataset) ? (bool?)true : null;
        }, "the benchmark among official ones");
        var all = await stack.Anonymous.GetFromJsonAsync<JsonElement>("/api/datasets?filter=benchmark");
        Assert.Contains(all.EnumerateArray(), d => d.GetProperty("id").GetString() == s.Dataset);
    }

    [Fact]
    public async Task Pull_requests_are_listed_commented_closed_reopened_and_merged()
    {
        var s = await stack.CreateScenarioAsync("prflow");
        var author = await stack.CreateUserAsync("prflow-author");
        using var opened = await author.Client.CommitAsync("model", s.Model, "main", ".eval_results/c.yaml", HubCommits.ResultYaml(s.Dataset, "main", "66.6"), createPullRequest: true);
        var discussion = $"/api/models/{s.Model}/discussions/1";

        using var comment = await stack.Admin.PostAsJsonAsync($"{discussion}/comment", new { comment = "which harness?" });
        using var close = await author.Client.PostAsJsonAsync($"{discussion}/status", new { status = "closed" });
        using var reopen = await author.Client.PostAsJsonAsync($"{discussion}/status", new { status = "open" });
        using var merge = await s.Owner.PostAsJsonAsync($"{discussion}/merge", new { comment = "thanks" });
        using var mergeAgain = await s.Owner.PostAsJsonAsync($"{discussion}/merge", new { });
        Assert.All(new[] { comment, close, reopen, merge }, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(HttpStatusCode.Conflict, mergeAgain.StatusCode);

        var details = await Eventually.ValueAsync(async () =>
        {
            var pr = await TryGetAsync(discussion);
            return pr?.GetProperty("status").GetString() == "merged" ? pr : null;
        }, "the merged pull request");
        Assert.Equal(author.Name, details.GetProperty("author").GetProperty("name").GetString());
        var types = details.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Contains("comment", types);
        Assert.Contains("status-change", types);
        var list = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/models/{s.Model}/discussions");
        var listed = Assert.Single(list.GetProperty("discussions").EnumerateArray());
        Assert.True(listed.GetProperty("isPullRequest").GetBoolean());

        // Merged: the result is now the author's, on main.
        var results = await Eventually.ValueAsync(async () =>
        {
            var all = await TryGetAsync($"/api/models/{s.Model}/eval-results");
            return all?.EnumerateArray().Any(r => r.GetProperty("ref").GetString() == "main") == true ? all : null;
        }, "the merged result on main");
        var merged = Assert.Single(results.EnumerateArray());
        Assert.Equal("author", merged.GetProperty("origin").GetString());
        Assert.Equal(66.6, merged.GetProperty("data").GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task Any_past_commit_is_a_revision_with_the_files_its_ref_held_then()
    {
        var s = await stack.CreateScenarioAsync("revisions");
        using var first = await s.Owner.CommitAsync("model", s.Model, "main", ".eval_results/a.yaml", HubCommits.ResultYaml(s.Dataset, "main", "10"));
        var firstOid = (await first.JsonAsync()).GetProperty("commitOid").GetString();
        using var second = await s.Owner.CommitAsync("model", s.Model, "main", ".eval_results/b.yaml", HubCommits.ResultYaml(s.Dataset, "main", "20"));
        var secondOid = (await second.JsonAsync()).GetProperty("commitOid").GetString();
        using var proposed = await s.Owner.CommitAsync("model", s.Model, "main", ".eval_results/c.yaml", HubCommits.ResultYaml(s.Dataset, "main", "30"), createPullRequest: true);
        await Eventually.ValueAsync(() => TryGetAsync($"/api/models/{s.Model}/revision/refs%2Fpr%2F1"), "the pull request's head");

        static List<string?> Files(JsonElement model) =>
            model.GetProperty("siblings").EnumerateArray().Select(sibling => sibling.GetProperty("rfilename").GetString()).ToList();

        var atFirst = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/models/{s.Model}/revision/{firstOid}");
        Assert.Equal(firstOid, atFirst.GetProperty("sha").GetString());
        Assert.Contains(".eval_results/a.yaml", Files(atFirst));
        Assert.DoesNotContain(".eval_results/b.yaml", Files(atFirst));

        var head = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/models/{s.Model}");
        Assert.Equal(secondOid, head.GetProperty("sha").GetString());
        Assert.Contains(".eval_results/b.yaml", Files(head));
        Assert.DoesNotContain(".eval_results/c.yaml", Files(head));

        // The pull request's ref: main with its file on top.
        var pullRequest = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/models/{s.Model}/revision/refs%2Fpr%2F1");
        Assert.Equal((await proposed.JsonAsync()).GetProperty("commitOid").GetString(), pullRequest.GetProperty("sha").GetString());
        Assert.Contains(".eval_results/c.yaml", Files(pullRequest));
        Assert.Contains(".eval_results/b.yaml", Files(pullRequest));

        using var unknown = await stack.Anonymous.GetAsync($"/api/models/{s.Model}/revision/{new string('0', 40)}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Hiding_removes_a_result_from_the_model_page_but_keeps_it_with_its_reason()
    {
        var s = await stack.CreateScenarioAsync("hideread");
        using var committed = await s.Owner.CommitAsync("model", s.Model, "main", ".eval_results/h.yaml", HubCommits.ResultYaml(s.Dataset, "main", "12.5"));
        var result = await Eventually.ValueAsync(async () => (await TryGetAsync($"/api/models/{s.Model}/eval-results"))?.EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } r ? r : (JsonElement?)null, "the result");
        var id = result.GetProperty("id").GetString();

        using var hidden = await s.Owner.PostAsJsonAsync($"/api/results/{id}/hide", new { reason = "measured on the validation split" });
        Assert.Equal(HttpStatusCode.OK, hidden.StatusCode);

        var withHidden = await Eventually.ValueAsync(async () =>
        {
            var all = await TryGetAsync($"/api/models/{s.Model}/eval-results?include_hidden=true");
            return all?.EnumerateArray().SingleOrDefault().GetProperty("hidden").GetBoolean() == true ? all : null;
        }, "the hidden flag");
        Assert.Equal("measured on the validation split", withHidden[0].GetProperty("hiddenReason").GetString());
        Assert.Empty((await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/models/{s.Model}/eval-results")).EnumerateArray());
        var history = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/results/{id}/history");
        Assert.Contains(history.EnumerateArray(), e => e.GetProperty("type").GetString() == "ResultHidden" && e.GetProperty("actor").GetString() == s.OwnerName);
    }

    [Fact]
    public async Task Deleting_a_file_retracts_its_results_and_a_card_imports_model_index()
    {
        var s = await stack.CreateScenarioAsync("retract");
        using var first = await s.Owner.CommitAsync("model", s.Model, "main", ".eval_results/gone.yaml", HubCommits.ResultYaml(s.Dataset, "main", "30"));
        var card = $"""
            ---
            base_model: acme/base-7b
            model-index:
            - name: ignored
              results:
              - task: {"{"}type: text-generation{"}"}
                dataset: {"{"}type: {s.Dataset}, name: Test{"}"}
                metrics:
                - {"{"}type: acc, value: 41.2{"}"}
              - task: {"{"}type: text-generation{"}"}
                dataset: {"{"}type: nobody/unregistered, name: Unknown{"}"}
                metrics:
                - {"{"}type: acc, value: 1.0{"}"}
            ---
            # Model
            """;
        using var second = await s.Owner.CommitFilesAsync("model", s.Model, "main",
            [("README.md", System.Text.Encoding.UTF8.GetBytes(card))], [".eval_results/gone.yaml"]);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var warnings = (await second.JsonAsync()).GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();
        Assert.Contains(warnings, w => w.Contains("nobody/unregistered"));
        var results = await Eventually.ValueAsync(async () =>
        {
            var all = await TryGetAsync($"/api/models/{s.Model}/eval-results");
            return all?.EnumerateArray().Any(r => r.GetProperty("filename").GetString() == "README.md") == true ? all : null;
        }, "the imported model-index result");
        var imported = Assert.Single(results.EnumerateArray());
        Assert.Equal(41.2, imported.GetProperty("data").GetProperty("value").GetDouble());
        var model = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/models/{s.Model}");
        Assert.Contains("acme/base-7b", model.GetProperty("cardData").GetProperty("base_model").ToString());
    }

    private async Task<JsonElement?> TryGetAsync(string uri)
    {
        using var response = await stack.Anonymous.GetAsync(uri);
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : null;
    }
}
