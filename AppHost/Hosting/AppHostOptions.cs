namespace CommunityEvals.AppHost.Hosting;

/// <summary>The AppHost's command line.</summary>
public sealed record AppHostOptions
{
    public const int DefaultGatewayPort = 5080;

    public const string Usage = """
        usage: dotnet run --project AppHost [-- options]
          --data-dir <dir>          where data, secrets, logs and pid files live (default: <repo>/.data)
          --gateway-port <port>     the gateway's port on 127.0.0.1 (default: 5080)
          --no-fsync                run PostgreSQL with fsync=off (throwaway test data only)
          --publisher manifest      write the Aspire manifest instead of running, with:
          --output-path <file>      where to write it (default: aspire-manifest.json)
        Connection strings already set in the environment (ConnectionStrings__evals, ConnectionStrings__eventbus)
        are passed to the services and the matching server is not started.
        """;

    /// <summary>The data directory (absolute).</summary>
    public string DataDirectory { get; init; } = Path.Combine(Projects.RepoRoot, ".data");

    public int GatewayPort { get; init; } = DefaultGatewayPort;

    /// <summary>PostgreSQL with fsync=off (tests only).</summary>
    public bool NoFsync { get; init; }

    public string? Publisher { get; init; }

    public string? OutputPath { get; init; }

    public bool ShowHelp { get; init; }

    /// <summary>Parses <c>--name value</c> and <c>--name=value</c>; throws <see cref="ArgumentException"/> on anything else.</summary>
    public static AppHostOptions Parse(IReadOnlyList<string> args)
    {
        var options = new AppHostOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inline = null;
            var eq = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            switch (arg)
            {
                case "--data-dir":
                    options = options with { DataDirectory = Path.GetFullPath(Value()) };
                    break;
                case "--gateway-port":
                    var text = Value();
                    if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
                    {
                        throw new ArgumentException($"--gateway-port needs a port number, not '{text}'");
                    }

                    options = options with { GatewayPort = port };
                    break;
                case "--no-fsync":
                    options = options with { NoFsync = true };
                    break;
                case "--publisher":
                    options = options with { Publisher = Value() };
                    break;
                case "--output-path":
                    options = options with { OutputPath = Value() };
                    break;
                case "-h" or "--help" or "-?":
                    options = options with { ShowHelp = true };
                    break;
                default:
                    throw new ArgumentException($"unknown option '{args[i]}'");
            }

            string Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new ArgumentException($"{arg} needs a value");
                }

                return args[++i];
            }
        }

        return options;
    }
}
