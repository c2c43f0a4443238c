using System.Diagnostics;
using System.Net;

namespace CommunityEvals.AppHost.Launchers;

/// <summary>What <see cref="ServiceProcess.Start"/> runs.</summary>
public sealed record ServiceStartInfo
{
    /// <summary>The resource name (log prefix, log file name).</summary>
    public required string Name { get; init; }

    /// <summary>The program, e.g. the dotnet host.</summary>
    public required string FileName { get; init; }

    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Variables to set (a null value removes an inherited one); everything else is inherited.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    public string? WorkingDirectory { get; init; }

    /// <summary>The port the service listens on (127.0.0.1); its health is <c>GET /health</c> there.</summary>
    public required int Port { get; init; }

    /// <summary>Each output line is appended here (created if missing).</summary>
    public required string LogFile { get; init; }

    /// <summary>Also called with each output line (stdout and stderr), e.g. to echo it with a prefix.</summary>
    public Action<string>? OnOutput { get; init; }
}

/// <summary>
/// A long-running child (a service) started in its own session with setsid (so a terminal's Ctrl+C reaches only the
/// AppHost; the PID is kept, and it leads its own process group), its output logged, its health polled on /health.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(5) })
    {
        Timeout = TimeSpan.FromSeconds(5),
    };

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logGate = new();
    private readonly TaskCompletionSource _outputDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<string>? _onOutput;
    private int _openStreams = 2;
    private int _stopped;

    private ServiceProcess(ServiceStartInfo info, Process process, StreamWriter log)
    {
        Info = info;
        _process = process;
        _log = log;
        _onOutput = info.OnOutput;
        Pid = process.Id;
        StartTime = Posix.StartTime(Pid) ?? 0;
        Exited = process.WaitForExitAsync();
    }

    public ServiceStartInfo Info { get; }

    public string Name => Info.Name;

    public int Pid { get; }

    /// <summary>The process start time (see <see cref="Posix.StartTime"/>), to tell a recycled PID apart.</summary>
    public long StartTime { get; }

    public int Port => Info.Port;

    public string Url => $"http://127.0.0.1:{Info.Port}";

    /// <summary>Completes when the process has exited.</summary>
    public Task Exited { get; }

    public bool HasExited => _process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>True once <see cref="StopAsync"/> was called (an exit after that is expected).</summary>
    public bool IsStopping => Volatile.Read(ref _stopped) == 1;

    /// <summary>Starts the process (<c>setsid FileName Arguments…</c>).</summary>
    public static ServiceProcess Start(ServiceStartInfo info)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(info.LogFile))!);
        var log = new StreamWriter(new FileStream(info.LogFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete)) { AutoFlush = true };
        log.WriteLine($"---- {DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss zzz} starting {info.FileName} {string.Join(' ', info.Arguments)} on port {info.Port}");

        var start = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = info.WorkingDirectory ?? Path.GetDirectoryName(info.FileName) ?? "/",
        };
        start.ArgumentList.Add(info.FileName);
        foreach (var argument in info.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in info.Environment)
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        ServiceProcess? service = null;
        process.OutputDataReceived += (_, e) => service?.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => service?.OnLine(e.Data);
        try
        {
            process.Start();
        }
        catch
        {
            log.Dispose();
            process.Dispose();
            throw;
        }

        service = new ServiceProcess(info, process, log);
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>
    /// Polls <c>GET /health</c> until it answers 200. Throws <see cref="ServiceFailedException"/> (with the last lines
    /// of the log) when the process exits first or <paramref name="timeout"/> passes.
    /// </summary>
    public async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        var url = $"{Url}/health";
        var last = "no answer yet";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (HasExited)
            {
                await Task.WhenAny(_outputDone.Task, Task.Delay(1000, CancellationToken.None));
                throw Failed($"{Name} exited with code {ExitCode} before it became healthy");
            }

            try
            {
                using var response = await Http.GetAsync(url, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {response.ReasonPhrase}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                last = "request timed out";
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw Failed($"{Name} did not answer 200 on {url} within {timeout.TotalSeconds:0} s (last: {last})");
            }

            await Task.WhenAny(Exited, Task.Delay(300, cancellationToken));
        }
    }

    /// <summary>The last lines of this service's log file.</summary>
    public string LogTail(int lines = 20)
    {
        lock (_logGate)
        {
            _log.Flush();
        }

        return Tails.OfFile(Info.LogFile, lines);
    }

    /// <summary>SIGTERM to the service's process group, up to <paramref name="grace"/> to exit, then SIGKILL.</summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            await Exited;
            return;
        }

        if (!HasExited)
        {
            Posix.SignalGroup(Pid, Posix.SIGTERM);
            if (!HasExited && await Task.WhenAny(Exited, Task.Delay(grace ?? TimeSpan.FromSeconds(10))) != Exited)
            {
                Posix.SignalGroup(Pid, Posix.SIGKILL);
                Posix.Signal(Pid, Posix.SIGKILL);
            }
        }

        await Exited;
        Posix.SignalGroup(Pid, Posix.SIGKILL); // anything it started that is still around
        await Task.WhenAny(_outputDone.Task, Task.Delay(1000));
        lock (_logGate)
        {
            _log.WriteLine($"---- {DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss zzz} exited with code {_process.ExitCode}");
            _log.Dispose();
        }

        _process.Dispose();
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private ServiceFailedException Failed(string message) => new($"{message}. Last lines of {Info.LogFile}:\n{LogTail()}");

    private void OnLine(string? line)
    {
        if (line is null)
        {
            if (Interlocked.Decrement(ref _openStreams) == 0)
            {
                _outputDone.TrySetResult();
            }

            return;
        }

        lock (_logGate)
        {
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }

        _onOutput?.Invoke(line);
    }
}

/// <summary>A service exited early or never became healthy. The message holds the last lines of its log.</summary>
public sealed class ServiceFailedException(string message) : Exception(message);

/// <summary>
/// One pid file per child under a run directory: the PID on the first line, then key=value lines (start_time tells a
/// recycled PID apart; kind and directory say how to stop it). Used to clean up after a crashed AppHost.
/// </summary>
public sealed record ProcessRecord(string Name, string Kind, int Pid, long StartTime, string? Directory = null)
{
    public const string ServiceKind = "service";
    public const string PostgresKind = "postgres";
    public const string RabbitMqKind = "rabbitmq";

    public static string PathOf(string runDirectory, string name) => Path.Combine(runDirectory, $"{name}.pid");

    public void Write(string runDirectory)
    {
        System.IO.Directory.CreateDirectory(runDirectory);
        var lines = new List<string>
        {
            Pid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"name={Name}",
            $"kind={Kind}",
            $"start_time={StartTime.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
        };
        if (Directory is not null)
        {
            lines.Add($"directory={Directory}");
        }

        var path = PathOf(runDirectory, Name);
        File.WriteAllText(path + ".tmp", string.Join('\n', lines) + "\n");
        File.Move(path + ".tmp", path, overwrite: true);
    }

    public static void Delete(string runDirectory, string name)
    {
        try
        {
            File.Delete(PathOf(runDirectory, name));
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Every readable record in <paramref name="runDirectory"/>.</summary>
    public static IReadOnlyList<ProcessRecord> ReadAll(string runDirectory)
    {
        var records = new List<ProcessRecord>();
        if (!System.IO.Directory.Exists(runDirectory))
        {
            return records;
        }

        foreach (var file in System.IO.Directory.EnumerateFiles(runDirectory, "*.pid").Order(StringComparer.Ordinal))
        {
            try
            {
                var lines = File.ReadAllLines(file);
                if (lines.Length == 0 || !int.TryParse(lines[0].Trim(), out var pid))
                {
                    continue;
                }

                var values = lines.Skip(1)
                    .Select(l => l.Split('=', 2))
                    .Where(p => p.Length == 2)
                    .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
                records.Add(new ProcessRecord(
                    values.GetValueOrDefault("name", Path.GetFileNameWithoutExtension(file)),
                    values.GetValueOrDefault("kind", ServiceKind),
                    pid,
                    long.TryParse(values.GetValueOrDefault("start_time"), out var start) ? start : 0,
                    values.GetValueOrDefault("directory")));
            }
            catch (IOException)
            {
            }
        }

        return records;
    }

    /// <summary>True when the recorded process still runs (same PID and same start time).</summary>
    public bool IsRunning => Posix.IsSameProcess(Pid, StartTime);
}
