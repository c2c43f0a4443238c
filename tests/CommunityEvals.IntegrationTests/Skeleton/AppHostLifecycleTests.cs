using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;
using CommunityEvals.TestStack;

namespace CommunityEvals.IntegrationTests.Skeleton;

/// <summary>
/// The AppHost on its own, as README's run command starts it, with the dashboard: a newcomer's
/// checkout in a folder only its owner may enter (a clone under /root), one commit followed as one
/// trace through every service in the dashboard, Ctrl+C and SIGTERM leaving nothing behind, and
/// the data kept for the next start.
/// </summary>
public sealed class AppHostLifecycleTests : IAsyncLifetime
{
    /// <summary>Mode 700, like /root: with the checkout in it, the postgres OS user cannot reach its data directory.</summary>
    private readonly string _home = Path.Combine(Path.GetTempPath(), $"communityevals-home-{Guid.NewGuid():N}");

    private string DataDirectory => Path.Combine(_home, "checkout", ".data");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_home);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Starts_in_a_private_home_traces_a_commit_stops_clean_and_keeps_data()
    {
        var port = Stack.FreePort();
        string userToken;
        await using (var first = AppHostRun.Start(DataDirectory, port))
        {
            await first.WaitHealthyAsync(TimeSpan.FromMinutes(3));
            Assert.NotEmpty(ProcessesUsing());

            var adminToken = (await File.ReadAllTextAsync(Path.Combine(DataDirectory, "admin-token"))).Trim();
            Assert.StartsWith("hf_", adminToken);
            Assert.Contains(adminToken, first.Output);
            if (Environment.UserName == "root")
            {
                // The cluster moved where the postgres OS user can reach it, linked from the data directory.
                var cluster = new DirectoryInfo(Path.Combine(DataDirectory, "postgres"));
                Assert.StartsWith("/var/lib/communityevals/", cluster.LinkTarget);
            }

            using var admin = Client(first.Gateway, adminToken);
            var org = $"life-{Guid.NewGuid():N}"[..16];
            using var created = await admin.PostAsJsonAsync("/api/users", new { name = "lifecycle-user", orgs = new[] { org } });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            userToken = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;

            using var user = Client(first.Gateway, userToken);
            var dataset = await user.CreateRepoAsync("dataset", "bench", org);
            using (var registered = await user.CommitAsync("dataset", dataset, "main", "eval.yaml", HubCommits.BenchmarkYaml()))
            {
                Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
            }

            var model = await user.CreateRepoAsync("model", "model-7b", org);
            var traceId = ActivityTraceId.CreateRandom().ToHexString();
            using (var commit = new HttpRequestMessage(HttpMethod.Post, $"/api/models/{model}/commit/main")
            {
                Content = HubCommits.Body("traced", [(".eval_results/r.yaml", System.Text.Encoding.UTF8.GetBytes(HubCommits.ResultYaml(dataset, "main", "71.5")))]),
            })
            {
                commit.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
                using var committed = await user.SendAsync(commit);
                Assert.Equal(HttpStatusCode.OK, committed.StatusCode);
            }

            var spans = new HashSet<string>();
            try
            {
                await Eventually.GetAsync(async () =>
                {
                    spans = await DashboardTraceAsync(first, traceId);
                    return spans.IsSupersetOf(ExpectedSpans) ? spans : null;
                }, $"trace {traceId} in the dashboard", TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
                Assert.Fail($"the dashboard's trace {traceId} lacks {string.Join(", ", ExpectedSpans.Except(spans))}; it has {string.Join(", ", spans)}");
            }

            await first.InterruptAsync();
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        }

        Assert.Empty(ProcessesUsing());
        Assert.True(PortIsFree(port), $"port {port} is still taken after Ctrl+C");
        Assert.Contains("Database cluster state:               shut down", await ControlDataAsync());

        await using (var second = AppHostRun.Start(DataDirectory, port))
        {
            await second.WaitHealthyAsync(TimeSpan.FromMinutes(3));
            Assert.DoesNotContain((await File.ReadAllTextAsync(Path.Combine(DataDirectory, "admin-token"))).Trim(), second.Output);
            using var user = Client(second.Gateway, userToken);
            var whoami = await Eventually.ValueAsync(async () =>
            {
                using var response = await user.GetAsync("/api/whoami-v2");
                return response.IsSuccessStatusCode ? (JsonElement?)await response.Content.ReadFromJsonAsync<JsonElement>() : null;
            }, "the user created before the restart");
            Assert.Equal("lifecycle-user", whoami.GetProperty("name").GetString());

            await second.TerminateAsync();
            Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        }

        Assert.Empty(ProcessesUsing());
        Assert.Contains("Database cluster state:               shut down", await ControlDataAsync());
    }

    [Fact]
    public async Task Writes_the_committed_manifest()
    {
        var committed = Path.Combine(RepoRoot.Path, "aspire-manifest.json");
        // Paths in the manifest are relative to its own folder, so write it where the committed one lives.
        var candidate = Path.Combine(RepoRoot.Path, $"aspire-manifest.{Guid.NewGuid():N}.json");
        try
        {
            await using (var host = AppHostRun.Run(["--publisher", "manifest", "--output-path", candidate]))
            {
                Assert.Equal(0, await host.WaitForExitAsync(TimeSpan.FromSeconds(90)));
            }

            Assert.Equal(await File.ReadAllTextAsync(committed), await File.ReadAllTextAsync(candidate));

            using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(candidate));
            var resources = manifest.RootElement.GetProperty("resources");
            Assert.Equal("project.v0", resources.GetProperty("gateway").GetProperty("type").GetString());
            Assert.Equal("container.v0", resources.GetProperty("postgres").GetProperty("type").GetString());
            Assert.Equal("value.v0", resources.GetProperty("evals").GetProperty("type").GetString());
            Assert.Equal("container.v0", resources.GetProperty("eventbus").GetProperty("type").GetString());
            Assert.Equal("parameter.v0", resources.GetProperty("admin-token").GetProperty("type").GetString());
        }
        finally
        {
            File.Delete(candidate);
        }
    }

    /// <summary>One span of each hop a commit takes: gateway, ingestion and its forwarder, the broker to verification, the projection.</summary>
    private static readonly string[] ExpectedSpans =
    [
        "gateway: POST",
        "ingestion: POST",
        "ingestion: forward MainCommitted",
        "verification: verification-event-committed receive",
        "leaderboard-projection: fold MainCommitted",
    ];

    /// <summary>"service: span name" (the name up to its first space after the verb) of every span of the trace the dashboard holds.</summary>
    private static async Task<HashSet<string>> DashboardTraceAsync(AppHostRun host, string traceId)
    {
        using var dashboard = new HttpClient { BaseAddress = host.Dashboard };
        using var response = await dashboard.GetAsync($"/api/telemetry/traces/{traceId}");
        var seen = new HashSet<string>();
        if (!response.IsSuccessStatusCode)
        {
            return seen;
        }

        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        foreach (var resourceSpans in body.GetProperty("data").GetProperty("resourceSpans").EnumerateArray())
        {
            var service = resourceSpans.GetProperty("resource").GetProperty("attributes").EnumerateArray()
                .First(a => a.GetProperty("key").GetString() == "service.name").GetProperty("value").GetProperty("stringValue").GetString();
            foreach (var scope in resourceSpans.GetProperty("scopeSpans").EnumerateArray())
            {
                foreach (var span in scope.GetProperty("spans").EnumerateArray())
                {
                    var name = span.GetProperty("name").GetString()!;
                    seen.Add($"{service}: {name}");
                    seen.Add($"{service}: {name.Split(' ')[0]}");
                }
            }
        }

        return seen;
    }

    public async Task DisposeAsync()
    {
        var cluster = new DirectoryInfo(Path.Combine(DataDirectory, "postgres"));
        if (cluster.LinkTarget is { } relocated)
        {
            Directory.Delete(relocated, recursive: true);
        }

        Directory.Delete(_home, recursive: true);
        await Task.CompletedTask;
    }

    private async Task<string> ControlDataAsync()
    {
        var data = Path.Combine(new DirectoryInfo(Path.Combine(DataDirectory, "postgres")).ResolveLinkTarget(returnFinalTarget: true)?.FullName
            ?? Path.Combine(DataDirectory, "postgres"), "data");
        using var process = Process.Start(new ProcessStartInfo("/usr/lib/postgresql/15/bin/pg_controldata", [data]) { RedirectStandardOutput = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }

    private static HttpClient Client(Uri gateway, string token)
    {
        var client = new HttpClient { BaseAddress = gateway };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static bool PortIsFree(int port)
    {
        try
        {
            using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>Every live process whose command line or environment mentions this test's folder or the cluster moved out of it.</summary>
    private List<string> ProcessesUsing()
    {
        var marks = new List<string> { _home };
        if (new DirectoryInfo(Path.Combine(DataDirectory, "postgres")).LinkTarget is { } relocated)
        {
            marks.Add(relocated);
        }

        return ProcessTable.All()
            .Where(pid => pid != Environment.ProcessId)
            .Select(pid => (Pid: pid, CommandLine: ProcessTable.CommandLine(pid) ?? "", Environment: ProcessTable.Environment(pid)))
            .Where(p => marks.Any(mark => p.CommandLine.Contains(mark) || p.Environment.Contains(mark)))
            .Select(p => $"{p.Pid}: {p.CommandLine}")
            .ToList();
    }
}
