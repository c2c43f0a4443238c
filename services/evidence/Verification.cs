namespace CommunityEvals.Evidence;

/// <summary>
/// The result item an evidence log is checked against.
/// </summary>
/// <param name="ModelId">The model repo id the result belongs to (<c>acme/model-7b</c>).</param>
/// <param name="DatasetId">The benchmark's dataset id (<c>TIGER-Lab/MMLU-Pro</c>).</param>
/// <param name="TaskId">The task id in that benchmark's <c>eval.yaml</c>.</param>
/// <param name="Value">The result's value.</param>
/// <param name="ValueText">The value as written in the YAML (sets the tolerance); null: the shortest text of <paramref name="Value"/>.</param>
/// <param name="RangeMin">The task's declared range, when given.</param>
/// <param name="RangeMax">Ending at 100: a percentage; at 1: a fraction; otherwise or absent: either reading.</param>
/// <param name="DeclaredSamples">The task's declared full test-set size, when given; a verified log must cover it.</param>
public sealed record EvidenceClaim(
    string ModelId,
    string DatasetId,
    string TaskId,
    double Value,
    string? ValueText = null,
    double? RangeMin = null,
    double? RangeMax = null,
    int? DeclaredSamples = null);


/// <summary>The check names, in the order a report lists them.</summary>
public static class EvidenceCheckNames
{
    public const string Readable = "readable";
    public const string Status = "status";
    public const string Dataset = "dataset";
    public const string Task = "task";
    public const string Model = "model";
    public const string Complete = "complete";
    public const string Headline = "headline";
    public const string Value = "value";

    public static IReadOnlyList<string> All { get; } = [Readable, Status, Dataset, Task, Model, Complete, Headline, Value];
}

public enum EvidenceStatus
{
    /// <summary>Every check passed.</summary>
    Verified,

    /// <summary>Every check passed but <c>value</c>: a valid, complete log of this model and task disagrees with the claim.</summary>
    Contradicted,

    /// <summary>Some other check failed: the log cannot serve as evidence for this result.</summary>
    Rejected,
}

public static class EvidenceStatusExtensions
{
    /// <summary>The wire name: <c>verified</c>, <c>contradicted</c>, <c>rejected</c>.</summary>
    public static string ToApiString(this EvidenceStatus status) => status switch
    {
        EvidenceStatus.Verified => "verified",
        EvidenceStatus.Contradicted => "contradicted",
        _ => "rejected",
    };
}


/// <summary>What verifying one evidence log gave.</summary>
public sealed record VerificationReport(
    EvidenceStatus Status,
    IReadOnlyList<EvidenceCheck> Checks,
    RecomputedScore? Recomputed,
    IReadOnlyList<SampleFailure> Failures)
{
    /// <summary>All failed records, of which <see cref="Failures"/> keeps the first <see cref="EvidenceOptions.MaxFailures"/>.</summary>
    public int FailuresTotal { get; init; }

    /// <summary>The log's header facts (provenance to display); null when the log was unreadable from the start.</summary>
    public InspectLogHeader? Header { get; init; }

    public InspectLogEncoding? Encoding { get; init; }

    /// <summary>Details of the recomputation (scorer, reducer, counts); null when the samples could not be read.</summary>
    public Recomputation? Recomputation { get; init; }

    /// <summary>Each sample's input and answer (first epoch), for the arena; at most <see cref="EvidenceOptions.MaxAnswers"/>.</summary>
    public IReadOnlyList<SampleAnswer> Answers { get; init; } = [];

    public EvidenceCheck Check(string name) => Checks.First(c => c.Name == name);

    public bool AllPassed => Checks.All(c => c.Ok);
}
