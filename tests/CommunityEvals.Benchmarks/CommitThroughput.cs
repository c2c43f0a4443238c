using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CommunityEvals.TestStack;
using Npgsql;

namespace CommunityEvals.Benchmarks;

/// <summary>
/// Issue 3's benchmark: sustained commits of one small .eval_results file through the gateway
/// by concurrent clients (each to its own repo), beside plain Npgsql inserts of as many rows,
/// one transaction each, at the same concurrency on the same server.
/// </summary>
public static class CommitThroughput
{
    public static async Task<int> RunAsync(Options options)
    {
        Console.WriteLine("starting the stack (the AppHost on Aspire's testing host: private PostgreSQL, RabbitMQ, the services) ...");
        await using var stack = await Stack.StartAsync(new StackOptions { ServiceEnvironment = StackOptions.WithoutCallerLimits(options.Environment) });
        var adminToken = stack.AdminToken;
        using var admin = Hub.Client(stack.Gateway, adminToken);

        var org = $"bench{Guid.NewGuid():N}"[..12];
        var created = await (await admin.PostAsJsonAsync("/api/users", new { name = $"{org}-owner", orgs = new[] { org } })).Content.ReadFromJsonAsync<JsonElement>();
        using var owner = Hub.Client(stack.Gateway, created.GetProperty("token").GetString()!);
        await Hub.EnsureAsync(owner.PostAsJsonAsync("/api/repos/create", new { type = "dataset", name = "bench", organization = org }));
        await Hub.EnsureAsync(owner.PostAsync($"/api/datasets/{org}/bench/commit/main", Hub.CommitBody("eval.yaml", Benchmark)));
        var repos = new List<string>();
        for (var i = 0; i < options.Clients; i++)
        {
            await Hub.EnsureAsync(owner.PostAsJsonAsync("/api/repos/create", new { type = "model", name = $"model-{i}", organization = org }));
            repos.Add($"{org}/model-{i}");
        }

        Console.WriteLine($"warming up, then {options.Clients} clients commit for {options.Duration.TotalSeconds:F0} s ...");
        await Latencies.MeasureAsync(options.Clients, TimeSpan.FromSeconds(3), (worker, i) => CommitAsync(owner, repos[worker], org, i));
        var cpu = CpuMeter.For(stack).Start();
        var commits = await Latencies.MeasureAsync(options.Clients, options.Duration, (worker, i) => CommitAsync(owner, repos[worker], org, i));
        var cpuReport = cpu.Stop();

        Console.WriteLine($"now plain Npgsql inserts, {options.Clients} connections, one transaction per row ...");
        var raw = await RawInsertsAsync(stack.DatabaseConnectionString, options);

        Console.WriteLine();
        Console.WriteLine($"== commits: eng/bench.sh commits --clients {options.Clients} --seconds {options.Duration.TotalSeconds:0}{options.EnvironmentText}");
        Console.WriteLine($"commits through the gateway: {commits}");
        Console.WriteLine($"plain Npgsql inserts:        {raw}");
        Console.WriteLine($"ratio: {commits.PerSecond / raw.PerSecond:P0} of the raw insert rate (target: at least 50%)");
        Console.WriteLine("CPU while committing:");
        Console.WriteLine(cpuReport.Describe(commits.Operations));
        return commits.Failures == 0 ? 0 : 1;
    }

    private const string Benchmark = """
        name: Bench
        description: Benchmark for the commit benchmark.
        evaluation_framework: inspect-ai
        tasks:
          - id: main
            field_spec: {input: question, target: answer}
            solvers: [{name: generate}]
            scorers: [{name: match}]
        leaderboard:
          main: {metric: accuracy, range: [0, 100]}
        """;

    private static async Task<bool> CommitAsync(HttpClient owner, string repo, string org, int i)
    {
        var yaml = $"- dataset:\n    id: {org}/bench\n    task_id: main\n  value: {50 + i % 50}.{i % 10}\n";
        using var response = await owner.PostAsync($"/api/models/{repo}/commit/main", Hub.CommitBody(".eval_results/bench.yaml", yaml));
        return response.IsSuccessStatusCode;
    }

    private static async Task<Latencies.Summary> RawInsertsAsync(string connectionString, Options options)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using (var create = dataSource.CreateCommand("create table if not exists bench_raw (id bigserial primary key, payload jsonb not null)"))
        {
            await create.ExecuteNonQueryAsync();
        }

        return await Latencies.MeasureAsync(options.Clients, options.Duration, async (worker, i) =>
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using var insert = new NpgsqlCommand("insert into bench_raw (payload) values (@payload::jsonb)", connection, transaction);
            insert.Parameters.AddWithValue("payload", $"{{\"worker\":{worker},\"i\":{i},\"value\":{50 + i % 50}}}");
            await insert.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
            return true;
        });
    }
}
