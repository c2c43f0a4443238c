using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace CommunityEvals.TestStack;

/// <summary>Setting up what the benchmarks and the fault drill need, through the gateway's public API.</summary>
public static class Hub
{
    /// <summary>The one task of the benchmarks these commands register.</summary>
    public const string Task = "main";

    /// <summary>A client with its own connection pool; <paramref name="token"/> null for anonymous reads.</summary>
    public static HttpClient Client(Uri baseAddress, string? token = null, int maxConnections = int.MaxValue, TimeSpan? timeout = null)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        };
        var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public static async Task EnsureAsync(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        await EnsureAsync(response);
    }

    public static async Task EnsureAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>A fresh org with one owner; the owner's token.</summary>
    public static async Task<(string Org, string Token)> CreateOrgOwnerAsync(Uri gateway, string adminToken)
    {
        using var admin = Client(gateway, adminToken);
        var org = $"bench{Guid.NewGuid():N}"[..12];
        using var response = await admin.PostAsJsonAsync("/api/users", new { name = $"{org}-owner", orgs = new[] { org } });
        await EnsureAsync(response);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (org, created.GetProperty("token").GetString()!);
    }

    public static Task CreateRepoAsync(HttpClient owner, string org, string type, string name) =>
        EnsureAsync(owner.PostAsJsonAsync("/api/repos/create", new { type, name, organization = org }));

    /// <summary>Creates the dataset repo <c>{org}/{name}</c> and registers its one-task benchmark; returns its id.</summary>
    public static async Task<string> RegisterBenchmarkAsync(HttpClient owner, string org, string name)
    {
        await CreateRepoAsync(owner, org, "dataset", name);
        await EnsureAsync(owner.PostAsync($"/api/datasets/{org}/{name}/commit/main", CommitBody("eval.yaml", BenchmarkYaml(name))));
        return $"{org}/{name}";
    }

    public static string BenchmarkYaml(string title) => $$"""
        name: {{title}}
        description: A benchmark for the benchmarks.
        evaluation_framework: inspect-ai
        tasks:
          - id: {{Task}}
            field_spec: {input: question, target: answer}
            solvers: [{name: generate}]
            scorers: [{name: match}]
        leaderboard:
          {{Task}}: {metric: accuracy, range: [0, 100]}
        """;

    /// <summary>Commits <c>.eval_results/bench.yaml</c> with one result of <paramref name="datasetId"/> to the model's main.</summary>
    public static Task<HttpResponseMessage> CommitResultAsync(HttpClient owner, string modelRepo, string datasetId, double value) =>
        owner.PostAsync($"/api/models/{modelRepo}/commit/main", CommitBody(".eval_results/bench.yaml", ResultsYaml(datasetId, value)));

    public static string ValueText(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    public static string ResultsYaml(string datasetId, double value) =>
        $"- dataset:\n    id: {datasetId}\n    task_id: {Task}\n  value: {ValueText(value)}\n";

    /// <summary>A Hub commit body (NDJSON): the header, then one file.</summary>
    public static StringContent CommitBody(string path, string content)
    {
        var lines = new[]
        {
            JsonSerializer.Serialize(new { key = "header", value = new { summary = "bench" } }),
            JsonSerializer.Serialize(new { key = "file", value = new { path, content = Convert.ToBase64String(Encoding.UTF8.GetBytes(content)), encoding = "base64" } }),
        };
        return new StringContent(string.Join('\n', lines), Encoding.UTF8, "application/x-ndjson");
    }

    /// <summary>Runs <paramref name="body"/> for 0..count-1, at most <paramref name="parallelism"/> at a time.</summary>
    public static Task ForEachAsync(int count, int parallelism, Func<int, Task> body) =>
        Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            async (i, _) => await body(i));

    public static string NativeBoardPath(string datasetId, int? limit = null) =>
        $"/api/leaderboards/{datasetId}/{Task}{(limit is { } l ? $"?limit={l}" : "")}";

    /// <summary>Rows of the native board (its <c>total</c>); -1 while the benchmark is not on the board yet.</summary>
    public static async Task<int> BoardTotalAsync(HttpClient client, string datasetId)
    {
        using var response = await client.GetAsync(NativeBoardPath(datasetId, 1));
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return -1;
        }

        await EnsureAsync(response);
        var board = await response.Content.ReadFromJsonAsync<JsonElement>();
        return board.GetProperty("total").GetInt32();
    }

    public static async Task WaitForBoardAsync(HttpClient client, string datasetId, int rows, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var total = -1;
        while (DateTime.UtcNow < deadline)
        {
            total = await BoardTotalAsync(client, datasetId);
            if (total >= rows)
            {
                return;
            }

            await System.Threading.Tasks.Task.Delay(200);
        }

        throw new TimeoutException($"the board of {datasetId} had {total} rows after {timeout.TotalSeconds:0} s, not {rows}");
    }
}
