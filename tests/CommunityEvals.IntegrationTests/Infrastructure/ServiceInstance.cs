using System.Diagnostics;
using System.Text;

namespace CommunityEvals.IntegrationTests.Infrastructure;

/// <summary>
/// One more instance of a service, run as its own process from the test's output folder (the
/// scale-out test's second projection node), with the environment the AppHost would give it.
/// </summary>
public sealed class ServiceInstance : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServiceInstance(Process process, Uri url)
    {
        _process = process;
        Url = url;
        process.OutputDataReceived += (_, line) => Append(line.Data);
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri Url { get; }

    public static ServiceInstance Start(string assembly, IReadOnlyDictionary<string, string> environment)
    {
        var port = TestStack.Stack.FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, assembly + ".dll") },
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        return new ServiceInstance(Process.Start(info)!, new Uri($"http://127.0.0.1:{port}"));
    }

    public Task WaitHealthyAsync(TimeSpan timeout) => HealthProbe.WaitAsync(Url, timeout, () => _process.HasExited, () => Tail());

    /// <summary>Stops it as the orchestrator would (SIGTERM, a graceful shutdown), killing it if it hangs.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public string Tail()
    {
        lock (_output)
        {
            return string.Join('\n', _output.ToString().Split('\n').TakeLast(30));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
