using System.Text.RegularExpressions;

namespace CommunityEvals.Platform.Identity;

/// <summary>The Hub's rule for user, org and repo names.</summary>
public static partial class Names
{
    public const int MaxLength = 96;

    [GeneratedRegex("^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?$")]
    private static partial Regex Pattern();

    public static bool IsValid(string? name) =>
        name is not null && Pattern().IsMatch(name) && !name.Contains("--") && !name.Contains("..");

    /// <summary>
    /// First path segments the web pages use (PAGES.md): a user or org of such a name would have pages
    /// nobody could reach. Repo names may use them (they are second segments).
    /// </summary>
    public static readonly IReadOnlySet<string> ReservedNamespaces = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "api", "datasets", "arena", "results", "settings", "events", "login", "logout", "docs", "openapi.json", ".well-known",
    };

    public static bool IsReservedNamespace(string name) => ReservedNamespaces.Contains(name);

    public static string Describe(string field) =>
        $"{field} must be 1-{MaxLength} letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
}
