using CommunityEvals.Contracts.Events;
using JasperFx.Events;

namespace CommunityEvals.Verification.Evidence;

public sealed class EvidenceEntry
{
    public string EvidenceId { get; set; } = "";

    public string Sha256 { get; set; } = "";

    public long Size { get; set; }

    public string Status { get; set; } = "pending";

    /// <summary>The value (as written) a verified or contradicted piece was last judged against.</summary>
    public string? JudgedValue { get; set; }

    /// <summary>The token a verifying judgement issued; null otherwise.</summary>
    public string? VerifyToken { get; set; }

    /// <summary>A valid, complete log of the model and task: it proves or disputes a value, and is judged again when the value changes.</summary>
    public bool IsAccepted => Status is "verified" or "contradicted";

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

    /// <summary>What people said about the failed samples, oldest first.</summary>
    public List<FailureComment> Comments { get; set; } = [];

    /// <summary>The pieces whose failed samples are published: those a valid log of the model and task made.</summary>
    public string[] PublishedEvidenceIds() => Evidence.Where(e => e.IsAccepted).Select(e => e.EvidenceId).ToArray();

    /// <summary>The token of the latest judgement that verified the result's current claim.</summary>
    public string? VerifyToken => Evidence.Where(e => e.Status == "verified").Select(e => e.VerifyToken).LastOrDefault(token => token is not null);

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

    public void Apply(EvidenceVerified verified) =>
        Settle(verified.EvidenceId, "verified", verified.Checks, verified.Recomputed, verified.ValueText, verified.VerifyToken);

    public void Apply(EvidenceContradicted contradicted) =>
        Settle(contradicted.EvidenceId, "contradicted", contradicted.Checks, contradicted.Recomputed, contradicted.ValueText, null);

    public void Apply(EvidenceRejected rejected) =>
        Settle(rejected.EvidenceId, "rejected", rejected.Checks, rejected.Recomputed, null, null);

    public void Apply(IEvent<FailureCommented> commented) => Comments.Add(new FailureComment
    {
        SampleId = commented.Data.SampleId,
        Author = commented.UserName ?? "",
        Comment = commented.Data.Comment,
        CreatedAt = commented.Timestamp,
    });

    private void Settle(string evidenceId, string status, IReadOnlyList<EvidenceCheck> checks, RecomputedScore? recomputed, string? judgedValue, string? token)
    {
        if (Evidence.FirstOrDefault(e => e.EvidenceId == evidenceId) is { } entry)
        {
            entry.Status = status;
            entry.Checks = checks.ToList();
            entry.Recomputed = recomputed;
            entry.JudgedValue = judgedValue;
            entry.VerifyToken = token;
        }
    }

    private static EvidenceEntry Entry(IEvent<EvidenceSubmitted> submitted) => new()
    {
        EvidenceId = submitted.Data.EvidenceId,
        Sha256 = submitted.Data.Sha256,
        Size = submitted.Data.Size,
        UploadedBy = submitted.UserName ?? "",
        UploadedAt = submitted.Timestamp,
    };
}

public sealed class FailureComment
{
    public string SampleId { get; set; } = "";

    public string Author { get; set; } = "";

    public string Comment { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
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

    /// <summary>The sample's score value as the log has it.</summary>
    public System.Text.Json.JsonElement? Score { get; set; }
}
