using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace CommunityEvals.AppHost.Launchers;

/// <summary>How <see cref="RabbitMqServer.StartAsync(string, RabbitMqOptions?, Action{string}?, CancellationToken)"/> runs a node.</summary>
public sealed record RabbitMqOptions
{
    /// <summary>Where the real rabbitmq-server and rabbitmqctl scripts live (not the /usr/sbin wrappers).</summary>
    public string ScriptsDirectory { get; init; } = ToolCheck.DefaultRabbitMqScriptsDirectory;

    /// <summary>The 0600 file holding the user's password; created with a random one when missing. Default: &lt;directory&gt;/password.</summary>
    public string? PasswordFile { get; init; }

    /// <summary>The default user (rabbitmq.conf default_user), created when the node's database is new.</summary>
    public string UserName { get; init; } = "guest";

    /// <summary>The Erlang node name; each node has its own epmd, so several nodes may share a name.</summary>
    public string NodeName { get; init; } = "evals@localhost";

    /// <summary>The AMQP port; null picks a free loopback port at each start (the distribution and epmd ports always are).</summary>
    public int? AmqpPort { get; init; }

    public string DiskFreeLimit { get; init; } = "50MB";

    /// <summary>How long <c>rabbitmqctl wait</c> may take.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// A private RabbitMQ node in one directory: its own HOME (Erlang cookie), config and env files, mnesia, logs
/// (&lt;directory&gt;/log), pid file, node name and free loopback ports (AMQP, distribution, epmd) at each start.
/// The real scripts in /usr/lib/rabbitmq/bin run as the current user.
/// </summary>
public sealed class RabbitMqServer : IAsyncDisposable
{
    public const string Host = "127.0.0.1";

    private readonly Action<string> _log;
    private readonly Process _process;
    private int _stopped;

    private RabbitMqServer(string directory, RabbitMqOptions options, string password, Ports ports, Process process, Action<string> log)
    {
        Directory = directory;
        Options = options;
        Password = password;
        AmqpPort = ports.Amqp;
        DistributionPort = ports.Distribution;
        EpmdPort = ports.Epmd;
        _process = process;
        _log = log;
    }

    public string Directory { get; }

    public RabbitMqOptions Options { get; }

    public int AmqpPort { get; }

    public int DistributionPort { get; }

    public int EpmdPort { get; }

    public string NodeName => Options.NodeName;

    public string UserName => Options.UserName;

    public string Password { get; }

    /// <summary>PID of the Erlang VM (beam.smp) running the node.</summary>
    public int Pid { get; private set; }

    /// <summary>The node's own log file.</summary>
    public string LogFile => Path.Combine(Directory, "log", $"{NodeName}.log");

    /// <summary>How long it took from the call until the node was ready and AMQP accepted connections.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary><c>amqp://user:pass@127.0.0.1:port</c>, the form MassTransit and Aspire use.</summary>
    public string ConnectionString =>
        $"amqp://{Uri.EscapeDataString(UserName)}:{Uri.EscapeDataString(Password)}@{Host}:{AmqpPort}";

    public static Task<RabbitMqServer> StartAsync(string directory, Action<string>? log = null, CancellationToken cancellationToken = default) =>
        StartAsync(directory, null, log, cancellationToken);

    /// <summary>
    /// Starts the node in <paramref name="directory"/> and returns once <c>rabbitmqctl wait</c> succeeded and the AMQP
    /// port accepts a TCP connection. A node left running in the directory by an earlier process is stopped first.
    /// Throws <see cref="PrerequisiteMissingException"/> when RabbitMQ is not installed.
    /// </summary>
    public static async Task<RabbitMqServer> StartAsync(string directory, RabbitMqOptions? options, Action<string>? log, CancellationToken cancellationToken = default)
    {
        options ??= new RabbitMqOptions();
        log ??= _ => { };
        ToolCheck.EnsureRabbitMq(options.ScriptsDirectory);

        var stopwatch = Stopwatch.StartNew();
        directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(directory);
        Posix.SetMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await StopLeftoverAsync(directory, log);

        var home = Path.Combine(directory, "home");
        var mnesia = Path.Combine(directory, "mnesia");
        System.IO.Directory.CreateDirectory(home);
        System.IO.Directory.CreateDirectory(mnesia);
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "log"));

        // Server and CLI must share the cookie; made here so that they cannot race to create different ones.
        var cookie = Path.Combine(home, ".erlang.cookie");
        if (!File.Exists(cookie))
        {
            Posix.WritePrivateFile(cookie, Posix.RandomAlphanumeric(32).ToUpperInvariant());
        }

        var passwordFile = options.PasswordFile ?? Path.Combine(directory, "password");
        var (password, passwordCreated) = Posix.ReadOrCreateSecret(passwordFile, () => Posix.RandomAlphanumeric(32));
        var freshDatabase = !System.IO.Directory.EnumerateFileSystemEntries(mnesia).Any();

        for (var attempt = 1; ; attempt++)
        {
            var ports = new Ports(options.AmqpPort ?? FreePort.Next(), FreePort.Next(), FreePort.Next());
            WriteConfiguration(directory, options, password, ports);
            var environment = Environment(directory, options, ports);
            var process = StartNode(directory, options, environment);
            var server = new RabbitMqServer(directory, options, password, ports, process, log);
            server.WriteState();
            try
            {
                await server.WaitReadyAsync(environment, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var tail = Tails.OfFile(server.LogFile, 15);
                await server.StopAsync();
                if (attempt < 3 && options.AmqpPort is null && tail.Contains("eaddrinuse", StringComparison.OrdinalIgnoreCase))
                {
                    log("a port was taken meanwhile; trying others");
                    continue;
                }

                throw new InvalidOperationException(
                    $"RabbitMQ did not start: {e.Message}\n--- {server.LogFile}:\n{tail}\n--- {ConsoleLog(directory)}:\n{Tails.OfFile(ConsoleLog(directory), 10)}", e);
            }
            catch
            {
                await server.StopAsync();
                throw;
            }

            if (passwordCreated && !freshDatabase)
            {
                log($"password file {passwordFile} was missing: setting a new password for {options.UserName}");
                var change = await RunCtlAsync(options, environment, ["change_password", options.UserName, password], TimeSpan.FromSeconds(60), cancellationToken);
                if (!change.Succeeded)
                {
                    await server.StopAsync();
                    throw new InvalidOperationException($"rabbitmqctl change_password failed:\n{change.Tail()}");
                }
            }

            server.StartupTime = stopwatch.Elapsed;
            log($"ready on amqp://{Host}:{ports.Amqp} in {stopwatch.Elapsed.TotalSeconds:0.0} s (node {options.NodeName}, epmd {ports.Epmd})");
            return server;
        }
    }

    /// <summary>
    /// Stops the node: <c>rabbitmqctl shutdown</c> (signals if that fails), then this node's epmd
    /// (<c>epmd -kill</c> on its own port only). Safe to call more than once.
    /// </summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        var environment = Environment(Directory, Options, new Ports(AmqpPort, DistributionPort, EpmdPort));
        var beam = Pid != 0 ? Pid : ReadPidFile(Path.Combine(Directory, "rabbit.pid"));
        if (!_process.HasExited && beam > 0 && Posix.IsAlive(beam))
        {
            try
            {
                var result = await RunCtlAsync(Options, environment, ["shutdown"], TimeSpan.FromSeconds(60), CancellationToken.None);
                if (!result.Succeeded)
                {
                    _log($"rabbitmqctl shutdown failed: {result.Tail(3)}");
                }
            }
            catch (TimeoutException e)
            {
                _log(e.Message);
            }
        }

        if (beam > 0)
        {
            await Posix.TerminateAsync(beam, TimeSpan.FromSeconds(15));
        }

        if (!_process.HasExited && !await WaitForExitAsync(_process, TimeSpan.FromSeconds(10)))
        {
            await Posix.TerminateAsync(_process.Id, TimeSpan.FromSeconds(5), group: true);
        }

        await KillEpmdAsync(EpmdPort);
        TryDelete(StateFile(Directory));
        _process.Dispose();
        _log("stopped");
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>
    /// Stops a node that an earlier process left running in <paramref name="directory"/> (recorded in its state file or
    /// its pid file), and that node's epmd.
    /// </summary>
    public static async Task StopLeftoverAsync(string directory, Action<string>? log = null)
    {
        log ??= _ => { };
        directory = Path.GetFullPath(directory);
        var state = ReadState(directory);
        var pidFile = Path.Combine(directory, "rabbit.pid");
        var beam = ReadPidFile(pidFile);
        var mnesia = Path.Combine(directory, "mnesia");

        if (beam > 0 && Posix.IsAlive(beam)
            && Posix.ProcessEnvironment(beam).TryGetValue("RABBITMQ_MNESIA_BASE", out var base_) && base_ == mnesia)
        {
            log($"stopping a node left running by an earlier run (pid {beam})");
            await Posix.TerminateAsync(beam, TimeSpan.FromSeconds(30));
        }

        if (state is not null)
        {
            if (Posix.IsSameProcess(state.ScriptPid, state.ScriptStartTime))
            {
                await Posix.TerminateAsync(state.ScriptPid, TimeSpan.FromSeconds(10), group: true);
            }

            await KillEpmdAsync(state.EpmdPort);
        }

        TryDelete(pidFile);
        TryDelete(StateFile(directory));
    }

    private static Process StartNode(string directory, RabbitMqOptions options, IReadOnlyDictionary<string, string?> environment)
    {
        // setsid: the node gets its own session, so a terminal's Ctrl+C reaches only the AppHost, which stops it in
        // order. Output goes straight to a file: the node must not depend on a pipe to this process.
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = directory };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec setsid \"$0\" </dev/null >>\"$COMMUNITYEVALS_CONSOLE_LOG\" 2>&1");
        info.ArgumentList.Add(Path.Combine(options.ScriptsDirectory, "rabbitmq-server"));
        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        info.Environment["COMMUNITYEVALS_CONSOLE_LOG"] = ConsoleLog(directory);
        return Process.Start(info) ?? throw new InvalidOperationException("could not start rabbitmq-server");
    }

    private async Task WaitReadyAsync(IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(Directory, "rabbit.pid");
        var seconds = ((int)Options.StartTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var wait = RunCtlAsync(Options, environment, ["wait", pidFile, "--timeout", seconds], Options.StartTimeout + TimeSpan.FromSeconds(30), cts.Token);
        var exited = _process.WaitForExitAsync(cts.Token);
        var first = await Task.WhenAny(wait, exited);
        if (first == exited)
        {
            await cts.CancelAsync();
            await Task.WhenAll(wait, exited).ContinueWith(_ => { }, TaskScheduler.Default);
            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException($"rabbitmq-server exited with code {_process.ExitCode}");
        }

        await cts.CancelAsync();
        var result = await wait;
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"rabbitmqctl wait failed (exit {result.ExitCode}): {result.Tail(5)}");
        }

        Pid = ReadPidFile(pidFile);
        WriteState();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!await FreePort.CanConnectAsync(Host, AmqpPort, TimeSpan.FromSeconds(2), cancellationToken))
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new InvalidOperationException($"the node runs but AMQP port {AmqpPort} does not accept connections");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    private static Task<CommandResult> RunCtlAsync(RabbitMqOptions options, IReadOnlyDictionary<string, string?> environment, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken) =>
        CommandRunner.RunAsync(Path.Combine(options.ScriptsDirectory, "rabbitmqctl"), arguments, environment, timeout, null, "/", cancellationToken);

    private static void WriteConfiguration(string directory, RabbitMqOptions options, string password, Ports ports)
    {
        Posix.WritePrivateFile(Path.Combine(directory, "rabbitmq.conf"), string.Join('\n',
            "# Written by the CommunityEvals AppHost at each start (the ports change every time).",
            $"listeners.tcp.default = {Host}:{ports.Amqp}",
            $"default_user = {options.UserName}",
            $"default_pass = {password}",
            $"disk_free_limit.absolute = {options.DiskFreeLimit}",
            "log.file.level = info",
            ""));

        // Our own env file so that /etc/rabbitmq/rabbitmq-env.conf is never read; the values are set in the environment.
        File.WriteAllText(Path.Combine(directory, "rabbitmq-env.conf"), string.Join('\n',
            "# Written by the CommunityEvals AppHost. The node's settings come from its environment:",
            $"# NODENAME={options.NodeName} NODE_PORT={ports.Amqp} DIST_PORT={ports.Distribution} ERL_EPMD_PORT={ports.Epmd}",
            $"# To use rabbitmqctl by hand: HOME={Path.Combine(directory, "home")} ERL_EPMD_PORT={ports.Epmd} RABBITMQ_NODENAME={options.NodeName} {Path.Combine(options.ScriptsDirectory, "rabbitmqctl")} status",
            ""));
        File.WriteAllText(Path.Combine(directory, "enabled_plugins"), "[].\n");
    }

    private static Dictionary<string, string?> Environment(string directory, RabbitMqOptions options, Ports ports)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var key in System.Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            if (key.StartsWith("RABBITMQ_", StringComparison.Ordinal) || key.StartsWith("ERL_", StringComparison.Ordinal))
            {
                environment[key] = null;
            }
        }

        environment["HOME"] = Path.Combine(directory, "home");
        environment["LC_ALL"] = "C.UTF-8";
        environment["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(directory, "rabbitmq-env.conf");
        environment["RABBITMQ_CONFIG_FILE"] = Path.Combine(directory, "rabbitmq.conf");
        environment["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(directory, "advanced.config");
        environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(directory, "enabled_plugins");
        environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(directory, "mnesia");
        environment["RABBITMQ_LOG_BASE"] = Path.Combine(directory, "log");
        environment["RABBITMQ_PID_FILE"] = Path.Combine(directory, "rabbit.pid");
        environment["RABBITMQ_NODENAME"] = options.NodeName;
        environment["RABBITMQ_NODE_IP_ADDRESS"] = Host;
        environment["RABBITMQ_NODE_PORT"] = ports.Amqp.ToString(CultureInfo.InvariantCulture);
        environment["RABBITMQ_DIST_PORT"] = ports.Distribution.ToString(CultureInfo.InvariantCulture);
        environment["ERL_EPMD_PORT"] = ports.Epmd.ToString(CultureInfo.InvariantCulture);
        environment["ERL_EPMD_ADDRESS"] = Host;
        environment["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}";
        return environment;
    }

    private static async Task KillEpmdAsync(int port)
    {
        if (port <= 0)
        {
            return;
        }

        var epmd = ToolCheck.FindOnPath("epmd") ?? "epmd";
        var portText = port.ToString(CultureInfo.InvariantCulture);
        try
        {
            await CommandRunner.RunAsync(epmd, ["-port", portText, "-kill"], new Dictionary<string, string?> { ["ERL_EPMD_PORT"] = portText }, TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
        }

        // An epmd that did not take the request (or one a CLI started on this port meanwhile): by its environment.
        foreach (var pid in Posix.ProcessesNamed("epmd"))
        {
            if (Posix.ProcessEnvironment(pid).TryGetValue("ERL_EPMD_PORT", out var value) && value == portText)
            {
                await Posix.TerminateAsync(pid, TimeSpan.FromSeconds(2));
            }
        }
    }

    private static async Task<bool> WaitForExitAsync(Process process, TimeSpan timeout)
    {
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private void WriteState()
    {
        var state = new NodeState(
            _process.Id,
            Posix.StartTime(_process.Id) ?? 0,
            Pid,
            AmqpPort,
            DistributionPort,
            EpmdPort,
            NodeName);
        File.WriteAllText(StateFile(Directory), JsonSerializer.Serialize(state, StateJson));
    }

    private static NodeState? ReadState(string directory)
    {
        try
        {
            return JsonSerializer.Deserialize<NodeState>(File.ReadAllText(StateFile(directory)), StateJson);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int ReadPidFile(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), out var pid) ? pid : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static string StateFile(string directory) => Path.Combine(directory, "node.json");

    private static string ConsoleLog(string directory) => Path.Combine(directory, "log", "console.log");

    private static readonly JsonSerializerOptions StateJson = new() { WriteIndented = true };

    private readonly record struct Ports(int Amqp, int Distribution, int Epmd);

    private sealed record NodeState(int ScriptPid, long ScriptStartTime, int BeamPid, int AmqpPort, int DistributionPort, int EpmdPort, string NodeName);
}
