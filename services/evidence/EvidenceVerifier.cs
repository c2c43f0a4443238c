namespace CommunityEvals.Evidence;

/// <summary>
/// Verifies one evidence log against one result: reads the log (streaming), recomputes its headline
/// from the sample records, runs the checks and decides the evidence's status.
/// Bad input never raises: it comes back as a failed <c>readable</c> check (status <c>rejected</c>).
/// Only cancellation and running out of memory (not the log's fault) propagate.
/// </summary>
public static class EvidenceVerifier
{
    /// <summary>Verifies the log at <paramref name="path"/>.</summary>
    public static VerificationReport Verify(string path, EvidenceClaim claim, EvidenceOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Unreadable(claim, $"cannot open the log: {e.Message}");
        }

        using (stream)
        {
            return Verify(stream, claim, options, cancellationToken);
        }
    }

    /// <summary>Verifies the log in <paramref name="log"/> (a seekable stream at position 0 is read in place; others are spooled to a temporary file).</summary>
    public static VerificationReport Verify(Stream log, EvidenceClaim claim, EvidenceOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(claim);
        options ??= EvidenceOptions.Default;

        InspectLogReader reader;
        try
        {
            reader = InspectLogReader.Open(log, options);
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            return Unreadable(claim, Describe(e));
        }

        using (reader)
        {
            var recomputer = new ScoreRecomputer(reader.Header, options);
            var answers = new SampleAnswerCollector(options.MaxAnswers);
            string? unreadable = null;
            try
            {
                foreach (var sample in reader.ReadSamples(cancellationToken))
                {
                    recomputer.Add(sample);
                    answers.Add(sample);
                }
            }
            catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
            {
                unreadable = Describe(e);
            }

            var recomputation = unreadable is null ? recomputer.Complete() : null;
            var checks = EvidenceChecks.Evaluate(reader.Header, recomputation, claim, unreadable);
            return new VerificationReport(
                EvidenceChecks.Outcome(checks),
                checks,
                recomputation?.Value is { } value ? new RecomputedScore(value, recomputation.Stderr, recomputation.Samples) : null,
                recomputation?.Failures ?? [])
            {
                FailuresTotal = recomputation?.FailuresTotal ?? 0,
                Header = reader.Header,
                Encoding = reader.Encoding,
                Recomputation = recomputation,
                Answers = unreadable is null ? answers.Answers : [],
            };
        }
    }

    private static VerificationReport Unreadable(EvidenceClaim claim, string why)
    {
        var checks = EvidenceChecks.Evaluate(null, null, claim, why);
        return new VerificationReport(EvidenceStatus.Rejected, checks, null, []);
    }

    private static string Describe(Exception e) => e is InspectLogFormatException ? e.Message : $"unreadable log: {e.Message}";
}
