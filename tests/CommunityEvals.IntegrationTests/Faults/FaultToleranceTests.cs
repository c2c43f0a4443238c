using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using CommunityEvals.Platform.Http;
using CommunityEvals.TestStack;
using CommunityEvals.TestStack.Faults;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CommunityEvals.IntegrationTests.Faults;

/// <summary>A stack of its own for tests that kill or stop its parts, PostgreSQL crash-safe as in a real run.</summary>
public sealed class FaultStackFixture : IAsyncLifetime
{
    public Stack Stack { get; private set; } = null!;

    public async Task InitializeAsync() => Stack = await Stack.StartAsync(new StackOptions { CrashSafePostgres = true, ServiceEnvironment = StackOptions.NoCallerLimits });

    public async Task DisposeAsync() => await Stack.DisposeAsync();
}

/// <summary>
/// README's "Faults": what dies is started again by the AppHost, with backoff; what is stopped on
/// purpose stays stopped; while a dependency is away callers get 503 with <c>Retry-After</c> and a
/// problem document, quickly; and a broker killed under load loses nothing and sends nothing twice.
/// Every test leaves the stack healthy.
/// </summary>
public sealed class FaultToleranceTests(FaultStackFixture fixture) : IClassFixture<FaultStackFixture>
{
    private static readonly TimeSpan HealTimeout = TimeSpan.FromMinutes(2);

    private Stack Stack => fixture.Stack;

    [Fact]
    public async Task A_broker_killed_under_commits_loses_nothing_sends_each_change_once_and_the_stack_heals()
    {
        var report = await FaultDrill.RunAsync(
            Stack,
            new FaultDrillOptions { Faults = [TestStack.Stack.Broker], Clients = 2, Steady = TimeSpan.FromSeconds(3), Rebuild = false, HealTimeout = HealTimeout },
            _ => { });

        var outcome = Assert.Single(report.Outcomes);
        Assert.True(report.Violations.Count == 0, report.Describe("the broker drill") + string.Join("\n", report.Violations));
        Assert.NotNull(outcome.SecondsToHeal);
        Assert.Equal(1, outcome.Restarts);
        Assert.Contains(report.Commits, c => c.Phase == TestStack.Stack.Broker && c.Answer.Status == 200);
        Assert.NotEmpty(report.Verdict.Stored);
    }

    [Fact]
    public async Task A_killed_postgres_is_started_again_though_a_backend_of_it_still_runs()
    {
        // A statement that runs for minutes keeps the killed server's shared memory attached; PostgreSQL
        // refuses to start beside it unless postgres.sh clears it away.
        await using var connection = new NpgsqlConnection(Stack.DatabaseConnectionString);
        await connection.OpenAsync();
        var busy = new NpgsqlCommand("select count(*) from generate_series(1, 100000000000)", connection) { CommandTimeout = 0 }.ExecuteScalarAsync();
        await Task.Delay(500);
        Assert.False(busy.IsCompleted);

        var restartsBefore = Stack.Restarts(TestStack.Stack.Postgres);
        var postmaster = Stack.Pid(TestStack.Stack.Postgres)!.Value;
        Kill(postmaster);

        var started = Stopwatch.StartNew();
        await Stack.WaitHealthyAsync(TestStack.Stack.Postgres, replacing: postmaster, HealTimeout);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(60), $"PostgreSQL took {started.Elapsed} to be healthy again");
        Assert.Equal(restartsBefore + 1, Stack.Restarts(TestStack.Stack.Postgres));
        Assert.Contains(await LogAsync(TestStack.Stack.Postgres), line => line.Contains("starting it again in 1 s", StringComparison.Ordinal));
        await Assert.ThrowsAnyAsync<Exception>(() => busy);
    }

    [Fact]
    public async Task While_postgres_is_stopped_callers_get_503_with_retry_after_and_nothing_restarts_it()
    {
        var gateway = Stack.Gateway;
        var (org, token) = await Hub.CreateOrgOwnerAsync(gateway, Stack.AdminToken);
        using var owner = Hub.Client(gateway, token, timeout: TimeSpan.FromSeconds(30));
        using var anonymous = Hub.Client(gateway, timeout: TimeSpan.FromSeconds(30));
        var dataset = await Hub.RegisterBenchmarkAsync(owner, org, "outage");
        await Hub.CreateRepoAsync(owner, org, "model", "model");
        await Hub.EnsureAsync(Hub.CommitResultAsync(owner, $"{org}/model", dataset, 50));

        var restartsBefore = Stack.Restarts(TestStack.Stack.Postgres);
        await ExecuteAsync(TestStack.Stack.Postgres, KnownResourceCommands.StopCommand);
        try
        {
            // The gateway keeps a known token for 5 s, then asks the database itself: both paths are seen.
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(8);
            while (DateTime.UtcNow < until)
            {
                await AssertUnavailableAsync(() => Hub.CommitResultAsync(owner, $"{org}/model", dataset, 51), "a commit");
                await AssertUnavailableAsync(() => anonymous.GetAsync(Hub.NativeBoardPath(dataset)), "a board read");
                await AssertUnavailableAsync(() => owner.PostAsync("/api/repos/create", JsonContent(new { type = "model", name = "another", organization = org })), "creating a repo");
                await Task.Delay(500);
            }

            // A stop asked for is not a crash: the AppHost leaves it stopped.
            Stack.App.ResourceNotifications.TryGetCurrentState(TestStack.Stack.Postgres, out var state);
            Assert.True(KnownResourceStates.TerminalStates.Contains(state?.Snapshot.State?.Text), $"PostgreSQL, stopped on purpose, is {state?.Snapshot.State?.Text}");
            Assert.Equal(0, Stack.Restarts(TestStack.Stack.Postgres) - restartsBefore);
        }
        finally
        {
            await ExecuteAsync(TestStack.Stack.Postgres, KnownResourceCommands.StartCommand);
            await Stack.WaitHealthyAsync(TestStack.Stack.Postgres, replacing: null, HealTimeout);
        }

        await Hub.EnsureAsync(Hub.CommitResultAsync(owner, $"{org}/model", dataset, 52));
    }

    [Fact]
    public async Task A_service_that_is_down_is_answered_503_with_retry_after_by_the_gateway()
    {
        using var anonymous = Hub.Client(Stack.Gateway, timeout: TimeSpan.FromSeconds(30));
        await ExecuteAsync("verification", KnownResourceCommands.StopCommand);
        try
        {
            var response = await AssertUnavailableAsync(() => anonymous.GetAsync("/.well-known/jwks.json"), "the signing keys");
            Assert.Contains("verification", response.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            await ExecuteAsync("verification", KnownResourceCommands.StartCommand);
            await Stack.WaitHealthyAsync("verification", replacing: null, HealTimeout);
        }

        using var keys = await anonymous.GetAsync("/.well-known/jwks.json");
        Assert.Equal(HttpStatusCode.OK, keys.StatusCode);
    }

    /// <summary>503 with <c>Retry-After</c> and a problem document saying 503, within 10 s; returns the document.</summary>
    private static async Task<JsonElement> AssertUnavailableAsync(Func<Task<HttpResponseMessage>> send, string what)
    {
        var started = Stopwatch.StartNew();
        using var response = await send();
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{what} answered {(int)response.StatusCode}: {body}");
        Assert.True(started.Elapsed < FaultDrill.LongestWait, $"{what} took {started.Elapsed}");
        Assert.Equal(TimeSpan.FromSeconds(Problems.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
        using var document = JsonDocument.Parse(body);
        Assert.Equal(503, document.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(document.RootElement.GetProperty("error").GetString()));
        return document.RootElement.Clone();
    }

    private async Task ExecuteAsync(string resource, string command)
    {
        var result = await Stack.App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(resource, command);
        Assert.True(result.Success, $"{command} {resource}: {result.Message}");
    }

    private async Task<List<string>> LogAsync(string resource)
    {
        // The console of an executable is kept under its instance's id (the name with a suffix), as the restarter writes it.
        var id = Stack.App.ResourceNotifications.TryGetCurrentState(resource, out var current) ? current.ResourceId : resource;
        var lines = new List<string>();
        using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await foreach (var batch in Stack.App.Services.GetRequiredService<ResourceLoggerService>().GetAllAsync(id).WithCancellation(quick.Token))
            {
                lines.AddRange(batch.Select(line => line.Content));
            }
        }
        catch (OperationCanceledException)
        {
        }

        return lines;
    }

    private static void Kill(int pid)
    {
        using var process = Process.GetProcessById(pid);
        process.Kill();
    }

    private static StringContent JsonContent(object value) =>
        new(JsonSerializer.Serialize(value), System.Text.Encoding.UTF8, "application/json");
}
