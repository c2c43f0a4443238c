using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace CommunityEvals.AppHost.Resources;

/// <summary>
/// What a local run keeps on this machine: the data directory (<c>--data-dir</c>, default <c>.data/</c>
/// at the repository root) with the secrets generated for it, and the loopback ports it takes.
/// Publishing the manifest touches none of it.
/// </summary>
public static class LocalRun
{
    public const int DefaultGatewayPort = 5080;

    private const string Alphanumeric = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// <summary>The data directory (absolute), created with a <c>.gitignore</c> of its own when new.</summary>
    public static string DataDirectory(this IDistributedApplicationBuilder builder)
    {
        var directory = Path.GetFullPath(builder.Configuration["data-dir"] ?? Path.Combine(builder.AppHostDirectory, "..", ".data"));
        if (builder.ExecutionContext.IsRunMode && !Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory);
            // Keeps a data directory inside a checkout out of git, wherever it is.
            File.WriteAllText(Path.Combine(directory, ".gitignore"), "*\n");
        }

        return directory;
    }

    /// <summary>A folder of the data directory, created in run mode.</summary>
    public static string DataDirectory(this IDistributedApplicationBuilder builder, params string[] parts)
    {
        var directory = Path.Combine([builder.DataDirectory(), .. parts]);
        if (builder.ExecutionContext.IsRunMode)
        {
            Directory.CreateDirectory(directory);
        }

        return directory;
    }

    /// <summary>The gateway's port: <c>--gateway-port</c>, else the documented 5080.</summary>
    public static int GatewayPort(this IDistributedApplicationBuilder builder)
    {
        var text = builder.Configuration["gateway-port"];
        if (text is null)
        {
            return DefaultGatewayPort;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : throw new ArgumentException($"--gateway-port needs a port number, not '{text}'");
    }

    /// <summary>
    /// A loopback port nobody listens on now. The stack's ports are chosen at each start, so a test run, a
    /// benchmark and a developer's stack can run side by side.
    /// </summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// A secret parameter. In run mode, unless given as Aspire parameters are, its value is <paramref name="environmentVariable"/> when set, else the
    /// content of <paramref name="file"/>, else generated (<paramref name="prefix"/> and 32 letters and digits)
    /// and kept there, readable by its owner only; <paramref name="whenGenerated"/> is told of a new value.
    /// The manifest names it as an input the deployment gives, or generates when <paramref name="generateInManifest"/>
    /// (at least <paramref name="minLength"/> letters and digits).
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddLocalSecret(
        this IDistributedApplicationBuilder builder,
        string name,
        string file,
        string prefix = "",
        string? environmentVariable = null,
        bool generateInManifest = false,
        Action<string>? whenGenerated = null,
        int minLength = 22)
    {
        // A value given the Aspire way (Parameters__<name> in the environment, --Parameters:<name> on the command line) wins.
        if (builder.ExecutionContext.IsRunMode && string.IsNullOrEmpty(builder.Configuration[$"Parameters:{name}"]))
        {
            var value = LocalSecretValue(file, prefix, environmentVariable, out var created);
            builder.Configuration[$"Parameters:{name}"] = value;
            if (created)
            {
                whenGenerated?.Invoke(value);
            }
        }

        return generateInManifest
            ? builder.AddParameter(name, new GenerateParameterDefault { MinLength = minLength, Special = false }, secret: true)
            : builder.AddParameter(name, secret: true);
    }

    /// <summary>
    /// A new password cannot open data made with a lost one: when <paramref name="secretFile"/> is gone but
    /// <paramref name="protectedData"/> is still there, say so instead of failing to log in.
    /// </summary>
    public static void RefuseLostSecret(this IDistributedApplicationBuilder builder, string secretFile, string protectedData)
    {
        if (builder.ExecutionContext.IsRunMode && !File.Exists(secretFile) && Path.Exists(protectedData))
        {
            throw new DistributedApplicationException(
                $"{secretFile} is missing, but the data it opens is still in {protectedData}; put the file back, or delete that data to start empty");
        }
    }

    /// <summary>The value behind <see cref="AddLocalSecret"/>; <paramref name="created"/> tells whether it was generated now.</summary>
    public static string LocalSecretValue(string file, string prefix, string? environmentVariable, out bool created)
    {
        created = false;
        if (environmentVariable is not null && Environment.GetEnvironmentVariable(environmentVariable) is { Length: > 0 } given)
        {
            return given;
        }

        if (File.Exists(file))
        {
            return File.ReadAllText(file).Trim();
        }

        var value = prefix + RandomNumberGenerator.GetString(Alphanumeric, 32);
        WritePrivateFile(file, value + "\n");
        created = true;
        return value;
    }

    /// <summary>Writes (or replaces) a file only its owner may read: it holds a secret.</summary>
    public static void WritePrivateFile(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var writer = new StreamWriter(new FileStream(path, options));
        writer.Write(text);
    }
}
