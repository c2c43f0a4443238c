using System.Reflection;

namespace CommunityEvals.AppHost;

/// <summary>
/// The services the AppHost runs, with their project file and built DLL (our stand-in for the <c>Projects.*</c>
/// classes Aspire generates). The paths are embedded at build time as assembly metadata by the EmbedServiceProjects
/// target in CommunityEvals.AppHost.csproj, from the csproj's ProjectReference items.
/// </summary>
public static class Projects
{
    private const string Prefix = "CommunityEvals.";

    private static readonly Dictionary<string, string> Metadata = typeof(Projects).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Where(a => a.Key.StartsWith(Prefix, StringComparison.Ordinal) && a.Value is not null)
        .ToDictionary(a => a.Key, a => a.Value!, StringComparer.Ordinal);

    public static ProjectMetadata Ingestion => Get("ingestion");

    public static ProjectMetadata Verification => Get("verification");

    public static ProjectMetadata LeaderboardProjection => Get("leaderboard-projection");

    public static ProjectMetadata Gateway => Get("gateway");

    /// <summary>The repository root (the directory holding AppHost/), as it was at build time.</summary>
    public static string RepoRoot => Path.GetFullPath(Value("RepoRoot"));

    /// <summary>Every embedded project by resource name.</summary>
    public static IReadOnlyDictionary<string, ProjectMetadata> All =>
        Metadata.Keys
            .Where(k => k.StartsWith(Prefix + "Project.", StringComparison.Ordinal) && k.EndsWith(".ProjectPath", StringComparison.Ordinal))
            .Select(k => k[(Prefix + "Project.").Length..^".ProjectPath".Length])
            .Order(StringComparer.Ordinal)
            .ToDictionary(name => name, Get, StringComparer.Ordinal);

    /// <summary>The metadata of the project whose resource name is <paramref name="resourceName"/>.</summary>
    public static ProjectMetadata Get(string resourceName) =>
        new(Value($"Project.{resourceName}.ProjectPath"), Value($"Project.{resourceName}.DllPath"));

    private static string Value(string key) =>
        Metadata.TryGetValue(Prefix + key, out var value)
            ? value
            : throw new InvalidOperationException($"The AppHost assembly has no '{Prefix}{key}' metadata; rebuild AppHost.");
}
