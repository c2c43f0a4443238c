using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityEvals.TestStack;

namespace CommunityEvals.IntegrationTests.Infrastructure;

/// <summary>
/// One running stack for the whole test run: the AppHost's application started by Aspire's testing
/// host (PostgreSQL, RabbitMQ and the four services, on private ports in a scratch directory).
/// Tests talk to it through the gateway, as any client would.
/// </summary>
public class StackFixture : IAsyncLifetime
{
    private Stack? _stack;

    public string AdminToken => _stack!.AdminToken;

    /// <summary>The key the gateway signs the identities it forwards with.</summary>
    public string IdentityKey => _stack!.IdentityKey;

    /// <summary>The stack's data directory, laid out as the AppHost lays out <c>.data/</c>.</summary>
    public string DataDirectory => _stack!.DataDirectory;

    public Uri Gateway => _stack!.Gateway;

    public string DatabaseConnectionString => _stack!.DatabaseConnectionString;

    public string BrokerConnectionString => _stack!.BrokerConnectionString;

    public HttpClient Anonymous { get; private set; } = null!;

    /// <summary>A service's own address, for the few tests that compare the gateway with the service behind it.</summary>
    public Uri ServiceUrl(string name) => _stack!.ServiceUrl(name);

    /// <summary>The process doing a resource's work (see <see cref="Stack.Pid"/>), null when not running.</summary>
    public int? Pid(string name) => _stack!.Pid(name);

    /// <summary>Each resource's state and its last log lines, for a failure message.</summary>
    public Task<string> DescribeAsync(int lines = 40) => _stack!.DescribeAsync(lines);

    public HttpClient Admin { get; private set; } = null!;

    /// <summary>
    /// The suite sends many requests from one address and few tokens, so it runs without limits on
    /// callers; <see cref="DefaultLimitsStackFixture"/> keeps them, for the tests of the limits.
    /// The arena's daily cap of counted votes is 3 here (1,000 by default), so that its test reaches it.
    /// </summary>
    protected virtual StackOptions Options => new()
    {
        ServiceEnvironment = StackOptions.WithoutCallerLimits(new Dictionary<string, string> { ["Arena__DailyVoteCap"] = ArenaDailyVoteCap.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
    };

    public const int ArenaDailyVoteCap = 3;

    public async Task InitializeAsync()
    {
        _stack = await Stack.StartAsync(Options);
        Anonymous = Client(token: null);
        Admin = Client(AdminToken);
    }

    /// <summary>A client of the gateway, signed in with <paramref name="token"/> unless null, over <paramref name="handler"/> if given.</summary>
    public HttpClient Client(string? token, HttpMessageHandler? handler = null)
    {
        var client = new HttpClient(handler ?? new HttpClientHandler()) { BaseAddress = Gateway, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>Creates a user with a unique name (tests share the stack) and returns a client signed in as them.</summary>
    public async Task<(string Name, string Token, HttpClient Client)> CreateUserAsync(string prefix, params string[] orgs)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 96)];
        using var response = await Admin.PostAsJsonAsync("/api/users", new { name, orgs });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var token = body.GetProperty("token").GetString()!;
        return (name, token, Client(token));
    }

    /// <summary>
    /// A fresh org with its owner, a benchmark dataset registered under it (task <c>main</c>,
    /// range 0-100 unless told otherwise), and a model repo owned by the org.
    /// </summary>
    public async Task<Scenario> CreateScenarioAsync(string prefix, string range = "[0, 100]", bool higherIsBetter = true)
    {
        var org = $"{prefix}-org-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];
        var owner = await CreateUserAsync($"{prefix}-own", org);
        var dataset = await owner.Client.CreateRepoAsync("dataset", "bench", org);
        using (var registered = await owner.Client.CommitAsync("dataset", dataset, "main", "eval.yaml", HubCommits.BenchmarkYaml("main", range, higherIsBetter)))
        {
            if (!registered.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"registering {dataset}: {(int)registered.StatusCode} {await registered.Content.ReadAsStringAsync()}");
            }
        }

        var model = await owner.Client.CreateRepoAsync("model", "model-7b", org);
        return new Scenario(org, owner.Name, owner.Client, dataset, model);
    }

    /// <summary>The whole public feed, page by page, following <c>next</c>.</summary>
    public async Task<List<JsonElement>> FeedAsync()
    {
        var events = new List<JsonElement>();
        long after = 0;
        while (true)
        {
            var page = await Anonymous.GetFromJsonAsync<JsonElement>($"/api/events?after={after}&limit=1000");
            events.AddRange(page.GetProperty("events").EnumerateArray());
            if (page.GetProperty("next").ValueKind == JsonValueKind.Null)
            {
                return events;
            }

            after = page.GetProperty("next").GetInt64();
        }
    }

    public sealed record Scenario(string Org, string OwnerName, HttpClient Owner, string Dataset, string Model);

    public async Task DisposeAsync()
    {
        Anonymous?.Dispose();
        Admin?.Dispose();
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<StackFixture>
{
    public const string Name = "stack";
}

/// <summary>A stack of its own with the limits on callers as configured (the gateway's appsettings.json).</summary>
public sealed class DefaultLimitsStackFixture : StackFixture
{
    protected override StackOptions Options => new();
}

/// <summary>Runs after or before the shared stack's collection, never beside it (the suite runs one collection at a time).</summary>
[CollectionDefinition(Name)]
public sealed class DefaultLimitsCollection : ICollectionFixture<DefaultLimitsStackFixture>
{
    public const string Name = "stack with default limits";
}
