using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace CommunityEvals.IntegrationTests.Infrastructure;

/// <summary>Builds the Hub's NDJSON commit bodies and sends them, as Hub clients do.</summary>
public static class HubCommits
{
    public static HttpContent Body(string summary, IEnumerable<(string Path, byte[] Content)> files, IEnumerable<string>? deleted = null, string? parentCommit = null)
    {
        var lines = new List<string>
        {
            JsonSerializer.Serialize(new { key = "header", value = new { summary, parentCommit } }),
        };
        lines.AddRange(files.Select(file => JsonSerializer.Serialize(new
        {
            key = "file",
            value = new { path = file.Path, content = Convert.ToBase64String(file.Content), encoding = "base64" },
        })));
        lines.AddRange((deleted ?? []).Select(path => JsonSerializer.Serialize(new { key = "deletedFile", value = new { path } })));
        return new StringContent(string.Join('\n', lines), Encoding.UTF8, "application/x-ndjson");
    }

    public static Task<HttpResponseMessage> CommitAsync(
        this HttpClient client, string kind, string repo, string revision, string path, string content,
        bool createPullRequest = false, string? parentCommit = null, string? idempotencyKey = null) =>
        client.CommitFilesAsync(kind, repo, revision, [(path, Encoding.UTF8.GetBytes(content))], [], createPullRequest, parentCommit, idempotencyKey);

    public static async Task<HttpResponseMessage> CommitFilesAsync(
        this HttpClient client, string kind, string repo, string revision, IEnumerable<(string Path, byte[] Content)> files,
        IEnumerable<string> deleted, bool createPullRequest = false, string? parentCommit = null, string? idempotencyKey = null)
    {
        var uri = $"/api/{kind}s/{repo}/commit/{Uri.EscapeDataString(revision)}{(createPullRequest ? "?create_pr=1" : "")}";
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = Body("test commit", files, deleted, parentCommit) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    public static async Task<string> CreateRepoAsync(this HttpClient client, string kind, string name, string? organization = null)
    {
        using var response = await client.PostAsJsonAsync("/api/repos/create", new { type = kind, name, organization });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"creating {kind} repo {name} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return (await response.JsonAsync()).GetProperty("id").GetString()!;
    }

    public static string ResultYaml(string dataset, string task, string value, string? notes = null) =>
        $"- dataset:\n    id: {dataset}\n    task_id: {task}\n  value: {value}\n" + (notes is null ? "" : $"  notes: \"{notes}\"\n");

    public static string BenchmarkYaml(string task = "main", string range = "[0, 100]", bool higherIsBetter = true) => $"""
        name: Test benchmark
        description: A benchmark made by the integration tests.
        evaluation_framework: inspect-ai
        tasks:
          - id: {task}
            field_spec: {"{"}input: question, target: answer{"}"}
            solvers: [{"{"}name: generate{"}"}]
            scorers: [{"{"}name: match{"}"}]
        leaderboard:
          {task}: {"{"}metric: accuracy, higher_is_better: {(higherIsBetter ? "true" : "false")}, range: {range}{"}"}
        """;
}

public static class HttpClientJson
{
    public static async Task<JsonElement> GetFromJsonAsyncSafe(this HttpClient client, string uri)
    {
        using var response = await client.GetAsync(uri);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
