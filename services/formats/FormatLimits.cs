namespace CommunityEvals.Formats;

/// <summary>
/// Bounds on untrusted input. Init-only properties with defaults so a service can bind them from
/// configuration (e.g. a <c>Formats:Limits</c> section).
/// </summary>
public sealed record FormatLimits
{
    /// <summary>Larger files are refused before decoding, as "too large" (413).</summary>
    public long MaxFileBytes { get; init; } = 1_048_576;

    /// <summary>Maximum length of a result's <c>notes</c>, in characters.</summary>
    public int MaxNotesLength { get; init; } = 2_000;

    /// <summary>Maximum nesting of mappings and sequences; the root collection is level 1.</summary>
    public int MaxDepth { get; init; } = 32;

    /// <summary>Maximum length of any single scalar (key or value), in characters.</summary>
    public int MaxScalarLength { get; init; } = 65_536;

    /// <summary>Maximum number of items in one <c>.eval_results</c> file (or metrics in one model card).
    /// Real files hold a handful; the bound keeps the work per commit small.</summary>
    public int MaxItemsPerFile { get; init; } = 2_000;

    /// <summary>
    /// Maximum number of YAML nodes (scalars, keys included, lists and mappings) in one file. A 1 MiB
    /// file can hold half a million tiny nodes; stopping early keeps every refusal well under a second.
    /// </summary>
    public int MaxNodes { get; init; } = 100_000;

    /// <summary>
    /// Errors (and, separately, warnings) reported per file before the rest are summarised in one
    /// final issue, so a hostile file cannot make the answer larger than the input by orders of magnitude.
    /// </summary>
    public int MaxIssuesPerFile { get; init; } = 1_000;
}
