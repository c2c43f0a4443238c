using CommunityEvals.Contracts.Events;

namespace CommunityEvals.LeaderboardProjection.Shared;

/// <summary>One piece of evidence for a result and where verification left it.</summary>
public sealed class EvidencePiece
{
    public string EvidenceId { get; set; } = "";

    /// <summary><c>pending</c>, <c>verified</c>, <c>contradicted</c> or <c>rejected</c>.</summary>
    public string Status { get; set; } = EvidenceStatuses.Pending;

    /// <summary>The value (as written) a verified or contradicted piece was judged against.</summary>
    public string? JudgedValue { get; set; }

    /// <summary>The standard error recomputed from the log, as Inspect's fraction.</summary>
    public double? Stderr { get; set; }

    public void Judge(string status, string? judgedValue, double? stderr)
    {
        Status = status;
        JudgedValue = judgedValue;
        Stderr = stderr;
    }
}

public static class EvidenceStatuses
{
    public const string Verified = "verified";
    public const string Contradicted = "contradicted";
    public const string Pending = "pending";
    public const string Rejected = "rejected";
    public const string None = "none";
}

/// <summary>What the views show of a result's trust: the same for the boards, the model pages and the result route.</summary>
/// <param name="Status">The first that applies of verified, contradicted, pending, rejected, none (API.md).</param>
/// <param name="Stderr">From a log that verifies the current value, as Inspect's fraction.</param>
public readonly record struct EvidenceStanding(string Status, bool Verified, bool Disputed, double? Stderr);

/// <summary>
/// A result's evidence, each piece with the value it was judged against. A piece proves (or
/// disputes) only that value: once the result's value changes, it counts as pending until
/// verification has judged it again. So the badge follows the value in every view.
/// </summary>
public sealed class ResultEvidence
{
    public List<EvidencePiece> Pieces { get; set; } = [];

    /// <summary>Folds one evidence event about this result; <paramref name="currentValue"/> is the result's value when it is folded.</summary>
    /// <returns>False when the event is not about evidence.</returns>
    public bool Apply(object data, string? currentValue)
    {
        switch (data)
        {
            case EvidenceSubmitted submitted:
                PieceOf(submitted.EvidenceId).Status = EvidenceStatuses.Pending;
                return true;
            case EvidenceVerified verified:
                PieceOf(verified.EvidenceId).Judge(EvidenceStatuses.Verified, verified.ValueText ?? currentValue, verified.Recomputed.Stderr);
                return true;
            case EvidenceContradicted contradicted:
                PieceOf(contradicted.EvidenceId).Judge(EvidenceStatuses.Contradicted, contradicted.ValueText ?? currentValue, contradicted.Recomputed.Stderr);
                return true;
            case EvidenceRejected rejected:
                PieceOf(rejected.EvidenceId).Judge(EvidenceStatuses.Rejected, null, null);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Folds one evidence event into the evidence of the result it names (kept by result id).</summary>
    /// <param name="currentValueOf">The value of a result, by id, when the event is folded.</param>
    public static bool Evolve(Dictionary<string, ResultEvidence> byResult, object data, Func<string, string?> currentValueOf)
    {
        if (ResultIdOf(data) is not { } resultId)
        {
            return false;
        }

        if (!byResult.TryGetValue(resultId, out var evidence))
        {
            evidence = new ResultEvidence();
            byResult[resultId] = evidence;
        }

        return evidence.Apply(data, currentValueOf(resultId));
    }

    /// <summary>The result of <see cref="EvidenceSubmitted"/>, <see cref="EvidenceVerified"/>, <see cref="EvidenceContradicted"/> or <see cref="EvidenceRejected"/>; null for other events.</summary>
    public static string? ResultIdOf(object data) => data switch
    {
        EvidenceSubmitted e => e.ResultId,
        EvidenceVerified e => e.ResultId,
        EvidenceContradicted e => e.ResultId,
        EvidenceRejected e => e.ResultId,
        _ => null,
    };

    /// <summary>The model repo of an evidence event; null for other events.</summary>
    public static string? RepoOf(object data) => data switch
    {
        EvidenceSubmitted e => e.Repo,
        EvidenceVerified e => e.Repo,
        EvidenceContradicted e => e.Repo,
        EvidenceRejected e => e.Repo,
        _ => null,
    };

    /// <param name="value">The result's value now, as written.</param>
    /// <param name="tokenVerified">Whether the item carried a verifyToken for this value at commit.</param>
    public static EvidenceStanding StandingOf(ResultEvidence? evidence, string value, bool tokenVerified)
    {
        bool verified = false, contradicted = false, pending = false, rejected = false;
        double? stderr = null;
        foreach (var piece in evidence?.Pieces ?? [])
        {
            var judgesThisValue = string.Equals(piece.JudgedValue, value, StringComparison.Ordinal);
            switch (piece.Status)
            {
                case EvidenceStatuses.Verified when judgesThisValue:
                    verified = true;
                    stderr = piece.Stderr;
                    break;
                case EvidenceStatuses.Contradicted when judgesThisValue:
                    contradicted = true;
                    break;
                case EvidenceStatuses.Verified or EvidenceStatuses.Contradicted or EvidenceStatuses.Pending:
                    // Not judged yet, or judged against another value: verification judges it again.
                    pending = true;
                    break;
                case EvidenceStatuses.Rejected:
                    rejected = true;
                    break;
            }
        }

        var status = verified || tokenVerified ? EvidenceStatuses.Verified
            : contradicted ? EvidenceStatuses.Contradicted
            : pending ? EvidenceStatuses.Pending
            : rejected ? EvidenceStatuses.Rejected
            : EvidenceStatuses.None;
        return new EvidenceStanding(status, verified || tokenVerified, contradicted, stderr);
    }

    private EvidencePiece PieceOf(string evidenceId)
    {
        var piece = Pieces.FirstOrDefault(p => p.EvidenceId == evidenceId);
        if (piece is null)
        {
            piece = new EvidencePiece { EvidenceId = evidenceId };
            Pieces.Add(piece);
        }

        return piece;
    }
}
