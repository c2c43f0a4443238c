using System.Diagnostics;
using System.Text.RegularExpressions;
using Npgsql;

namespace CommunityEvals.AppHost.Launchers;

/// <summary>How <see cref="PostgresServer.StartAsync(string, PostgresOptions?, Action{string}?, CancellationToken)"/> runs a cluster.</summary>
public sealed record PostgresOptions
{
    /// <summary>Where initdb, pg_ctl and postgres live.</summary>
    public string BinDirectory { get; init; } = ToolCheck.DefaultPostgresBinDirectory;

    /// <summary>The 0600 file holding the superuser's password; created with a random one when missing. Default: &lt;directory&gt;/password.</summary>
    public string? PasswordFile { get; init; }

    /// <summary>The superuser (initdb -U) the connection strings use.</summary>
    public string UserName { get; init; } = "postgres";

    /// <summary>The TCP port; null picks a free loopback port at each start.</summary>
    public int? Port { get; init; }

    public int MaxConnections { get; init; } = 200;

    /// <summary>
    /// False turns off fsync, synchronous_commit and full_page_writes: faster, but a machine crash can corrupt the
    /// cluster. For throwaway test clusters only, never for data that matters.
    /// </summary>
    public bool Fsync { get; init; } = true;

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// A private PostgreSQL cluster in one directory (&lt;directory&gt;/data, log in &lt;directory&gt;/server.log), listening on
/// 127.0.0.1 only, no unix socket, password (scram-sha-256) authentication. initdb runs once; the data survives
/// restarts. As root, initdb and pg_ctl run as the postgres OS user (the server refuses root).
/// </summary>
public sealed partial class PostgresServer : IAsyncDisposable
{
    public const string Host = "127.0.0.1";

    /// <summary>
    /// One server and no replicas or archive: the write-ahead log only has to recover a crash, so
    /// a table created and filled in one transaction (the projection rebuild's new tables) is
    /// synced at commit instead of written to the log row by row. The manifest's server has the same.
    /// </summary>
    public static readonly IReadOnlyList<string> LogSettings = ["wal_level=minimal", "max_wal_senders=0"];

    private readonly Action<string> _log;
    private int _stopped;

    private PostgresServer(string directory, PostgresOptions options, string password, int port, Action<string> log)
    {
        Directory = directory;
        Options = options;
        Password = password;
        Port = port;
        _log = log;
    }

    public string Directory { get; }

    public string DataDirectory => DataDirectoryOf(Directory);

    public string LogFile => Path.Combine(Directory, "server.log");

    public PostgresOptions Options { get; }

    public int Port { get; }

    public string UserName => Options.UserName;

    public string Password { get; }

    /// <summary>PID of the postmaster (from postmaster.pid), or 0 when unknown.</summary>
    public int Pid { get; private set; }

    /// <summary>How long initdb took at this start (zero when the cluster existed).</summary>
    public TimeSpan InitTime { get; private set; }

    /// <summary>How long it took from the call until the server answered <c>select 1</c>.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>The server's connection string without a database (the shape of Aspire's postgres resource).</summary>
    public string ServerConnectionString => $"Host={Host};Port={Port};Username={UserName};Password={Password}";

    /// <summary>An Npgsql connection string for <paramref name="database"/>.</summary>
    public string ConnectionString(string database = "postgres") => $"{ServerConnectionString};Database={database}";

    public static Task<PostgresServer> StartAsync(string directory, Action<string>? log = null, CancellationToken cancellationToken = default) =>
        StartAsync(directory, null, log, cancellationToken);

    /// <summary>
    /// Starts the cluster in <paramref name="directory"/> (initialising it on first use) and returns once it answers
    /// <c>select 1</c>. A server left running in the directory by an earlier process is stopped first.
    /// Throws <see cref="PrerequisiteMissingException"/> when PostgreSQL is not installed.
    /// </summary>
    public static async Task<PostgresServer> StartAsync(string directory, PostgresOptions? options, Action<string>? log, CancellationToken cancellationToken = default)
    {
        options ??= new PostgresOptions();
        log ??= _ => { };
        ToolCheck.EnsurePostgres(options.BinDirectory);

        var stopwatch = Stopwatch.StartNew();
        directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(directory);
        Posix.SetMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (Posix.IsRoot)
        {
            await ChownToPostgresAsync(directory, cancellationToken);
            var reach = await RunAsServerUserAsync("/usr/bin/test", ["-w", directory, "-a", "-x", directory], TimeSpan.FromSeconds(10), null, cancellationToken);
            if (!reach.Succeeded)
            {
                throw new PrerequisiteMissingException(
                    $"the postgres OS user cannot reach {directory}; use a data directory whose parents are world-executable (e.g. under /tmp or /var/lib)");
            }
        }

        await StopLeftoverAsync(directory, log);

        var passwordFile = options.PasswordFile ?? Path.Combine(directory, "password");
        var (password, passwordCreated) = Posix.ReadOrCreateSecret(passwordFile, () => Posix.RandomAlphanumeric(32));

        var dataDirectory = DataDirectoryOf(directory);
        TimeSpan initTime = TimeSpan.Zero;
        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            var initWatch = Stopwatch.StartNew();
            await InitAsync(directory, dataDirectory, options, password, log, cancellationToken);
            initTime = initWatch.Elapsed;
        }
        else if (passwordCreated)
        {
            log($"password file {passwordFile} was missing: setting a new password for {options.UserName}");
            await ResetPasswordAsync(dataDirectory, options, password, cancellationToken);
        }

        for (var attempt = 1; ; attempt++)
        {
            var port = options.Port ?? FreePort.Next();
            var server = new PostgresServer(directory, options, password, port, log) { InitTime = initTime };
            try
            {
                await server.StartProcessAsync();
            }
            catch (PostgresStartException e) when (options.Port is null && attempt < 3 && e.PortInUse)
            {
                log($"port {port} was taken meanwhile; trying another");
                continue;
            }

            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                await server.WaitHealthyAsync("postgres", TimeSpan.FromSeconds(30), cancellationToken);
            }
            catch
            {
                await server.StopAsync();
                throw;
            }

            server.StartupTime = stopwatch.Elapsed;
            log($"ready on {Host}:{port} in {stopwatch.Elapsed.TotalSeconds:0.0} s" + (initTime > TimeSpan.Zero ? $" (initdb {initTime.TotalSeconds:0.0} s)" : ""));
            return server;
        }
    }

    /// <summary>Creates <paramref name="name"/> when it does not exist yet.</summary>
    public async Task EnsureDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        await EnsureDatabaseAsync(ConnectionString("postgres"), name, cancellationToken);
    }

    /// <summary>Creates database <paramref name="name"/> on the server <paramref name="adminConnectionString"/> points at, when missing.</summary>
    public static async Task EnsureDatabaseAsync(string adminConnectionString, string name, CancellationToken cancellationToken = default)
    {
        if (!DatabaseName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a plain database name", nameof(name));
        }

        await using var connection = new NpgsqlConnection(WithoutPooling(adminConnectionString));
        await connection.OpenAsync(cancellationToken);
        await using (var exists = new NpgsqlCommand("select 1 from pg_database where datname = @name", connection))
        {
            exists.Parameters.AddWithValue("name", name);
            if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
            {
                return;
            }
        }

        try
        {
            await using var create = new NpgsqlCommand($"create database \"{name}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Created concurrently: fine.
        }
    }

    /// <summary>Polls <c>select 1</c> on <paramref name="database"/> until it answers or <paramref name="timeout"/> passes.</summary>
    public Task WaitHealthyAsync(string database, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitForSelectOneAsync(ConnectionString(database), timeout, cancellationToken);

    /// <summary>Polls <c>select 1</c> on a connection string until it answers or <paramref name="timeout"/> passes.</summary>
    public static async Task WaitForSelectOneAsync(string connectionString, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        var builder = new NpgsqlConnectionStringBuilder(WithoutPooling(connectionString)) { Timeout = 5 };
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(builder.ConnectionString);
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand("select 1", connection);
                await command.ExecuteScalarAsync(cancellationToken);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                if (e is PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } || DateTime.UtcNow >= deadline)
                {
                    throw new InvalidOperationException($"PostgreSQL at {builder.Host}:{builder.Port} did not answer select 1 on {builder.Database}: {e.Message}", e);
                }
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>Stops the server (pg_ctl stop -m fast; a kill if that fails). Safe to call more than once.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        var pid = Pid != 0 ? Pid : ReadPostmasterPid(DataDirectory);
        try
        {
            var result = await RunAsServerUserAsync(
                Path.Combine(Options.BinDirectory, "pg_ctl"),
                ["-D", DataDirectory, "stop", "-m", "fast", "-w", "-t", "30"],
                TimeSpan.FromSeconds(40),
                null,
                CancellationToken.None);
            if (!result.Succeeded && pid > 0 && Posix.IsAlive(pid))
            {
                _log($"pg_ctl stop failed: {result.Tail(3)}");
            }
        }
        catch (Exception e) when (e is TimeoutException or IOException or System.ComponentModel.Win32Exception)
        {
            _log($"pg_ctl stop failed: {e.Message}");
        }

        if (pid > 0 && Posix.IsAlive(pid))
        {
            await Posix.TerminateAsync(pid, TimeSpan.FromSeconds(5));
        }

        _log("stopped");
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>
    /// Stops a server that an earlier process left running in <paramref name="directory"/> (its postmaster.pid names a
    /// live postgres serving this data directory) and removes a stale postmaster.pid.
    /// </summary>
    public static async Task StopLeftoverAsync(string directory, Action<string>? log = null)
    {
        log ??= _ => { };
        var dataDirectory = DataDirectoryOf(Path.GetFullPath(directory));
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        var pid = ReadPostmasterPid(dataDirectory);
        if (pid <= 0)
        {
            return;
        }

        var commandLine = Posix.IsAlive(pid) ? Posix.CommandLine(pid) : null;
        var ours = commandLine is not null
            && commandLine.Contains("postgres", StringComparison.Ordinal)
            && commandLine.Contains(dataDirectory, StringComparison.Ordinal);
        if (ours)
        {
            log($"stopping a server left running by an earlier run (pid {pid})");
            Posix.Signal(pid, 2); // SIGINT: fast shutdown
            if (!await Posix.WaitForExitAsync(pid, TimeSpan.FromSeconds(30)))
            {
                Posix.Signal(pid, 3); // SIGQUIT: immediate shutdown
                if (!await Posix.WaitForExitAsync(pid, TimeSpan.FromSeconds(5)))
                {
                    Posix.Signal(pid, Posix.SIGKILL);
                    await Posix.WaitForExitAsync(pid, TimeSpan.FromSeconds(5));
                }
            }
        }

        if (!ours || !Posix.IsAlive(pid))
        {
            // Nobody (or another program that got the recycled PID) holds it: stale.
            TryDelete(pidFile);
        }
    }

    private static string DataDirectoryOf(string directory) => Path.Combine(directory, "data");

    private async Task StartProcessAsync()
    {
        var settings = new List<string>
        {
            $"-p {Port}",
            "-c listen_addresses=127.0.0.1",
            "-c unix_socket_directories=''",
            $"-c max_connections={Options.MaxConnections}",
        };
        settings.AddRange(LogSettings.Select(setting => $"-c {setting}"));
        if (!Options.Fsync)
        {
            settings.Add("-c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }

        var result = await RunAsServerUserAsync(
            Path.Combine(Options.BinDirectory, "pg_ctl"),
            ["-D", DataDirectory, "-l", LogFile, "-w", "-t", ((int)Options.StartTimeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", string.Join(' ', settings), "start"],
            Options.StartTimeout + TimeSpan.FromSeconds(15),
            null,
            CancellationToken.None); // not cut short: a half-started server would be left behind
        if (!result.Succeeded)
        {
            var logTail = Tails.OfFile(LogFile, 15);
            Pid = ReadPostmasterPid(DataDirectory);
            if (Pid > 0 && Posix.IsAlive(Pid))
            {
                await Posix.TerminateAsync(Pid, TimeSpan.FromSeconds(10));
            }

            var portInUse = logTail.Contains("could not bind", StringComparison.OrdinalIgnoreCase)
                || logTail.Contains("Address already in use", StringComparison.OrdinalIgnoreCase);
            throw new PostgresStartException($"PostgreSQL did not start (pg_ctl exit {result.ExitCode}):\n{result.Tail(5)}\n--- {LogFile}:\n{logTail}", portInUse);
        }

        Pid = ReadPostmasterPid(DataDirectory);
    }

    private static async Task InitAsync(string directory, string dataDirectory, PostgresOptions options, string password, Action<string> log, CancellationToken cancellationToken)
    {
        if (System.IO.Directory.Exists(dataDirectory))
        {
            // A half-made cluster (initdb interrupted): start again.
            System.IO.Directory.Delete(dataDirectory, recursive: true);
        }

        log($"initialising a new cluster in {dataDirectory}");
        var passwordFile = Path.Combine(directory, ".initdb-password");
        Posix.WritePrivateFile(passwordFile, password + "\n");
        try
        {
            if (Posix.IsRoot)
            {
                await ChownToPostgresAsync(passwordFile, cancellationToken);
            }

            var result = await RunAsServerUserAsync(
                Path.Combine(options.BinDirectory, "initdb"),
                ["-D", dataDirectory, "-U", options.UserName, "--auth=scram-sha-256", $"--pwfile={passwordFile}", "--encoding=UTF8", "--locale=C.UTF-8"],
                TimeSpan.FromMinutes(2),
                null,
                cancellationToken);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"initdb failed (exit {result.ExitCode}):\n{result.Tail()}");
            }
        }
        finally
        {
            TryDelete(passwordFile);
        }
    }

    private static async Task ResetPasswordAsync(string dataDirectory, PostgresOptions options, string password, CancellationToken cancellationToken)
    {
        // Single-user mode needs no login; the password is alphanumeric, so quoting is trivial.
        var result = await RunAsServerUserAsync(
            Path.Combine(options.BinDirectory, "postgres"),
            ["--single", "-D", dataDirectory, "-c", "exit_on_error=true", "postgres"],
            TimeSpan.FromMinutes(1),
            $"alter user \"{options.UserName}\" password '{password}';\n",
            cancellationToken);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"could not reset the password (exit {result.ExitCode}):\n{result.Tail()}");
        }
    }

    private static Task<CommandResult> RunAsServerUserAsync(string file, IReadOnlyList<string> arguments, TimeSpan timeout, string? input, CancellationToken cancellationToken)
    {
        if (Posix.IsRoot)
        {
            return CommandRunner.RunAsync("runuser", ["-u", "postgres", "--", file, .. arguments], null, timeout, input, "/", cancellationToken);
        }

        return CommandRunner.RunAsync(file, arguments, null, timeout, input, "/", cancellationToken);
    }

    private static async Task ChownToPostgresAsync(string path, CancellationToken cancellationToken)
    {
        var result = await CommandRunner.RunAsync("chown", ["postgres:postgres", path], timeout: TimeSpan.FromSeconds(10), cancellationToken: cancellationToken);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"chown postgres {path} failed: {result.Tail(3)}");
        }
    }

    private static int ReadPostmasterPid(string dataDirectory)
    {
        try
        {
            var first = File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).FirstOrDefault();
            return int.TryParse(first?.Trim(), out var pid) ? pid : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static string WithoutPooling(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

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

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]{0,62}$")]
    private static partial Regex DatabaseName();

    private sealed class PostgresStartException(string message, bool portInUse) : Exception(message)
    {
        public bool PortInUse { get; } = portInUse;
    }
}
