using CommunityEvals.Contracts.Events;
using CommunityEvals.Evidence;
using CommunityEvals.Verification.Facts;
using Marten;

namespace CommunityEvals.Verification.Evidence;

/// <summary>
/// Verifies one submitted log against its result and records the outcome as an event, with the
/// failed samples beside it, in the caller's transaction (the one that marks the message handled).
/// </summary>
public sealed class EvidenceProcessor(EvidenceStorage storage, VerifyTokenSigner signer, ILogger<EvidenceProcessor> logger)
{
    public const string Actor = "verification";

    public async Task VerifyAsync(IDocumentSession session, EvidenceSubmitted submitted, CancellationToken cancellationToken)
    {
        var result = await session.LoadAsync<ResultFact>(submitted.ResultId, cancellationToken);
        var benchmark = result is null ? null : await session.LoadAsync<BenchmarkFact>(result.DatasetId, cancellationToken);
        var task = benchmark?.Task(result!.TaskId);
        var claim = new EvidenceClaim(
            submitted.Repo,
            result?.DatasetId ?? "",
            result?.TaskId ?? "",
            result?.Value ?? double.NaN,
            result?.ValueText,
            task?.RangeMin,
            task?.RangeMax,
            task?.Samples);

        var report = await Task.Run(() => EvidenceVerifier.Verify(storage.PathOf(submitted.Sha256), claim, cancellationToken: cancellationToken), cancellationToken);
        var checks = report.Checks;
        var recomputed = report.Recomputed;
        logger.LogInformation("Evidence {EvidenceId} for result {ResultId}: {Status}", submitted.EvidenceId, submitted.ResultId, report.Status);

        var stream = StreamKeys.Evidence(submitted.ResultId);
        session.LastModifiedBy = Actor;
        switch (report.Status)
        {
            case EvidenceStatus.Verified:
                var token = signer.Issue(submitted.Repo, claim.DatasetId, claim.TaskId, claim.Value, claim.ValueText, submitted.Sha256, recomputed!.Samples);
                session.Events.Append(stream, new EvidenceVerified(submitted.ResultId, submitted.Repo, submitted.EvidenceId, checks, recomputed, token, report.FailuresTotal));
                KeepFailures(session, submitted, report);
                break;
            case EvidenceStatus.Contradicted:
                session.Events.Append(stream, new EvidenceContradicted(submitted.ResultId, submitted.Repo, submitted.EvidenceId, checks, recomputed!, report.FailuresTotal));
                KeepFailures(session, submitted, report);
                break;
            default:
                // Rejected evidence changes nothing about the result: no failures are published for it.
                session.Events.Append(stream, new EvidenceRejected(submitted.ResultId, submitted.Repo, submitted.EvidenceId, checks, recomputed));
                break;
        }
    }

    private static void KeepFailures(IDocumentSession session, EvidenceSubmitted submitted, VerificationReport report)
    {
        var order = 0;
        foreach (var failure in report.Failures)
        {
            session.Store(new FailureSample
            {
                Id = $"{submitted.EvidenceId}/{failure.SampleId}/{failure.Epoch}",
                ResultId = submitted.ResultId,
                EvidenceId = submitted.EvidenceId,
                Order = order++,
                SampleId = failure.SampleId,
                Epoch = failure.Epoch,
                Input = failure.Input,
                Target = failure.Target,
                Answer = failure.Answer,
                Explanation = failure.Explanation,
            });
        }
    }
}
