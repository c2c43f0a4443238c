using System.Text.RegularExpressions;

namespace CommunityEvals.AppHost.Launchers;

/// <summary>
/// The services the AppHost of a <see cref="LocalStack"/> runs: their processes (from the AppHost's
/// <c>&lt;data-dir&gt;/run/&lt;name&gt;.pid</c> records) and their URLs, for benchmarks and tests
/// that must reach a service without the gateway.
/// </summary>
public static partial class ServiceProcesses
{
    /// <summary>The AppHost resource names of the services.</summary>
    public static readonly string[] Services = ["ingestion", "verification", "leaderboard-projection", "gateway"];

    public static string RunDirectory(LocalStack stack) => Path.Combine(stack.AppHost.DataDirectory, "run");

    /// <summary>The live process the AppHost recorded for <paramref name="name"/>, or null.</summary>
    public static int? Pid(LocalStack stack, string name) =>
        ProcessRecord.ReadAll(RunDirectory(stack)).FirstOrDefault(r => r.Name == name && r.IsRunning)?.Pid;

    /// <summary>
    /// The base URL of a service behind the gateway. First choice: what the gateway itself was told
    /// (its <c>services__{name}__http__0</c>, the address YARP forwards to, read from the gateway
    /// process's environment); then the service's own <c>ASPNETCORE_URLS</c>; then the AppHost's
    /// "started {name} (pid N) on URL" line. The first that answers <c>/health</c> with 200 wins.
    /// </summary>
    public static async Task<(Uri Url, string Source)> UrlAsync(LocalStack stack, string name)
    {
        var candidates = new List<(string Url, string Source)>();
        if (Pid(stack, "gateway") is { } gateway
            && Posix.ProcessEnvironment(gateway).TryGetValue($"services__{name}__http__0", out var forwarded))
        {
            candidates.Add((forwarded, "the gateway's service discovery entry"));
        }

        if (Pid(stack, name) is { } pid && Posix.ProcessEnvironment(pid).TryGetValue("ASPNETCORE_URLS", out var urls))
        {
            candidates.AddRange(urls.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(url => (url, $"{name}'s ASPNETCORE_URLS")));
        }

        foreach (Match match in StartedLine().Matches(stack.AppHost.Output))
        {
            if (match.Groups["name"].Value == name)
            {
                candidates.Add((match.Groups["url"].Value, "the AppHost's output"));
            }
        }

        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var (url, source) in candidates)
        {
            try
            {
                var uri = new Uri(url.TrimEnd('/'));
                using var response = await probe.GetAsync(new Uri(uri, "/health"));
                if (response.IsSuccessStatusCode)
                {
                    return (uri, source);
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or UriFormatException)
            {
                // Try the next one.
            }
        }

        throw new InvalidOperationException(
            $"could not find a healthy URL for {name}; tried: {string.Join(", ", candidates.Select(c => c.Url))}\n{stack.AppHost.Tail()}");
    }

    [GeneratedRegex(@"started (?<name>[a-z0-9-]+) \(pid \d+\) on (?<url>https?://[^\s;]+)")]
    private static partial Regex StartedLine();
}
