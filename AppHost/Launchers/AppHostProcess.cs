using System.Diagnostics;
using System.Text;

namespace CommunityEvals.AppHost.Launchers;

/// <summary>
/// The AppHost as a newcomer runs it, in a child process: the stack under test is started
/// exactly the way <c>dotnet run --project AppHost</c> starts it.
/// </summary>
public sealed class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AppHostProcess(Process process, string dataDirectory, int gatewayPort)
    {
        _process = process;
        DataDirectory = dataDirectory;
        GatewayPort = gatewayPort;
        Gateway = new Uri($"http://127.0.0.1:{gatewayPort}");
    }

    public string DataDirectory { get; }

    public int GatewayPort { get; }

    public Uri Gateway { get; }

    public int Pid => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// The AppHost as its own project built it, run from there with its own dependencies (a copy
    /// beside a referencing assembly lacks them). Its output folder mirrors the services' ones.
    /// </summary>
    public static string AppHostDll
    {
        get
        {
            var gatewayOutput = new DirectoryInfo(Path.GetDirectoryName(Projects.Gateway.DllPath)!);
            var framework = gatewayOutput.Name;
            var configuration = gatewayOutput.Parent!.Name;
            return Path.Combine(Projects.RepoRoot, "AppHost", "bin", configuration, framework, "CommunityEvals.AppHost.dll");
        }
    }

    public static AppHostProcess Start(string dataDirectory, int gatewayPort, IDictionary<string, string> environment, params string[] extraArguments) =>
        Launch(dataDirectory, gatewayPort, environment, ["--data-dir", dataDirectory, "--gateway-port", gatewayPort.ToString(), .. extraArguments]);

    /// <summary>Runs the AppHost with exactly these arguments (e.g. the manifest publisher).</summary>
    public static AppHostProcess Run(params string[] arguments) =>
        Launch(Path.GetTempPath(), 0, new Dictionary<string, string>(), arguments);

    private static AppHostProcess Launch(string dataDirectory, int gatewayPort, IDictionary<string, string> environment, string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments.Prepend(AppHostDll))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var host = new AppHostProcess(process, dataDirectory, gatewayPort);
        process.OutputDataReceived += (_, line) => host.Append(line.Data);
        process.ErrorDataReceived += (_, line) => host.Append(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Waits until the gateway's /health answers 200, or fails with what the AppHost printed.</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = Gateway, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The AppHost exited with {_process.ExitCode}:\n{Tail()}");
            }

            try
            {
                using var response = await client.GetAsync("/health");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"The gateway was not healthy within {timeout}:\n{Tail()}");
    }

    /// <summary>Waits for a run that ends by itself (e.g. writing the manifest) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancellation.Token);
        return _process.ExitCode;
    }

    /// <summary>Stops it as Ctrl+C or a service manager would: SIGTERM, then waits for a clean exit.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            Posix.Signal(_process.Id, Posix.SIGTERM);
            using var cancellation = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
                throw new TimeoutException($"The AppHost did not stop within {timeout} of SIGTERM:\n{Tail()}");
            }
        }

        return _process.ExitCode;
    }

    public string Tail(int lines = 60) =>
        string.Join('\n', Output.Split('\n').TakeLast(lines));

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
