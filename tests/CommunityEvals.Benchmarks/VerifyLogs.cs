using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CommunityEvals.TestStack;
using CommunityEvals.UnitTests.Evidence;

namespace CommunityEvals.Benchmarks;

/// <summary>
/// Issue 5's benchmark: a .eval and a .json Inspect log of N samples, uploaded through the
/// gateway as evidence; times upload to settled verification end to end and records how far the
/// verification service's peak resident memory grows over its idle level.
/// </summary>
public static class VerifyLogs
{
    public static async Task<int> RunAsync(int samples)
    {
        Console.WriteLine("starting the stack (the AppHost on Aspire's testing host: private PostgreSQL, RabbitMQ, the services) ...");
        await using var stack = await Stack.StartAsync(new StackOptions { ServiceEnvironment = StackOptions.NoCallerLimits });
        var adminToken = stack.AdminToken;
        using var admin = Hub.Client(stack.Gateway, adminToken);
        var org = $"vb{Guid.NewGuid():N}"[..10];
        var created = await (await admin.PostAsJsonAsync("/api/users", new { name = $"{org}-owner", orgs = new[] { org } })).Content.ReadFromJsonAsync<JsonElement>();
        using var owner = Hub.Client(stack.Gateway, created.GetProperty("token").GetString()!, timeout: TimeSpan.FromMinutes(5));
        await Hub.EnsureAsync(owner.PostAsJsonAsync("/api/repos/create", new { type = "dataset", name = "bench", organization = org }));
        await Hub.EnsureAsync(owner.PostAsync($"/api/datasets/{org}/bench/commit/main", Hub.CommitBody("eval.yaml", $"""
            name: Bench
            description: Verification benchmark.
            evaluation_framework: inspect-ai
            tasks:
              - id: main
                field_spec: {"{"}input: question, target: answer{"}"}
                solvers: [{"{"}name: generate{"}"}]
                scorers: [{"{"}name: match{"}"}]
            leaderboard:
              main: {"{"}metric: accuracy, range: [0, 100], samples: {samples}{"}"}
            """)));
        await Hub.EnsureAsync(owner.PostAsJsonAsync("/api/repos/create", new { type = "model", name = "model-7b", organization = org }));
        // The generator scores every fourth sample wrong: 75% exactly.
        await Hub.EnsureAsync(owner.PostAsync($"/api/models/{org}/model-7b/commit/main", Hub.CommitBody(".eval_results/bench.yaml",
            $"- dataset:\n    id: {org}/bench\n    task_id: main\n  value: 75\n")));
        var resultId = await ResultIdAsync(owner, $"{org}/model-7b");

        var pid = stack.Pid("verification") ?? throw new InvalidOperationException("the verification service's process was not found");
        var spec = new LogSpec
        {
            Samples = samples,
            Task = $"hf/{org}/bench/main",
            DatasetName = $"{org}/bench",
            DatasetLocation = $"hf://datasets/{org}/bench",
            Model = $"hf/{org}/model-7b",
        };

        var directory = Directory.CreateTempSubdirectory("communityevals-verify-bench");
        try
        {
            var expected = 0;
            foreach (var (encoding, write) in new (string, Action<LogSpec, Stream>)[] { ("eval", InspectLogGenerator.WriteEval), ("json", InspectLogGenerator.WriteJson) })
            {
                var path = Path.Combine(directory.FullName, $"log.{encoding}");
                await using (var file = File.Create(path))
                {
                    write(spec, file);
                }

                expected++;
                // Reset the peak so it measures this verification only (root may write clear_refs).
                await File.WriteAllTextAsync($"/proc/{pid}/clear_refs", "5");
                var idle = Memory(pid, "VmRSS");
                var clock = Stopwatch.StartNew();
                await using (var body = File.OpenRead(path))
                {
                    using var content = new StreamContent(body);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                    await Hub.EnsureAsync(owner.PostAsync($"/api/results/{resultId}/evidence", content));
                }

                var status = await SettledAsync(owner, resultId, expected);
                clock.Stop();
                var peak = Memory(pid, "VmHWM");
                Console.WriteLine($".{encoding}: {samples} samples, {new FileInfo(path).Length / 1_048_576.0:F1} MiB, {status} in {clock.Elapsed.TotalSeconds:F2} s " +
                    $"(upload to settled), peak RSS {peak / 1024.0:F0} MiB, growth over idle {(peak - idle) / 1024.0:F0} MiB");
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }

        Console.WriteLine("targets: under 10 s each; peak growth under 200 MB");
        return 0;
    }

    private static async Task<string> SettledAsync(HttpClient client, string resultId, int expected)
    {
        while (true)
        {
            var verification = await client.GetFromJsonAsync<JsonElement>($"/api/results/{resultId}/verification");
            var evidence = verification.GetProperty("evidence").EnumerateArray().ToList();
            if (evidence.Count == expected && evidence[^1].GetProperty("status").GetString() is { } status && status != "pending")
            {
                return status;
            }

            await Task.Delay(50);
        }
    }

    private static async Task<string> ResultIdAsync(HttpClient client, string model)
    {
        while (true)
        {
            using var response = await client.GetAsync($"/api/models/{model}/eval-results");
            if (response.IsSuccessStatusCode && await response.Content.ReadFromJsonAsync<JsonElement>() is { ValueKind: JsonValueKind.Array } results && results.GetArrayLength() > 0)
            {
                return results[0].GetProperty("id").GetString()!;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>A memory figure of /proc/pid/status, in KiB.</summary>
    private static long Memory(int pid, string field) =>
        File.ReadLines($"/proc/{pid}/status").Where(line => line.StartsWith(field + ":", StringComparison.Ordinal))
            .Select(line => long.Parse(line.Split(':')[1].Trim().Split(' ')[0])).Single();
}
