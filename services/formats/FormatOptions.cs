using System.Reflection;
using System.Text.Json;

namespace CommunityEvals.Formats;

/// <summary>Everything a <see cref="FormatParser"/> can be configured with.</summary>
public sealed record FormatOptions
{
    // A fresh instance rather than a shared one: configuration binders write into existing values.
    public FormatLimits Limits { get; init; } = new();

    /// <summary>
    /// Allowed values of <c>evaluation_framework</c>; null means <see cref="DefaultEvaluationFrameworks"/>.
    /// The Hub grows its list by pull request, so this is configuration, not code.
    /// </summary>
    public IReadOnlyList<string>? EvaluationFrameworks { get; init; }

    /// <summary>The list shipped with the library (<c>evaluation-frameworks.json</c>, as on the Hub).</summary>
    public static IReadOnlyList<string> DefaultEvaluationFrameworks => ShippedFrameworks.Value;

    private static readonly Lazy<IReadOnlyList<string>> ShippedFrameworks = new(LoadShippedFrameworks);

    private static IReadOnlyList<string> LoadShippedFrameworks()
    {
        using var stream = Assembly.GetExecutingAssembly()
            .GetManifestResourceStream("CommunityEvals.Formats.evaluation-frameworks.json")
            ?? throw new InvalidOperationException("evaluation-frameworks.json is not embedded in CommunityEvals.Formats.");
        var names = JsonSerializer.Deserialize<string[]>(stream)
            ?? throw new InvalidOperationException("evaluation-frameworks.json is empty.");
        return Array.AsReadOnly(names);
    }
}
