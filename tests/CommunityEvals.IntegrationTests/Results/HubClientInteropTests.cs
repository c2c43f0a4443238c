using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;

namespace CommunityEvals.IntegrationTests.Results;

/// <summary>
/// The real <c>@huggingface/hub</c> npm client, unmodified, pointed at the gateway: the proof that
/// Hub clients work here as they do on the Hub.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class HubClientInteropTests(StackFixture stack)
{
    private static readonly string InteropDirectory = Path.Combine(RepoRoot.Path, "examples");

    [Fact]
    public async Task The_npm_hub_client_creates_uploads_opens_a_pull_request_and_reads_results_back()
    {
        await EnsureInstalledAsync();
        var s = await stack.CreateScenarioAsync("npm");
        var owner = await stack.CreateUserAsync("npm-owner", s.Org);
        var other = await stack.CreateUserAsync("npm-other");
        var repo = $"{s.Org}/npm-model";

        var output = await RunNodeAsync("hub-client.mjs", new Dictionary<string, string>
        {
            ["HUB_URL"] = stack.Gateway.ToString().TrimEnd('/'),
            ["OWNER_TOKEN"] = owner.Token,
            ["OTHER_TOKEN"] = other.Token,
            ["REPO_NAME"] = repo,
            ["RESULT_YAML"] = HubCommits.ResultYaml(s.Dataset, "main", "74.2"),
            ["PR_RESULT_YAML"] = HubCommits.ResultYaml(s.Dataset, "main", "81.5"),
        });

        using var document = JsonDocument.Parse(output);
        var steps = document.RootElement;
        foreach (var step in steps.EnumerateObject())
        {
            Assert.False(step.Value.TryGetProperty("error", out var error), $"{step.Name} failed: {error}");
        }

        Assert.Equal(owner.Name, steps.GetProperty("whoAmI").GetProperty("name").GetString());
        Assert.Equal(repo, steps.GetProperty("createRepo").GetProperty("id").GetString());
        Assert.Matches("^[0-9a-f]{40}$", steps.GetProperty("uploadMain").GetProperty("commit").GetProperty("oid").GetString());
        Assert.EndsWith($"/{repo}/discussions/1", steps.GetProperty("uploadPullRequest").GetProperty("pullRequestUrl").GetString());

        var evalResults = steps.GetProperty("modelInfo").GetProperty("evalResults").EnumerateArray().ToList();
        var authorResult = Assert.Single(evalResults, r => !r.TryGetProperty("pullRequest", out var pr) || pr.ValueKind == JsonValueKind.Null);
        Assert.Equal(".eval_results/interop.yaml", authorResult.GetProperty("filename").GetString());
        Assert.Equal(74.2, authorResult.GetProperty("data").GetProperty("value").GetDouble());
        var communityResult = Assert.Single(evalResults, r => r.TryGetProperty("pullRequest", out var pr) && pr.ValueKind == JsonValueKind.Number);
        Assert.Equal(1, communityResult.GetProperty("pullRequest").GetInt32());
        Assert.Equal(81.5, communityResult.GetProperty("data").GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task The_npm_hub_client_uploads_a_data_file_lists_it_and_a_granted_user_downloads_it_from_a_gated_dataset()
    {
        await EnsureInstalledAsync();
        var s = await stack.CreateScenarioAsync("npm-files");
        var granted = await stack.CreateUserAsync("npm-granted");
        var stranger = await stack.CreateUserAsync("npm-stranger");
        using (var gated = await s.Owner.PutAsJsonAsync($"/api/datasets/{s.Dataset}/settings", new { gated = "manual" }))
        {
            Assert.Equal(HttpStatusCode.OK, gated.StatusCode);
        }

        using (var grant = await s.Owner.PostAsJsonAsync($"/api/datasets/{s.Dataset}/user-access-request/grant", new { user = granted.Name }))
        {
            Assert.Equal(HttpStatusCode.OK, grant.StatusCode);
        }

        var content = string.Concat(Enumerable.Range(0, 500).Select(i => $"{{\"question\":\"q{i}\",\"answer\":\"{i}\"}}\n"));
        var output = await RunNodeAsync("hub-files.mjs", new Dictionary<string, string>
        {
            ["HUB_URL"] = stack.Gateway.ToString().TrimEnd('/'),
            ["OWNER_TOKEN"] = s.Owner.DefaultRequestHeaders.Authorization!.Parameter!,
            ["GRANTED_TOKEN"] = granted.Token,
            ["STRANGER_TOKEN"] = stranger.Token,
            ["DATASET"] = s.Dataset,
            ["ORG"] = s.Org,
            ["DATA_CONTENT"] = content,
        });

        using var document = JsonDocument.Parse(output);
        var steps = document.RootElement;
        foreach (var name in new[] { "upload", "fileExists", "fileMissing", "downloadGranted", "listFiles", "listModels", "datasetInfo" })
        {
            var step = steps.GetProperty(name);
            Assert.False(step.ValueKind == JsonValueKind.Object && step.TryGetProperty("error", out var error), $"{name} failed: {step}");
        }

        Assert.Matches("^[0-9a-f]{40}$", steps.GetProperty("upload").GetProperty("oid").GetString());
        Assert.True(steps.GetProperty("fileExists").GetBoolean());
        Assert.False(steps.GetProperty("fileMissing").GetBoolean());
        Assert.Equal(content, steps.GetProperty("downloadGranted").GetProperty("text").GetString());
        Assert.Equal(403, steps.GetProperty("downloadStranger").GetProperty("status").GetInt32());
        var files = steps.GetProperty("listFiles").EnumerateArray().ToList();
        var data = Assert.Single(files, file => file.GetProperty("path").GetString() == "data/test.jsonl");
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(content), data.GetProperty("size").GetInt64());
        Assert.Contains(files, file => file.GetProperty("path").GetString() == "eval.yaml");
        Assert.Contains(s.Model, steps.GetProperty("listModels").EnumerateArray().Select(model => model.GetString()));
        Assert.Equal("manual", steps.GetProperty("datasetInfo").GetProperty("gated").GetString());
    }

    private static async Task EnsureInstalledAsync()
    {
        if (Directory.Exists(Path.Combine(InteropDirectory, "node_modules", "@huggingface", "hub")))
        {
            return;
        }

        var (code, output) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], new Dictionary<string, string>());
        Assert.True(code == 0, $"npm ci failed: {output}");
    }

    private static async Task<string> RunNodeAsync(string script, IDictionary<string, string> environment)
    {
        var (code, output) = await RunAsync("node", [script], environment);
        Assert.True(code == 0, $"node {script} failed: {output}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(line => line.StartsWith('{'));
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string[] arguments, IDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = InteropDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
