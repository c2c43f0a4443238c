using CommunityEvals.Contracts.Events;
using CommunityEvals.Evidence;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Verification.Arena;
using CommunityEvals.Verification.Facts;
using Marten;

namespace CommunityEvals.Verification.Evidence;

/// <summary>
/// Verifies logs against their results and records each outcome as an event, with the failed samples
/// beside it, in the caller's transaction (the one that marks the message handled). A piece of
/// evidence proves only the claim it was judged against, so it is judged again whenever its result's
/// claim changes, and carried to the main result a merge makes of its pull-request result.
/// </summary>
public sealed class EvidenceProcessor(EvidenceStorage storage, VerifyTokenSigner signer, ILogger<EvidenceProcessor> logger)
{
    public const string Actor = "verification";

    /// <summary>A log was uploaded: verify it and publish its failures.</summary>
    public async Task VerifyAsync(IDocumentSession session, EvidenceSubmitted submitted, CancellationToken cancellationToken)
    {
        var result = await session.LoadAsync<ResultFact>(submitted.ResultId, cancellationToken);
        await JudgeAsync(session, submitted, result, keepFailures: true, cancellationToken);
    }

    /// <summary>
    /// The result's dataset, task or value changed (a new commit of its file): every piece of its
    /// evidence verification accepted (verified or contradicted) is judged against the new claim.
    /// </summary>
    public async Task JudgeAgainAsync(IDocumentSession session, ResultFact result, CancellationToken cancellationToken)
    {
        var verification = await session.LoadAsync<ResultVerification>(StreamKeys.Evidence(result.Id), cancellationToken);
        foreach (var entry in verification?.Evidence.Where(e => e.IsAccepted) ?? [])
        {
            await JudgeAsync(session, new EvidenceSubmitted(result.Id, result.Repo, entry.EvidenceId, entry.Sha256, entry.Size), result, keepFailures: false, cancellationToken);
        }
    }

    /// <summary>
    /// A merge made <paramref name="merged"/> of the pull-request result <paramref name="sourceId"/>:
    /// the source's accepted evidence becomes the new result's too (recorded as submitted by this
    /// service) and is judged against it. Its failed samples are the same log's, already published.
    /// </summary>
    public async Task CarryAsync(IDocumentSession session, string sourceId, ResultFact merged, CancellationToken cancellationToken)
    {
        var source = await session.LoadAsync<ResultVerification>(StreamKeys.Evidence(sourceId), cancellationToken);
        foreach (var entry in source?.Evidence.Where(e => e.IsAccepted) ?? [])
        {
            var carried = new EvidenceSubmitted(merged.Id, merged.Repo, entry.EvidenceId, entry.Sha256, entry.Size);
            session.LastModifiedBy = Actor;
            session.Events.Append(StreamKeys.Evidence(merged.Id), carried);
            await JudgeAsync(session, carried, merged, keepFailures: false, cancellationToken);
        }
    }

    private async Task JudgeAsync(IDocumentSession session, EvidenceSubmitted submitted, ResultFact? result, bool keepFailures, CancellationToken cancellationToken)
    {
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
        logger.LogInformation("Evidence {EvidenceId} for result {ResultId} ({Value}): {Status}", submitted.EvidenceId, submitted.ResultId, claim.ValueText, report.Status);

        var stream = StreamKeys.Evidence(submitted.ResultId);
        // Uploads and comments append to the same stream meanwhile (SessionCommit.AppendAsync): take
        // turns with them until this transaction ends (taken after the log is read, which takes long).
        await session.LockStreamsAsync(cancellationToken, stream);
        session.LastModifiedBy = Actor;
        switch (report.Status)
        {
            case EvidenceStatus.Verified:
                var token = signer.Issue(submitted.Repo, claim.DatasetId, claim.TaskId, claim.Value, claim.ValueText, submitted.Sha256, recomputed!.Samples);
                session.Events.Append(stream, new EvidenceVerified(submitted.ResultId, submitted.Repo, submitted.EvidenceId, checks, recomputed, token, report.FailuresTotal, claim.ValueText));
                break;
            case EvidenceStatus.Contradicted:
                session.Events.Append(stream, new EvidenceContradicted(submitted.ResultId, submitted.Repo, submitted.EvidenceId, checks, recomputed!, report.FailuresTotal, claim.ValueText));
                break;
            default:
                // Rejected evidence changes nothing about the result: no failures are published for it.
                session.Events.Append(stream, new EvidenceRejected(submitted.ResultId, submitted.Repo, submitted.EvidenceId, checks, recomputed));
                return;
        }

        if (keepFailures)
        {
            await KeepFailuresAsync(session, submitted, report, cancellationToken);
            // A newly accepted log replaces the model's earlier answers on this task (ARENA.md). Judging
            // an older log again (its result's claim changed) leaves the answers of the newest alone.
            ArenaAnswers.QueueReplace(session, ArenaAnswers.Board(claim.DatasetId, claim.TaskId), submitted.Repo, submitted.EvidenceId,
                report.Header?.Model, report.Answers, DateTimeOffset.UtcNow);
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
                    Score = failure.ScoreJson is { } json ? System.Text.Json.JsonDocument.Parse(json).RootElement.Clone() : null,
                };
                ids[i] = sample.Id;
                documents[i] = serializer.ToJson(sample);
            }

            session.QueueSqlCommand(sql, typeof(FailureSample).FullName!, ids, documents);
        }
    }
}
