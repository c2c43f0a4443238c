using System.Diagnostics;
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
