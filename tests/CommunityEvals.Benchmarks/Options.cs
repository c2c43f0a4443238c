using System.Globalization;

namespace CommunityEvals.Benchmarks;

/// <summary>
/// Command-line options of the benchmarks. Each command passes its own defaults and the options it
/// understands, so a misspelt or foreign option fails loudly instead of being ignored.
/// </summary>
public sealed record Options(int Clients, TimeSpan Duration)
{
    /// <summary>Commits per second (freshness), scheduled at fixed intervals whatever the answers do.</summary>
    public double Rate { get; init; } = 200;

    /// <summary>Model repos (reads: rows on the board; rebuild: 0 = scale with the events).</summary>
    public int Models { get; init; } = 1000;

    /// <summary>Concurrent connections (reads).</summary>
    public int Connections { get; init; } = 32;

    /// <summary>Events in the store to rebuild from (rebuild).</summary>
    public long Events { get; init; } = 1_000_000;

    /// <summary>Benchmarks (rebuild).</summary>
    public int Benchmarks { get; init; } = 300;

    /// <summary>Which board reads hammer: <c>native</c> (<c>/api/leaderboards/...</c>) or <c>hub</c> (<c>/api/datasets/.../leaderboard</c>).</summary>
    public string Route { get; init; } = "native";

    /// <summary>Freshness: one commit in this many goes to a probe repo whose board row is polled (0: no polling).</summary>
    public int PollEvery { get; init; } = 20;

    /// <summary>Rebuild: how many times to rebuild (the second and later passes tear down full tables first).</summary>
    public int Repeat { get; init; } = 1;

    /// <summary>Reads: send <c>If-None-Match</c> with the board's ETag, as a polling client that keeps it would (answers 304).</summary>
    public bool Conditional { get; init; }

    /// <summary>Reads: send <c>Accept-Encoding: gzip</c>, as browsers and the Hub clients do, and take the compressed body.</summary>
    public bool Gzip { get; init; }

    /// <summary>Rebuild what-if: the daemon's page size (events fetched and applied at once) for every projection; 0 keeps the service's.</summary>
    public int BatchSize { get; init; }

    /// <summary>Rebuild: also rebuild with the projection daemon (each projection alone, then all at once), to compare with the one-pass rebuild.</summary>
    public bool Daemon { get; init; }

    /// <summary>Faults: the resources whose process is killed, in order (comma-separated); empty: every one.</summary>
    public IReadOnlyList<string> Faults { get; init; } = [];

    /// <summary>Rebuild: only these projections (comma-separated names); empty: all of the service's.</summary>
    public IReadOnlyList<string> Projections { get; init; } = [];

    /// <summary>Rebuild what-if: PostgreSQL settings (<c>--pg NAME=VALUE</c>, repeatable) set with ALTER SYSTEM on the private server.</summary>
    public IReadOnlyDictionary<string, string> PostgresSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Extra environment variables for the AppHost and so every service (<c>--env NAME=VALUE</c>, repeatable):
    /// what-if runs such as <c>OTEL_SDK_DISABLED=true</c> or <c>DOTNET_gcServer=0</c> without touching the services.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The <c>commits</c> benchmark's options.</summary>
    public static Options Parse(string[] args) =>
        Parse(args, new Options(16, TimeSpan.FromSeconds(20)), "--clients", "--seconds", "--env");

    public static Options Parse(string[] args, Options defaults, params string[] allowed)
    {
        var options = defaults;
        if (args.Length % 2 != 0)
        {
            throw new ArgumentException($"option {args[^1]} has no value");
        }

        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var (name, value) = (args[i], args[i + 1]);
            if (!allowed.Contains(name))
            {
                throw new ArgumentException($"unknown option {name} (this command takes {string.Join(", ", allowed)})");
            }

            options = name switch
            {
                "--clients" => options with { Clients = Positive(name, int.Parse(value, CultureInfo.InvariantCulture)) },
                "--seconds" => options with { Duration = TimeSpan.FromSeconds(Positive(name, double.Parse(value, CultureInfo.InvariantCulture))) },
                "--rate" => options with { Rate = Positive(name, double.Parse(value, CultureInfo.InvariantCulture)) },
                "--models" => options with { Models = int.Parse(value, CultureInfo.InvariantCulture) },
                "--connections" => options with { Connections = Positive(name, int.Parse(value, CultureInfo.InvariantCulture)) },
                "--events" => options with { Events = Positive(name, long.Parse(value.Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture)) },
                "--benchmarks" => options with { Benchmarks = Positive(name, int.Parse(value, CultureInfo.InvariantCulture)) },
                "--route" when value is "native" or "hub" => options with { Route = value },
                "--route" => throw new ArgumentException("--route is native or hub"),
                "--conditional" when value is "yes" or "no" => options with { Conditional = value == "yes" },
                "--conditional" => throw new ArgumentException("--conditional is yes or no"),
                "--gzip" when value is "yes" or "no" => options with { Gzip = value == "yes" },
                "--gzip" => throw new ArgumentException("--gzip is yes or no"),
                "--poll-every" => options with { PollEvery = int.Parse(value, CultureInfo.InvariantCulture) },
                "--env" when value.IndexOf('=', StringComparison.Ordinal) > 0 => options with
                {
                    Environment = new Dictionary<string, string>(options.Environment) { [value[..value.IndexOf('=', StringComparison.Ordinal)]] = value[(value.IndexOf('=', StringComparison.Ordinal) + 1)..] },
                },
                "--pg" when value.IndexOf('=', StringComparison.Ordinal) > 0 => options with
                {
                    PostgresSettings = new Dictionary<string, string>(options.PostgresSettings) { [value[..value.IndexOf('=', StringComparison.Ordinal)]] = value[(value.IndexOf('=', StringComparison.Ordinal) + 1)..] },
                },
                "--pg" => throw new ArgumentException("--pg takes NAME=VALUE"),
                "--env" => throw new ArgumentException("--env takes NAME=VALUE"),
                "--daemon" when value is "yes" or "no" => options with { Daemon = value == "yes" },
                "--daemon" => throw new ArgumentException("--daemon is yes or no"),
                "--faults" => options with { Faults = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--projections" => options with { Projections = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--batch-size" => options with { BatchSize = Positive(name, int.Parse(value, CultureInfo.InvariantCulture)) },
                "--repeat" => options with { Repeat = Positive(name, int.Parse(value, CultureInfo.InvariantCulture)) },
                _ => throw new ArgumentException($"unknown option {name}"),
            };
        }

        return options;
    }

    /// <summary>The <c>--env</c> options as they were given, for the result block.</summary>
    public string EnvironmentText => string.Concat(Environment.Select(pair => $" --env {pair.Key}={pair.Value}"));

    private static T Positive<T>(string name, T value) where T : System.Numerics.INumber<T> =>
        value > T.Zero ? value : throw new ArgumentException($"{name} must be positive");
}
