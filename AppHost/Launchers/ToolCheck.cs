namespace CommunityEvals.AppHost.Launchers;

/// <summary>
/// A prerequisite (a server's binaries) is missing. The message is one line meant for a person, with the install
/// command; print it as it is, without a stack trace.
/// </summary>
public sealed class PrerequisiteMissingException(string message) : Exception(message);

/// <summary>Checks that the binaries the launchers run are installed, with a one-line install hint when not.</summary>
public static class ToolCheck
{
    public const string DefaultPostgresBinDirectory = "/usr/lib/postgresql/15/bin";
    public const string DefaultRabbitMqScriptsDirectory = "/usr/lib/rabbitmq/bin";

    public const string PostgresInstallHint = "PostgreSQL 15 is not installed; run: apt-get install -y postgresql-15";
    public const string RabbitMqInstallHint = "RabbitMQ is not installed; run: apt-get install -y rabbitmq-server";

    /// <summary>Null when PostgreSQL's server binaries are in <paramref name="binDirectory"/>, else the one-line hint.</summary>
    public static string? PostgresProblem(string binDirectory = DefaultPostgresBinDirectory)
    {
        string[] tools = ["initdb", "pg_ctl", "postgres"];
        if (!tools.All(tool => File.Exists(Path.Combine(binDirectory, tool))))
        {
            return PostgresInstallHint;
        }

        if (Posix.IsRoot && !File.Exists("/usr/sbin/runuser") && !File.Exists("/usr/bin/runuser"))
        {
            return "PostgreSQL refuses to run as root and runuser is missing; run: apt-get install -y util-linux";
        }

        return null;
    }

    /// <summary>Null when RabbitMQ's scripts (and Erlang's epmd) are installed, else the one-line hint.</summary>
    public static string? RabbitMqProblem(string scriptsDirectory = DefaultRabbitMqScriptsDirectory)
    {
        string[] tools = ["rabbitmq-server", "rabbitmqctl"];
        if (!tools.All(tool => File.Exists(Path.Combine(scriptsDirectory, tool))) || FindOnPath("epmd") is null)
        {
            return RabbitMqInstallHint;
        }

        return null;
    }

    /// <summary>Throws <see cref="PrerequisiteMissingException"/> when PostgreSQL is missing.</summary>
    public static void EnsurePostgres(string binDirectory = DefaultPostgresBinDirectory)
    {
        if (PostgresProblem(binDirectory) is { } problem)
        {
            throw new PrerequisiteMissingException(problem);
        }
    }

    /// <summary>Throws <see cref="PrerequisiteMissingException"/> when RabbitMQ is missing.</summary>
    public static void EnsureRabbitMq(string scriptsDirectory = DefaultRabbitMqScriptsDirectory)
    {
        if (RabbitMqProblem(scriptsDirectory) is { } problem)
        {
            throw new PrerequisiteMissingException(problem);
        }
    }

    /// <summary>The full path of an executable found on PATH, or null.</summary>
    public static string? FindOnPath(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        foreach (var dir in new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin" })
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The dotnet host to run service DLLs with: the one running this process, else the one on PATH.</summary>
    public static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        if (Environment.ProcessPath is { } processPath && Path.GetFileNameWithoutExtension(processPath) == "dotnet")
        {
            return processPath;
        }

        // .../dotnet/shared/Microsoft.NETCore.App/<version>/ -> .../dotnet/dotnet
        var runtimeDir = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();
        var root = Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", ".."));
        var beside = Path.Combine(root, "dotnet");
        if (File.Exists(beside))
        {
            return beside;
        }

        return FindOnPath("dotnet") ?? "dotnet";
    }
}
