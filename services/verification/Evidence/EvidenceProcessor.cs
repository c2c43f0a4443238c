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
                await KeepFailuresAsync(session, submitted, report, cancellationToken);
                break;
            case EvidenceStatus.Contradicted:
                session.Events.Append(stream, new EvidenceContradicted(submitted.ResultId, submitted.Repo, submitted.EvidenceId, checks, recomputed!, report.FailuresTotal));
                await KeepFailuresAsync(session, submitted, report, cancellationToken);
                break;
            default:
                // Rejected evidence changes nothing about the result: no failures are published for it.
                session.Events.Append(stream, new EvidenceRejected(submitted.ResultId, submitted.Repo, submitted.EvidenceId, checks, recomputed));
                break;
        }
    }

    /// <summary>Failed samples written per statement: a few MB of JSON at most (texts are cut to 1,000 characters).</summary>
    private const int FailuresPerStatement = 1_000;

    /// <summary>
    /// Queues the failed samples as a few set-based upserts in the session's own batch (same transaction
    /// as the event and the inbox record). Storing them one by one costs Marten a unit-of-work entry and
    /// a statement each, seconds for a 50,000-sample log; the rows written are the same: the store's own
    /// serializer gives <c>data</c>, the table fills <c>mt_version</c> and <c>mt_last_modified</c>.
    /// </summary>
    private static async Task KeepFailuresAsync(IDocumentSession session, EvidenceSubmitted submitted, VerificationReport report, CancellationToken cancellationToken)
    {
        if (report.Failures.Count == 0)
        {
            return;
        }

        await session.Database.EnsureStorageExistsAsync(typeof(FailureSample), cancellationToken);
        var table = ((IReadOnlyStoreOptions)session.DocumentStore.Options).FindOrResolveDocumentType(typeof(FailureSample)).TableName.QualifiedName;
        // A repeated id keeps its last document, as a second Store of the same id would.
        var sql = $"insert into {table} (id, data, mt_dotnet_type) select distinct on (f.id) f.id, f.data::jsonb, ? "
            + "from unnest(?::text[], ?::text[]) with ordinality as f(id, data, n) order by f.id, f.n desc "
            + "on conflict (id) do update set data = excluded.data, mt_dotnet_type = excluded.mt_dotnet_type, "
            + "mt_version = excluded.mt_version, mt_last_modified = excluded.mt_last_modified";
        var serializer = session.DocumentStore.Options.Serializer();
        var order = 0;
        foreach (var chunk in report.Failures.Chunk(FailuresPerStatement))
        {
            var ids = new string[chunk.Length];
            var documents = new string[chunk.Length];
            for (var i = 0; i < chunk.Length; i++)
            {
                var failure = chunk[i];
                var sample = new FailureSample
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
                };
                ids[i] = sample.Id;
                documents[i] = serializer.ToJson(sample);
            }

            session.QueueSqlCommand(sql, typeof(FailureSample).FullName!, ids, documents);
        }
    }
}
