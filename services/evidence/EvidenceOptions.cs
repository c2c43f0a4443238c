namespace CommunityEvals.Evidence;

/// <summary>
/// Limits applied while reading an Inspect log. Every violation becomes a failed <c>readable</c> check,
/// never an exception escaping <see cref="EvidenceVerifier"/>. Defaults fit a 2-core, 24 GiB machine.
/// </summary>
public sealed record EvidenceOptions
{
    public static EvidenceOptions Default { get; } = new();

    /// <summary>Largest log accepted as uploaded (the <c>.json</c> file, or the <c>.eval</c> zip itself).</summary>
    public long MaxLogBytes { get; init; } = 4L * 1024 * 1024 * 1024;

    /// <summary><c>.eval</c>: the most bytes all entries may inflate to, declared or actually read.</summary>
    public long MaxUncompressedBytes { get; init; } = 8L * 1024 * 1024 * 1024;

    /// <summary><c>.eval</c>: the most bytes one entry may inflate to.</summary>
    public long MaxEntryBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary><c>.eval</c>: the most entries an archive may hold (samples x epochs plus a few).</summary>
    public int MaxEntries { get; init; } = 1_000_000;

    /// <summary><c>.eval</c>: the highest uncompressed/compressed ratio of an entry (Inspect's JSON is about 5).</summary>
    public double MaxCompressionRatio { get; init; } = 100;

    /// <summary><c>.eval</c>: entries smaller than this are not held to <see cref="MaxCompressionRatio"/>.</summary>
    public long RatioCheckMinBytes { get; init; } = 1024 * 1024;

    /// <summary>The most bytes of <c>eval</c>, <c>results</c> (or another header value) read into memory.</summary>
    public int MaxHeaderValueBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>The most bytes of one sample field (input, target, output, scores, error) or one JSON token.</summary>
    public int MaxSampleValueBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>Deepest JSON nesting accepted.</summary>
    public int MaxJsonDepth { get; init; } = 256;

    /// <summary>Sample texts (input, target, completion, answer, explanation) are cut to this many characters.</summary>
    public int MaxTextChars { get; init; } = 4000;

    /// <summary>How many failed samples a report keeps (the total is always counted).</summary>
    public int MaxFailures { get; init; } = 10_000;

    /// <summary>How many samples' answers a report keeps for the arena.</summary>
    public int MaxAnswers { get; init; } = 20_000;

    /// <summary>Each text of a kept failure is cut to this many characters.</summary>
    public int MaxFailureTextChars { get; init; } = 1000;
}
