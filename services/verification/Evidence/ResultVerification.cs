using CommunityEvals.Contracts.Events;
using JasperFx.Events;

namespace CommunityEvals.Verification.Evidence;

public sealed class EvidenceEntry
{
    public string EvidenceId { get; set; } = "";

    public string Sha256 { get; set; } = "";

    public string Status { get; set; } = "pending";

    public List<EvidenceCheck> Checks { get; set; } = [];

    public RecomputedScore? Recomputed { get; set; }

    public string UploadedBy { get; set; } = "";

    public DateTimeOffset UploadedAt { get; set; }
}

/// <summary>
/// A result's evidence and what became of each piece: the verification service's read model of
/// its own evidence stream (id: the stream key, <c>evidence/{resultId}</c>).
/// </summary>
public sealed class ResultVerification
{
    public string Id { get; set; } = "";

    public string ResultId { get; set; } = "";

    public string Repo { get; set; } = "";

    public List<EvidenceEntry> Evidence { get; set; } = [];

    public string? VerifyToken { get; set; }

    /// <summary>The first that applies of verified, contradicted, pending, rejected, none (API.md).</summary>
    public string Status =>
        new[] { "verified", "contradicted", "pending", "rejected" }.FirstOrDefault(status => Evidence.Any(e => e.Status == status)) ?? "none";

    public static ResultVerification Create(IEvent<EvidenceSubmitted> submitted) => new()
    {
        ResultId = submitted.Data.ResultId,
        Repo = submitted.Data.Repo,
        Evidence = [Entry(submitted)],
    };

    public void Apply(IEvent<EvidenceSubmitted> submitted) => Evidence.Add(Entry(submitted));

    public void Apply(EvidenceVerified verified)
    {
        Settle(verified.EvidenceId, "verified", verified.Checks, verified.Recomputed);
        VerifyToken = verified.VerifyToken;
    }

    public void Apply(EvidenceContradicted contradicted) =>
        Settle(contradicted.EvidenceId, "contradicted", contradicted.Checks, contradicted.Recomputed);

    public void Apply(EvidenceRejected rejected) =>
        Settle(rejected.EvidenceId, "rejected", rejected.Checks, rejected.Recomputed);

    public void Apply(FailureCommented _)
    {
    }

    private void Settle(string evidenceId, string status, IReadOnlyList<EvidenceCheck> checks, RecomputedScore? recomputed)
    {
        if (Evidence.FirstOrDefault(e => e.EvidenceId == evidenceId) is { } entry)
        {
            entry.Status = status;
            entry.Checks = checks.ToList();
            entry.Recomputed = recomputed;
        }
    }

    private static EvidenceEntry Entry(IEvent<EvidenceSubmitted> submitted) => new()
    {
        EvidenceId = submitted.Data.EvidenceId,
        Sha256 = submitted.Data.Sha256,
        UploadedBy = submitted.UserName ?? "",
        UploadedAt = submitted.Timestamp,
    };
}

/// <summary>One sample a verifying log scored wrong, public so the failure can be discussed.</summary>
public sealed class FailureSample
{
    public string Id { get; set; } = "";

    public string ResultId { get; set; } = "";

    public string EvidenceId { get; set; } = "";

    public int Order { get; set; }

    public string SampleId { get; set; } = "";

    public int Epoch { get; set; }

    public string? Input { get; set; }

    public string? Target { get; set; }

    public string? Answer { get; set; }

    public string? Explanation { get; set; }
}
