using System.Text.Json;

namespace CommunityEvals.Evidence;

public enum InspectLogEncoding
{
    /// <summary>One JSON object with a <c>samples</c> array.</summary>
    Json,

    /// <summary>A zip with <c>header.json</c> and one <c>samples/*.json</c> entry per sample and epoch.</summary>
    Eval,
}

/// <summary>The facts of a log's header (everything but the samples) that verification uses or displays.</summary>
public sealed record InspectLogHeader
{
    public int? Version { get; init; }

    /// <summary><c>status</c>: <c>success</c>, <c>error</c>, <c>cancelled</c>, <c>started</c>.</summary>
    public string? Status { get; init; }

    /// <summary>The log's top-level <c>error.message</c>, if any.</summary>
    public string? Error { get; init; }

    /// <summary><c>eval.task</c>: which task ran (<c>hf/org/dataset/task</c> or a registry name).</summary>
    public string? Task { get; init; }

    /// <summary><c>eval.task_id</c>: a run id, NOT the task.</summary>
    public string? TaskRunId { get; init; }

    /// <summary><c>eval.task_args</c>: a string value as is, any other value as its JSON text.</summary>
    public IReadOnlyDictionary<string, string> TaskArgs { get; init; } = new Dictionary<string, string>();

    public InspectDataset Dataset { get; init; } = new();

    /// <summary><c>eval.model</c>: <c>provider/org/name</c>.</summary>
    public string? Model { get; init; }

    public InspectEvalConfig Config { get; init; } = new();

    public InspectRevision? Revision { get; init; }

    /// <summary><c>eval.packages</c>: package name to version.</summary>
    public IReadOnlyDictionary<string, string> Packages { get; init; } = new Dictionary<string, string>();

    /// <summary><c>results</c>; null when the log has none (e.g. a run that did not finish).</summary>
    public InspectResults? Results { get; init; }

    /// <summary>The log's own headline: <c>results.scores[0]</c>.</summary>
    public InspectScore? Headline => Results is { Scores.Count: > 0 } r ? r.Scores[0] : null;
}

/// <summary><c>eval.dataset</c>.</summary>
public sealed record InspectDataset
{
    public string? Name { get; init; }

    public string? Location { get; init; }

    /// <summary>How many samples the dataset has.</summary>
    public int? Samples { get; init; }

    /// <summary>The ids the run used (numbers rendered as text), when the log lists them.</summary>
    public IReadOnlyList<string>? SampleIds { get; init; }
}

/// <summary><c>eval.config</c>: the parts that tell a partial run and how epochs were reduced.</summary>
public sealed record InspectEvalConfig
{
    /// <summary><c>limit</c> as compact JSON text (an int or a <c>[start, end]</c> pair), null when absent or null.</summary>
    public string? Limit { get; init; }

    /// <summary><c>sample_id</c> as compact JSON text, null when absent or null.</summary>
    public string? SampleId { get; init; }

    public int? Epochs { get; init; }

    /// <summary><c>epochs_reducer</c> names (e.g. <c>mean</c>, <c>pass_at_2</c>); empty when absent.</summary>
    public IReadOnlyList<string> EpochsReducer { get; init; } = [];

    public bool IsPartial => Limit is not null || SampleId is not null;
}

/// <summary><c>eval.revision</c>.</summary>
public sealed record InspectRevision(string? Type, string? Origin, string? Commit, bool? Dirty);

/// <summary><c>results</c>.</summary>
public sealed record InspectResults
{
    public int? TotalSamples { get; init; }

    public int? CompletedSamples { get; init; }

    public IReadOnlyList<InspectScore> Scores { get; init; } = [];
}

/// <summary>One of <c>results.scores[]</c>.</summary>
public sealed record InspectScore
{
    /// <summary>The key samples' <c>scores</c> use (the scorer's name, or a key of a dict-valued scorer).</summary>
    public required string Name { get; init; }

    /// <summary>The scorer that produced it.</summary>
    public string? Scorer { get; init; }

    /// <summary>The epoch reducer this entry was computed with, when the log says.</summary>
    public string? Reducer { get; init; }

    /// <summary>Metrics in the log's order; a value is null when it is not a number.</summary>
    public IReadOnlyList<InspectMetric> Metrics { get; init; } = [];

    /// <summary>The headline metric: <c>accuracy</c>, else <c>mean</c>, else the first that is not a spread (stderr, std, var).</summary>
    public InspectMetric? HeadlineMetric =>
        Metrics.FirstOrDefault(m => m.Name == "accuracy")
        ?? Metrics.FirstOrDefault(m => m.Name == "mean")
        ?? Metrics.FirstOrDefault(m => m.Name is not ("stderr" or "std" or "var" or "bootstrap_stderr"))
        ?? Metrics.FirstOrDefault();
}

public sealed record InspectMetric(string Name, double? Value);

/// <summary>One sample record (one sample in one epoch), reduced to what verification needs.</summary>
public sealed record InspectSample
{
    /// <summary>The sample id (a number rendered as text, or the string).</summary>
    public required string Id { get; init; }

    public int Epoch { get; init; } = 1;

    /// <summary>The input: the string, or chat messages rendered as <c>role: text</c> lines. Cut to the text limit.</summary>
    public string Input { get; init; } = "";

    /// <summary>The target: one string, or the list.</summary>
    public IReadOnlyList<string> Target { get; init; } = [];

    /// <summary>The sample's <c>choices</c> (multiple choice), empty when it has none. Each cut to the text limit.</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>The model's completion text, when the log has it. Cut to the text limit.</summary>
    public string? Completion { get; init; }

    /// <summary>Scores by name, as in the sample's <c>scores</c>.</summary>
    public IReadOnlyDictionary<string, InspectSampleScore> Scores { get; init; } = new Dictionary<string, InspectSampleScore>();

    /// <summary>The sample's error message; null when the sample did not error.</summary>
    public string? Error { get; init; }

    public bool HasError => Error is not null;

    /// <summary>The target as one text: the string, or a JSON array of the strings.</summary>
    public string TargetText => Target.Count == 1 ? Target[0] : JsonSerializer.Serialize(Target);
}

/// <summary><c>scores.&lt;name&gt;</c> of a sample: the raw value (detached JSON) and the texts.</summary>
public sealed record InspectSampleScore(JsonElement Value, string? Answer, string? Explanation);
