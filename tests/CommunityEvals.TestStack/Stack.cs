using System.Globalization;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using CommunityEvals.AppHost.Resources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace CommunityEvals.TestStack;

/// <summary>What to start, and how.</summary>
public sealed record StackOptions
{
    /// <summary>Extra environment variables for every service, for what-if runs.</summary>
    public IReadOnlyDictionary<string, string> ServiceEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>Start only these resources (and what they stand on); null starts everything.</summary>
    public IReadOnlyCollection<string>? Only { get; init; }

    /// <summary>Telemetry to the dashboard, which the testing host then runs too; off, the services record none.</summary>
    public bool Dashboard { get; init; }

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Limits on callers (the gateway's <c>RateLimits</c>) high enough never to bind: for runs that measure
    /// the system or test something else, from one address and few tokens, rather than the limiter.
    /// </summary>
    public static IReadOnlyDictionary<string, string> NoCallerLimits { get; } = new[] { "Reads", "Writes", "EvidenceUploads", "Arena" }
        .SelectMany(limit => new[] { $"RateLimits__{limit}__PerSecond", $"RateLimits__{limit}__Burst" })
        .ToDictionary(name => name, _ => "1000000");

    /// <summary><paramref name="environment"/> over <see cref="NoCallerLimits"/>: what is given explicitly wins.</summary>
    public static IReadOnlyDictionary<string, string> WithoutCallerLimits(IReadOnlyDictionary<string, string> environment) =>
        NoCallerLimits.Concat(environment).GroupBy(pair => pair.Key).ToDictionary(group => group.Key, group => group.Last().Value);

    /// <summary>
    /// PostgreSQL as a real run has it, fsync and synchronous commits on. Off (the default, for throwaway
    /// test data), a commit is answered before its log record is written, so a crash of PostgreSQL loses
    /// the last ones: what the fault drill must not see.
    /// </summary>
    public bool CrashSafePostgres { get; init; }
}

/// <summary>
/// The system as the AppHost describes it, started by Aspire's testing host in a scratch data
/// directory, on ports found free at start and with PostgreSQL's fsync off (throwaway data; see
/// <see cref="StackOptions.CrashSafePostgres"/>), so that it can run beside a developer's stack.
/// Clients reach it through the gateway as any client would; a few tests and the benchmarks also
/// reach a service, the database or the broker directly.
/// </summary>
public sealed class Stack : IAsyncDisposable
{
    public const string Database = "evals";
    public const string Broker = "eventbus";
    public const string Postgres = "postgres";
    public const string GatewayName = "gateway";

    /// <summary>The services, by resource name.</summary>
    public static readonly string[] Services = ["ingestion", "verification", "leaderboard-projection", GatewayName];

    private Stack(DistributedApplication app, string dataDirectory, string adminToken, string identityKey)
    {
        App = app;
        DataDirectory = dataDirectory;
        AdminToken = adminToken;
        IdentityKey = identityKey;
    }

    public DistributedApplication App { get; }

    public string DataDirectory { get; }

    public string AdminToken { get; }

    /// <summary>The key the gateway signs identities with (<c>COMMUNITYEVALS_IDENTITY_KEY</c>), for a service a test starts itself.</summary>
    public string IdentityKey { get; }

    public Uri Gateway => ServiceUrl(GatewayName);

    public string DatabaseConnectionString { get; private set; } = "";

    public string BrokerConnectionString { get; private set; } = "";

    public static async Task<Stack> StartAsync(StackOptions options, CancellationToken cancellationToken = default)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"communityevals-stack-{Guid.NewGuid():N}");
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.CommunityEvals_AppHost>(
            [
                "--data-dir", dataDirectory,
                "--gateway-port", FreePort().ToString(CultureInfo.InvariantCulture),
                .. options.CrashSafePostgres ? Array.Empty<string>() : ["--postgres-fsync", "off"],
            ],
            (applicationOptions, _) =>
            {
                applicationOptions.DisableDashboard = !options.Dashboard;
                // The testing host would echo every resource's console into this process's log: a cost
                // the benchmarks would measure (STACK_LOGS=1 asks for it when looking for a cause). What a
                // failed start needs is read back by DescribeAsync.
                applicationOptions.EnableResourceLogging = Environment.GetEnvironmentVariable("STACK_LOGS") == "1";
            },
            cancellationToken);

        // Services are unhealthy until they listen; the health checks would log each miss as an error.
        // A start that never gets healthy says why in its timeout (DescribeAsync).
        builder.Services.AddLogging(logging => logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));

        if (options.Only is { } only)
        {
            var keep = Closure(builder.Resources, only);
            foreach (var resource in builder.Resources.Where(r => !keep.Contains(r.Name)).ToList())
            {
                builder.Resources.Remove(resource);
            }
        }

        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            builder.CreateResourceBuilder(project).WithEnvironment(context =>
            {
                if (!options.Dashboard)
                {
                    // Nothing would receive it, and recording it costs the services CPU.
                    foreach (var name in context.EnvironmentVariables.Keys.Where(k => k.StartsWith("OTEL_", StringComparison.Ordinal)).ToList())
                    {
                        context.EnvironmentVariables.Remove(name);
                    }
                }

                foreach (var (name, value) in options.ServiceEnvironment)
                {
                    context.EnvironmentVariables[name] = value;
                }
            });
        }

        var app = await builder.BuildAsync(cancellationToken);
        // The AppHost's own: generated into the data directory as on a first start (README's examples read it there).
        var stack = new Stack(app, dataDirectory, builder.Configuration["Parameters:admin-token"] ?? "", builder.Configuration["Parameters:identity-key"] ?? "");
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.StartTimeout);
            await app.StartAsync(timeout.Token);
            var last = options.Only is null ? GatewayName : options.Only.Last();
            try
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(last, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{last} was not healthy within {options.StartTimeout}:\n{await stack.DescribeAsync()}");
            }

            if (builder.Resources.Any(r => r.Name == Database))
            {
                stack.DatabaseConnectionString = await app.GetConnectionStringAsync(Database, cancellationToken) ?? "";
            }

            if (builder.Resources.Any(r => r.Name == Broker))
            {
                stack.BrokerConnectionString = await app.GetConnectionStringAsync(Broker, cancellationToken) ?? "";
            }

            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>A service's own address, bypassing the gateway.</summary>
    public Uri ServiceUrl(string name) => App.GetEndpoint(name, "http");

    /// <summary>
    /// The process that does a resource's work: for a service the application itself (Aspire starts
    /// it with <c>dotnet run</c>, whose child it is), for PostgreSQL the postmaster (the child of its
    /// wrapper script), for RabbitMQ the Erlang VM, beam.smp (the child of <c>rabbitmq-server</c>).
    /// Null when it is not running.
    /// </summary>
    public int? Pid(string name)
    {
        if (!App.ResourceNotifications.TryGetCurrentState(name, out var resource)
            || resource.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is not { } value
            || !int.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return null;
        }

        var children = ProcessTable.ChildrenOf(pid);
        return children.Count == 1 ? children[0] : pid;
    }

    /// <summary>
    /// Waits until <paramref name="resource"/> runs a process other than <paramref name="replacing"/>
    /// (after a kill, the one the AppHost started again), Aspire finds it healthy, and the gateway's own
    /// health (which asks every service, and they their database and broker) answers 200. Returns the process.
    /// </summary>
    public async Task<int> WaitHealthyAsync(string resource, int? replacing, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { BaseAddress = Gateway, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var pid = Pid(resource);
            App.ResourceNotifications.TryGetCurrentState(resource, out var state);
            last = $"{resource}: pid {pid?.ToString(CultureInfo.InvariantCulture) ?? "none"}, {state?.Snapshot.State?.Text} {state?.Snapshot.HealthStatus}";
            if (pid is { } running && running != replacing && ProcessTable.Stat(running) is not null
                && state?.Snapshot.State?.Text == KnownResourceStates.Running && state.Snapshot.HealthStatus == HealthStatus.Healthy)
            {
                try
                {
                    using var health = await http.GetAsync("/health", cancellationToken);
                    if (health.IsSuccessStatusCode)
                    {
                        return running;
                    }

                    last += $"; gateway /health {(int)health.StatusCode}";
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    last += $"; gateway /health: {exception.Message}";
                }
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"not healthy within {timeout.TotalSeconds:0} s ({last})");
    }

    /// <summary>How many times the AppHost started the resource again after it exited (the property the dashboard shows).</summary>
    public int Restarts(string resource) =>
        App.ResourceNotifications.TryGetCurrentState(resource, out var state)
        && state.Snapshot.Properties.FirstOrDefault(p => p.Name == ExitedResourceRestarter.RestartsProperty)?.Value is { } value
        && int.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : 0;

    /// <summary>Each resource's state, and the last lines each one wrote: what a failed start needs to show.</summary>
    public async Task<string> DescribeAsync(int lines = 15)
    {
        var text = new StringBuilder();
        var logs = App.Services.GetRequiredService<ResourceLoggerService>();
        foreach (var resource in App.Services.GetRequiredService<DistributedApplicationModel>().Resources)
        {
            App.ResourceNotifications.TryGetCurrentState(resource.Name, out var state);
            text.AppendLine(CultureInfo.InvariantCulture, $"--- {resource.Name}: {state?.Snapshot.State?.Text ?? "unknown"} {state?.Snapshot.HealthStatus}");
            var tail = new List<string>();
            using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await foreach (var batch in logs.GetAllAsync(resource.Name).WithCancellation(quick.Token))
                {
                    tail.AddRange(batch.Select(line => line.Content));
                }
            }
            catch (OperationCanceledException)
            {
            }

            foreach (var line in tail.TakeLast(lines))
            {
                text.AppendLine(line);
            }
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await App.StopAsync();
        }
        finally
        {
            await App.DisposeAsync();
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // A leftover scratch directory is harmless.
            }
        }
    }

    public static int FreePort() => LocalRun.FreePort();

    /// <summary>The named resources with every resource they wait for or reference, and their parents.</summary>
    private static HashSet<string> Closure(IResourceCollection resources, IEnumerable<string> names)
    {
        var keep = new HashSet<string>();
        var pending = new Stack<IResource>(resources.Where(r => names.Contains(r.Name)));
        while (pending.TryPop(out var resource))
        {
            if (!keep.Add(resource.Name))
            {
                continue;
            }

            if (resource is IResourceWithParent child)
            {
                pending.Push(child.Parent);
            }

            foreach (var wait in resource.Annotations.OfType<WaitAnnotation>())
            {
                pending.Push(wait.Resource);
            }

            // Children made for a kept resource (the broker's port mapper) go with it.
            foreach (var other in resources.Where(r => r.Annotations.OfType<ResourceRelationshipAnnotation>().Any(a => a.Type == "Parent" && a.Resource == resource)))
            {
                pending.Push(other);
            }
        }

        return keep;
    }
}
