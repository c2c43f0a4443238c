namespace CommunityEvals.Contracts.Events;

/// <summary>One named check of a piece of evidence (API.md "Verification").</summary>
public sealed record EvidenceCheck(string Name, bool Ok, string Detail);

/// <summary>The headline recomputed from a log's per-sample records; <see cref="Value"/> is Inspect's fraction.</summary>
public sealed record RecomputedScore(double Value, double Stderr, int Samples);

/// <summary>
/// Someone uploaded an Inspect log as evidence for a result. The bytes are stored once under
/// their SHA-256; the event carries the hash, never the bytes. <paramref name="Repo"/> is the
/// result's model repo (<c>org/name</c>).
/// </summary>
public sealed record EvidenceSubmitted(string ResultId, string Repo, string EvidenceId, string Sha256, long Size);

/// <summary>
/// A valid, complete log of this model and task agrees with the result: it earns the badge, for the
/// value it was judged against (<paramref name="ValueText"/>, as written in the YAML). The same piece of
/// evidence is judged again when the result's value changes, and carried to the main result a merge
/// makes of it. Events written before values were recorded have none: they judged the value the
/// result had when they were appended.
/// </summary>
public sealed record EvidenceVerified(
    string ResultId, string Repo, string EvidenceId, IReadOnlyList<EvidenceCheck> Checks, RecomputedScore Recomputed, string VerifyToken, int Failures,
    string? ValueText = null);

/// <summary>A valid, complete log of this model and task disagrees with the result's value (<paramref name="ValueText"/>): it is disputed.</summary>
public sealed record EvidenceContradicted(
    string ResultId, string Repo, string EvidenceId, IReadOnlyList<EvidenceCheck> Checks, RecomputedScore Recomputed, int Failures,
    string? ValueText = null);

/// <summary>The log cannot serve as evidence for this result; the result is unchanged.</summary>
public sealed record EvidenceRejected(
    string ResultId, string Repo, string EvidenceId, IReadOnlyList<EvidenceCheck> Checks, RecomputedScore? Recomputed);

/// <summary>A comment on one sample a verifying log scored wrong.</summary>
public sealed record FailureCommented(string ResultId, string Repo, string SampleId, string Comment);
