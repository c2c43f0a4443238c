using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using CommunityEvals.AppHost.Launchers;
using Npgsql;

namespace CommunityEvals.AppHost.Hosting;

/// <summary>
/// Run mode: starts PostgreSQL and RabbitMQ (unless connection strings for them are given), then the projects in
/// WaitFor order once what they wait for is healthy, echoes their logs, prints the resource table, and on
/// Ctrl+C/SIGTERM stops services, then RabbitMQ, then PostgreSQL.
/// </summary>
internal sealed class Orchestrator
{
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ServerHealthTimeout = TimeSpan.FromSeconds(60);

    private readonly IReadOnlyList<IResource> _resources;
    private readonly AppHostOptions _options;
    private readonly ConsoleSink _console = new();
    private readonly CancellationTokenSource _stopping = new();

    private readonly Dictionary<IResource, Task> _ready = [];
    private readonly Dictionary<ParameterResource, string> _parameterValues = [];
    private readonly Dictionary<IResource, string> _externalConnectionStrings = [];
    private readonly Dictionary<ProjectResource, int> _ports = [];
    private readonly ConcurrentDictionary<IResource, string> _connectionStrings = new();
    private readonly ConcurrentDictionary<IResource, string> _states = new();
    private readonly List<ServiceProcess> _services = [];
    private readonly Lock _servicesGate = new();
    private readonly Dictionary<PostgresServerResource, Task<PostgresServer>> _postgres = [];
    private readonly Dictionary<RabbitMQServerResource, Task<RabbitMqServer>> _rabbit = [];
    private readonly Dictionary<ParameterResource, string> _parameterSources = [];
    private string _dotnet = "dotnet";

    public Orchestrator(IReadOnlyList<IResource> resources, AppHostOptions options)
    {
        _resources = resources;
        _options = options;
    }

    private string DataDirectory => _options.DataDirectory;

    private string RunDirectory => Path.Combine(DataDirectory, "run");

    private string LogsDirectory => Path.Combine(DataDirectory, "logs");

    private string SecretsDirectory => Path.Combine(DataDirectory, "secrets");

    public async Task<int> RunAsync()
    {
        if (Preflight() is { } problem)
        {
            Console.Error.WriteLine(problem);
            return 1;
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);

        var exitCode = 0;
        try
        {
            PrepareDirectories();
            await CleanUpLeftoversAsync();
            if (PortProblem() is { } portProblem)
            {
                Console.Error.WriteLine(portProblem);
                return 1;
            }

            ResolveParameters();
            await StartAllAsync();
            PrintSummary();
            await Task.Delay(Timeout.Infinite, _stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (ResourceFailedException e)
        {
            if (e.InnerException is PrerequisiteMissingException)
            {
                Console.Error.WriteLine($"{e.Resource}: {e.InnerException.Message}");
            }
            else
            {
                _console.Error("apphost", $"{e.Resource} failed: {e.InnerException?.Message ?? e.Message}");
                _console.Error("apphost", "stopping everything that was started");
            }

            exitCode = 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            _console.Error("apphost", e.Message);
            exitCode = 1;
        }
        finally
        {
            await StopAllAsync();
        }

        return exitCode;
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // we stop in order ourselves
        if (_stopping.IsCancellationRequested)
        {
            _console.Line("apphost", $"{context.Signal} again: already stopping, please wait");
            return;
        }

        _console.Line("apphost", $"{context.Signal}: stopping");
        _ = Task.Run(_stopping.Cancel); // not on the signal thread: cancellation runs continuations
    }

    // ---------------------------------------------------------------- preparation

    /// <summary>Checks what can be checked before starting anything; returns one line when something is missing.</summary>
    private string? Preflight()
    {
        foreach (var database in _resources.OfType<PostgresDatabaseResource>())
        {
            if (Environment.GetEnvironmentVariable($"ConnectionStrings__{database.Name}") is { Length: > 0 } given)
            {
                _externalConnectionStrings[database] = given;
            }
        }

        foreach (var rabbit in _resources.OfType<RabbitMQServerResource>())
        {
            if (Environment.GetEnvironmentVariable($"ConnectionStrings__{rabbit.Name}") is { Length: > 0 } given)
            {
                _externalConnectionStrings[rabbit] = given;
            }
        }

        foreach (var postgres in _resources.OfType<PostgresServerResource>().Where(NeedsServer))
        {
            if (ToolCheck.PostgresProblem() is { } problem)
            {
                return $"{postgres.Name}: {problem}";
            }
        }

        foreach (var rabbit in _resources.OfType<RabbitMQServerResource>().Where(r => !_externalConnectionStrings.ContainsKey(r)))
        {
            if (ToolCheck.RabbitMqProblem() is { } problem)
            {
                return $"{rabbit.Name}: {problem}";
            }
        }

        foreach (var project in _resources.OfType<ProjectResource>())
        {
            if (!File.Exists(project.Metadata.DllPath))
            {
                return $"{project.Name}: {project.Metadata.DllPath} is not built; run: dotnet build AppHost";
            }

        }

        _dotnet = ToolCheck.DotnetHost();
        return null;
    }

    /// <summary>A fixed port that is taken (checked after leftovers of a crashed run are gone).</summary>
    private string? PortProblem()
    {
        foreach (var project in _resources.OfType<ProjectResource>())
        {
            if (project.HttpPort is { } port && !FreePort.IsFree(port))
            {
                return $"{project.Name}: port {port} on 127.0.0.1 is in use; stop what uses it or pass --gateway-port <port>";
            }
        }

        return null;
    }

    private bool NeedsServer(PostgresServerResource postgres) =>
        postgres.Databases.Count == 0 || postgres.Databases.Any(d => !_externalConnectionStrings.ContainsKey(d));

    private void PrepareDirectories()
    {
        var existed = Directory.Exists(DataDirectory);
        Directory.CreateDirectory(DataDirectory);
        if (!existed)
        {
            // Keep the default data directory (.data/ in the repo) out of git without touching the repo's .gitignore.
            File.WriteAllText(Path.Combine(DataDirectory, ".gitignore"), "*\n");
        }

        Directory.CreateDirectory(RunDirectory);
        Directory.CreateDirectory(LogsDirectory);
        Directory.CreateDirectory(SecretsDirectory);
        Posix.SetMode(SecretsDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Stops what a crashed earlier run left behind, as recorded in &lt;data-dir&gt;/run/*.pid.</summary>
    private async Task CleanUpLeftoversAsync()
    {
        var records = ProcessRecord.ReadAll(RunDirectory);
        // Services first, then the servers they use.
        foreach (var record in records.OrderBy(r => r.Kind == ProcessRecord.ServiceKind ? 0 : r.Kind == ProcessRecord.RabbitMqKind ? 1 : 2))
        {
            switch (record.Kind)
            {
                case ProcessRecord.ServiceKind when record.IsRunning:
                    _console.Line("apphost", $"stopping {record.Name} (pid {record.Pid}) left running by an earlier run");
                    await Posix.TerminateAsync(record.Pid, TimeSpan.FromSeconds(10), group: true);
                    break;
                case ProcessRecord.PostgresKind when record.Directory is not null:
                    await PostgresServer.StopLeftoverAsync(record.Directory, line => _console.Line(record.Name, line));
                    break;
                case ProcessRecord.RabbitMqKind when record.Directory is not null:
                    await RabbitMqServer.StopLeftoverAsync(record.Directory, line => _console.Line(record.Name, line));
                    break;
            }

            ProcessRecord.Delete(RunDirectory, record.Name);
        }
    }

    private void ResolveParameters()
    {
        foreach (var parameter in _resources.OfType<ParameterResource>())
        {
            if (parameter.Generate is not null)
            {
                // Server passwords: the launchers keep them in <data-dir>/secrets/<name>.
                continue;
            }

            var aspireStyle = Environment.GetEnvironmentVariable($"Parameters__{parameter.Name}")
                ?? Environment.GetEnvironmentVariable($"Parameters__{parameter.Name.Replace('-', '_')}");
            if (aspireStyle is { Length: > 0 })
            {
                _parameterValues[parameter] = aspireStyle;
                _parameterSources[parameter] = $"from Parameters__{parameter.Name}";
                continue;
            }

            if (parameter.LocalEnvironmentVariable is { } variable && Environment.GetEnvironmentVariable(variable) is { Length: > 0 } fromEnvironment)
            {
                _parameterValues[parameter] = fromEnvironment;
                _parameterSources[parameter] = $"from {variable}";
                continue;
            }

            if (parameter.LocalGeneratedPrefix is not null)
            {
                var file = Path.Combine(DataDirectory, parameter.Name);
                var (value, created) = Posix.ReadOrCreateSecret(file, () => parameter.LocalGeneratedPrefix + Posix.RandomAlphanumeric(parameter.LocalGeneratedLength));
                _parameterValues[parameter] = value;
                _parameterSources[parameter] = created ? $"generated, kept in {file}" : $"kept in {file}";
                continue;
            }

            throw new InvalidOperationException($"parameter {parameter.Name} has no value; set Parameters__{parameter.Name}");
        }
    }

    // ---------------------------------------------------------------- startup

    private async Task StartAllAsync()
    {
        var startup = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        foreach (var project in _resources.OfType<ProjectResource>())
        {
            _ports[project] = project.HttpPort ?? FreePort.Next();
        }

        foreach (var resource in _resources)
        {
            _ = Ready(resource, startup);
        }

        List<Task> all;
        lock (_ready)
        {
            all = [.. _ready.Values];
        }

        try
        {
            await Task.WhenAll(all);
        }
        catch
        {
            await startup.CancelAsync();
            await Task.WhenAll(all).ContinueWith(_ => { }, TaskScheduler.Default);
            var failure = all
                .Where(t => t.IsFaulted)
                .Select(t => t.Exception!.GetBaseException())
                .OfType<ResourceFailedException>()
                .FirstOrDefault(e => e.InnerException is not OperationCanceledException);
            if (failure is not null && !_stopping.IsCancellationRequested)
            {
                throw failure;
            }

            _stopping.Token.ThrowIfCancellationRequested();
            throw;
        }
        finally
        {
            startup.Dispose();
        }
    }

    /// <summary>The task that completes when <paramref name="resource"/> is healthy (created once).</summary>
    private Task Ready(IResource resource, CancellationTokenSource startup)
    {
        // Created under the lock, so each resource starts once; Guard yields at once, so nothing runs under it.
        lock (_ready)
        {
            if (!_ready.TryGetValue(resource, out var task))
            {
                task = Guard(resource, startup, resource switch
                {
                    PostgresServerResource postgres => () => StartPostgresAsync(postgres, startup.Token),
                    PostgresDatabaseResource database => () => StartDatabaseAsync(database, startup),
                    RabbitMQServerResource rabbit => () => StartRabbitAsync(rabbit, startup.Token),
                    ProjectResource project => () => StartProjectAsync(project, startup),
                    _ => () => Task.CompletedTask,
                });
                _ready[resource] = task;
            }

            return task;
        }
    }

    private static async Task Guard(IResource resource, CancellationTokenSource startup, Func<Task> start)
    {
        try
        {
            await Task.Yield();
            await start();
        }
        catch (ResourceFailedException)
        {
            throw;
        }
        catch (OperationCanceledException e) when (startup.IsCancellationRequested)
        {
            throw new ResourceFailedException(resource.Name, e);
        }
        catch (Exception e)
        {
            await startup.CancelAsync();
            throw new ResourceFailedException(resource.Name, e);
        }
    }

    private async Task StartPostgresAsync(PostgresServerResource resource, CancellationToken cancellationToken)
    {
        if (!NeedsServer(resource))
        {
            _states[resource] = "External";
            return;
        }

        _states[resource] = "Starting";
        var directory = Path.Combine(DataDirectory, "postgres");
        var options = new PostgresOptions
        {
            PasswordFile = Path.Combine(SecretsDirectory, resource.Password.Name),
            MaxConnections = PostgresServerResource.MaxConnections,
            Fsync = !_options.NoFsync,
        };
        var start = PostgresServer.StartAsync(directory, options, line => _console.Line(resource.Name, line), cancellationToken);
        lock (_postgres)
        {
            _postgres[resource] = start;
        }

        var server = await start;
        new ProcessRecord(resource.Name, ProcessRecord.PostgresKind, server.Pid, Posix.StartTime(server.Pid) ?? 0, server.Directory).Write(RunDirectory);
        _connectionStrings[resource] = server.ServerConnectionString;
        _states[resource] = "Running";
    }

    private async Task StartDatabaseAsync(PostgresDatabaseResource database, CancellationTokenSource startup)
    {
        if (_externalConnectionStrings.TryGetValue(database, out var given))
        {
            await WaitForExternalDatabaseAsync(database, given, startup.Token);
            _connectionStrings[database] = given;
            _states[database] = "External";
            return;
        }

        await Ready(database.Parent, startup);
        var server = await _postgres[database.Parent];
        await server.EnsureDatabaseAsync(database.DatabaseName, startup.Token);
        await server.WaitHealthyAsync(database.DatabaseName, ServerHealthTimeout, startup.Token);
        _connectionStrings[database] = server.ConnectionString(database.DatabaseName);
        _states[database] = "Running";
    }

    private async Task WaitForExternalDatabaseAsync(PostgresDatabaseResource database, string connectionString, CancellationToken cancellationToken)
    {
        try
        {
            await PostgresServer.WaitForSelectOneAsync(connectionString, TimeSpan.FromSeconds(2), cancellationToken);
            return;
        }
        catch (InvalidOperationException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName })
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            var name = builder.Database ?? database.DatabaseName;
            builder.Database = "postgres";
            _console.Line(database.Name, $"creating database {name} on the given server");
            await PostgresServer.EnsureDatabaseAsync(builder.ConnectionString, name, cancellationToken);
        }
        catch (InvalidOperationException)
        {
            // Not up yet: wait below with the full timeout.
        }

        await PostgresServer.WaitForSelectOneAsync(connectionString, ServerHealthTimeout, cancellationToken);
    }

    private async Task StartRabbitAsync(RabbitMQServerResource resource, CancellationToken cancellationToken)
    {
        if (_externalConnectionStrings.TryGetValue(resource, out var given))
        {
            var uri = new Uri(given);
            var port = uri.IsDefaultPort || uri.Port <= 0 ? 5672 : uri.Port;
            var deadline = DateTime.UtcNow + ServerHealthTimeout;
            while (!await FreePort.CanConnectAsync(uri.Host, port, TimeSpan.FromSeconds(2), cancellationToken))
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"the given RabbitMQ at {uri.Host}:{port} does not accept connections");
                }

                await Task.Delay(500, cancellationToken);
            }

            _connectionStrings[resource] = given;
            _states[resource] = "External";
            return;
        }

        _states[resource] = "Starting";
        var options = new RabbitMqOptions
        {
            PasswordFile = Path.Combine(SecretsDirectory, resource.Password.Name),
            UserName = RabbitMQServerResource.UserName,
        };
        var start = RabbitMqServer.StartAsync(Path.Combine(DataDirectory, "rabbitmq"), options, line => _console.Line(resource.Name, line), cancellationToken);
        lock (_rabbit)
        {
            _rabbit[resource] = start;
        }

        var server = await start;
        new ProcessRecord(resource.Name, ProcessRecord.RabbitMqKind, server.Pid, Posix.StartTime(server.Pid) ?? 0, server.Directory).Write(RunDirectory);
        _connectionStrings[resource] = server.ConnectionString;
        _states[resource] = "Running";
    }

    private async Task StartProjectAsync(ProjectResource project, CancellationTokenSource startup)
    {
        // What it waits for, plus what it needs a connection string from (that exists only once the server runs).
        var dependencies = project.WaitsFor
            .Concat(project.References.OfType<IResourceWithConnectionString>())
            .Distinct()
            .Select(d => Ready(d, startup))
            .ToList();
        _states[project] = "Waiting";
        await Task.WhenAll(dependencies);
        startup.Token.ThrowIfCancellationRequested();

        var port = _ports[project];
        var environment = ProjectEnvironment(project, port);
        var dll = project.Metadata.DllPath;
        var service = ServiceProcess.Start(new ServiceStartInfo
        {
            Name = project.Name,
            FileName = _dotnet,
            Arguments = [dll],
            Environment = environment,
            WorkingDirectory = Path.GetDirectoryName(dll),
            Port = port,
            LogFile = Path.Combine(LogsDirectory, $"{project.Name}.log"),
            OnOutput = line => _console.Line(project.Name, line),
        });
        lock (_servicesGate)
        {
            _services.Add(service);
        }

        new ProcessRecord(project.Name, ProcessRecord.ServiceKind, service.Pid, service.StartTime).Write(RunDirectory);
        _states[project] = "Starting";
        _console.Line("apphost", $"started {project.Name} (pid {service.Pid}) on {service.Url}; waiting for /health");
        var watch = Stopwatch.StartNew();
        await service.WaitHealthyAsync(HealthTimeout, startup.Token);
        _states[project] = "Running";
        _console.Line("apphost", $"{project.Name} is healthy ({watch.Elapsed.TotalSeconds:0.0} s)");
        _ = WatchAsync(project, service);
    }

    private async Task WatchAsync(ProjectResource project, ServiceProcess service)
    {
        await service.Exited;
        if (!service.IsStopping)
        {
            _states[project] = $"Exited ({service.ExitCode})";
            _console.Error("apphost", $"{project.Name} exited with code {service.ExitCode}; its log: {service.Info.LogFile}");
        }
    }

    private Dictionary<string, string?> ProjectEnvironment(ProjectResource project, int port)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);

        // Inherit the AppHost's environment, but not wiring meant for somebody else.
        var explicitNames = _resources.OfType<ProjectResource>().SelectMany(p => p.Environment).Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var key in Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            if (key.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("services__", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("Parameters__", StringComparison.OrdinalIgnoreCase)
                || key is "ASPNETCORE_URLS" or "URLS" or "HTTP_PORTS" or "HTTPS_PORTS" or "ASPNETCORE_HTTP_PORTS" or "ASPNETCORE_HTTPS_PORTS"
                    or "OTEL_SERVICE_NAME" or "COMMUNITYEVALS_DATA_DIR"
                || explicitNames.Contains(key))
            {
                environment[key] = null;
            }
        }

        foreach (var reference in project.References)
        {
            switch (reference)
            {
                case IResourceWithConnectionString:
                    environment[$"ConnectionStrings__{reference.Name}"] = _connectionStrings[reference];
                    break;
                case ProjectResource other:
                    environment[$"services__{other.Name}__http__0"] = $"http://127.0.0.1:{_ports[other]}";
                    break;
            }
        }

        foreach (var entry in project.Environment)
        {
            environment[entry.Name] = entry.Parameter is { } parameter ? _parameterValues[parameter] : entry.Value;
        }

        var dataDirectory = Path.Combine(DataDirectory, "services", project.Name);
        Directory.CreateDirectory(dataDirectory);
        environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        environment["OTEL_SERVICE_NAME"] = project.Name;
        environment["COMMUNITYEVALS_DATA_DIR"] = dataDirectory;
        // ASPNETCORE_ENVIRONMENT and OTEL_EXPORTER_OTLP_ENDPOINT pass through from the AppHost's environment when set.
        return environment;
    }

    // ---------------------------------------------------------------- summary

    private void PrintSummary()
    {
        var rows = new List<string[]> { new[] { "Resource", "Type", "State", "Endpoint" } };
        foreach (var resource in _resources)
        {
            var (type, endpoint) = resource switch
            {
                PostgresServerResource p => ("PostgreSQL", PostgresEndpoint(p)),
                PostgresDatabaseResource d => ("Database", DatabaseEndpoint(d)),
                RabbitMQServerResource r => ("RabbitMQ", RabbitEndpoint(r)),
                ProjectResource p => ("Project", $"http://127.0.0.1:{_ports[p]}"),
                _ => ((string?)null, ""),
            };
            if (type is null)
            {
                continue;
            }

            rows.Add([resource.Name, type, _states.GetValueOrDefault(resource, "?"), endpoint]);
        }

        var widths = Enumerable.Range(0, 4).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder().AppendLine();
        foreach (var (row, index) in rows.Select((r, i) => (r, i)))
        {
            text.AppendLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
            if (index == 0)
            {
                text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
            }
        }

        text.AppendLine();
        foreach (var (parameter, value) in _parameterValues)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{Title(parameter.Name)}: {value} ({_parameterSources[parameter]})");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"Data: {DataDirectory}");
        var logs = new StringBuilder().Append(CultureInfo.InvariantCulture, $"Logs: {LogsDirectory}/<resource>.log");
        foreach (var start in _postgres.Values.Where(t => t.IsCompletedSuccessfully))
        {
            logs.Append(CultureInfo.InvariantCulture, $"; PostgreSQL: {start.Result.LogFile}");
        }

        foreach (var start in _rabbit.Values.Where(t => t.IsCompletedSuccessfully))
        {
            logs.Append(CultureInfo.InvariantCulture, $"; RabbitMQ: {start.Result.LogFile}");
        }

        text.AppendLine(logs.ToString());
        text.AppendLine("Press Ctrl+C to stop.");
        text.AppendLine();
        _console.Raw(text.ToString());
    }

    private static string Title(string name) => char.ToUpperInvariant(name[0]) + name[1..].Replace('-', ' ');

    private string PostgresEndpoint(PostgresServerResource resource) =>
        _postgres.TryGetValue(resource, out var task) && task.IsCompletedSuccessfully ? $"{PostgresServer.Host}:{task.Result.Port}" : "(not started: connection strings given)";

    private string DatabaseEndpoint(PostgresDatabaseResource database)
    {
        if (!_connectionStrings.TryGetValue(database, out var connectionString))
        {
            return "";
        }

        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Host}:{builder.Port}/{builder.Database}";
    }

    private string RabbitEndpoint(RabbitMQServerResource resource)
    {
        if (!_connectionStrings.TryGetValue(resource, out var connectionString))
        {
            return "";
        }

        var uri = new Uri(connectionString);
        return $"{uri.Scheme}://{uri.Host}:{(uri.IsDefaultPort ? 5672 : uri.Port)}";
    }

    // ---------------------------------------------------------------- shutdown

    private async Task StopAllAsync()
    {
        List<ServiceProcess> services;
        lock (_servicesGate)
        {
            services = [.. _services];
            _services.Clear();
        }

        // Services in reverse start order (the gateway first), each with up to 10 s to go.
        services.Reverse();
        foreach (var service in services)
        {
            _console.Line("apphost", $"stopping {service.Name}");
            await service.StopAsync(TimeSpan.FromSeconds(10));
            ProcessRecord.Delete(RunDirectory, service.Name);
        }

        foreach (var (resource, start) in _rabbit)
        {
            if (await Settled(start) is { } server)
            {
                await server.StopAsync();
            }

            ProcessRecord.Delete(RunDirectory, resource.Name);
        }

        foreach (var (resource, start) in _postgres)
        {
            if (await Settled(start) is { } server)
            {
                await server.StopAsync();
            }

            ProcessRecord.Delete(RunDirectory, resource.Name);
        }

        _rabbit.Clear();
        _postgres.Clear();
    }

    private static async Task<T?> Settled<T>(Task<T> task) where T : class
    {
        try
        {
            return await task;
        }
        catch (Exception)
        {
            // It did not start (and cleaned up after itself).
            return null;
        }
    }

    private sealed class ResourceFailedException(string resource, Exception inner) : Exception($"{resource}: {inner.Message}", inner)
    {
        public string Resource { get; } = resource;
    }
}
