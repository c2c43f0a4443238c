using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace CommunityEvals.IntegrationTests.Infrastructure;

/// <summary>
/// The AppHost run as README says, <c>dotnet run --project AppHost</c> (already built, so with
/// <c>--no-build</c>), in a session of its own like a terminal's foreground job, with the dashboard
/// on free ports instead of the launch profile's fixed ones.
/// </summary>
public sealed class AppHostRun : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AppHostRun(Process process, int gatewayPort, int dashboardPort)
    {
        _process = process;
        Gateway = new Uri($"http://127.0.0.1:{gatewayPort}");
        Dashboard = new Uri($"http://localhost:{dashboardPort}");
        process.OutputDataReceived += (_, line) => Append(line.Data);
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri Gateway { get; }

    /// <summary>The dashboard, open to anonymous callers (its telemetry API included) so that a test can read it.</summary>
    public Uri Dashboard { get; }

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

    public static AppHostRun Start(string dataDirectory, int gatewayPort) =>
        Run(["--data-dir", dataDirectory, "--gateway-port", gatewayPort.ToString(CultureInfo.InvariantCulture)], gatewayPort);

    /// <summary>The AppHost with any arguments (e.g. the manifest publisher); wait for it with <see cref="WaitForExitAsync"/>.</summary>
    public static AppHostRun Run(IReadOnlyList<string> arguments, int gatewayPort = 0)
    {
        var configuration = typeof(AppHostRun).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        // setsid: a session of its own, so that a signal to its process group reaches it as Ctrl+C would.
        // env --default-signal: a test host started in the background (`cmd &` in a script) ignores
        // SIGINT, and its children inherit that; the AppHost would never see the Ctrl+C under test.
        var info = new ProcessStartInfo("env")
        {
            ArgumentList =
            {
                "--default-signal=INT,QUIT", "setsid", "dotnet", "run", "--project", Path.Combine(RepoRoot.Path, "AppHost"), "--no-build", "-c", configuration, "--no-launch-profile", "--",
            },
            WorkingDirectory = RepoRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var dashboardPort = TestStack.Stack.FreePort();
        info.Environment["ASPNETCORE_URLS"] = $"http://localhost:{dashboardPort}";
        info.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://localhost:{TestStack.Stack.FreePort()}";
        info.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://localhost:{TestStack.Stack.FreePort()}";
        info.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        info.Environment["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true";
        info.Environment.Remove("COMMUNITYEVALS_ADMIN_TOKEN");
        return new AppHostRun(Process.Start(info)!, gatewayPort, dashboardPort);
    }

    public Task WaitHealthyAsync(TimeSpan timeout) => HealthProbe.WaitAsync(Gateway, timeout, () => _process.HasExited, () => Tail());

    /// <summary>Ctrl+C in its terminal: SIGINT to its whole process group.</summary>
    public Task InterruptAsync() => SignalAsync("-INT", $"-{_process.Id}");

    /// <summary>SIGTERM to the <c>dotnet run</c> process alone, as a service manager would send it.</summary>
    public Task TerminateAsync() => SignalAsync("-TERM", _process.Id.ToString(CultureInfo.InvariantCulture));

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the AppHost did not exit within {timeout}:\n{Tail()}");
        }

        return _process.ExitCode;
    }

    public string Tail(int lines = 40) => string.Join('\n', Output.Split('\n').TakeLast(lines));

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static async Task SignalAsync(string signal, string target)
    {
        using var kill = Process.Start("kill", [signal, "--", target])!;
        await kill.WaitForExitAsync();
    }

    private void Append(string? line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
