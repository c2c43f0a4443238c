using System.Text.Json.Nodes;

namespace CommunityEvals.Formats;

/// <summary>A parsed and validated <c>eval.yaml</c> (FORMATS.md section 1).</summary>
/// <param name="Tasks">In file order; each task is its own leaderboard.</param>
/// <param name="Data">The whole document as JSON, unknown keys included, for echoing it back.</param>
public sealed record BenchmarkDefinition(
    string Name,
    string Description,
    string EvaluationFramework,
    IReadOnlyList<BenchmarkTask> Tasks,
    JsonObject Data)
{
    public BenchmarkTask? FindTask(string taskId) => Tasks.FirstOrDefault(t => t.Id == taskId);

    /// <summary>What arena voters judge (the <c>arena:</c> section, ARENA.md); <c>overall</c> when it is absent.</summary>
    public IReadOnlyList<ArenaDimension> ArenaDimensions { get; init; } = ArenaDimension.Defaults;
}

/// <summary>One arena dimension: its id (in routes and ratings), the name voters see, and the question it asks.</summary>
public sealed record ArenaDimension(string Id, string Name, string? Description)
{
    public const string OverallId = "overall";

    public static IReadOnlyList<ArenaDimension> Defaults { get; } = [new(OverallId, "Overall", "Which answer is better?")];

    /// <summary>What the voter is asked: the description, else the name.</summary>
    public string Question => Description ?? Name;

    /// <summary>
    /// The dimensions a registered benchmark's definition (as stored, JSON) declares; <see cref="Defaults"/>
    /// without an <c>arena</c> section. Only validated definitions are stored, so this reads without checking.
    /// </summary>
    public static IReadOnlyList<ArenaDimension> FromDefinition(System.Text.Json.JsonElement definition)
    {
        if (definition.ValueKind != System.Text.Json.JsonValueKind.Object
            || !definition.TryGetProperty("arena", out var arena) || arena.ValueKind != System.Text.Json.JsonValueKind.Object
            || !arena.TryGetProperty("dimensions", out var list) || list.ValueKind != System.Text.Json.JsonValueKind.Array)
        {
            return Defaults;
        }

        static string? Text(System.Text.Json.JsonElement item, string key) =>
            item.TryGetProperty(key, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String ? value.GetString() : null;
        var dimensions = list.EnumerateArray()
            .Where(item => item.ValueKind == System.Text.Json.JsonValueKind.Object && Text(item, "id") is not null)
            .Select(item => new ArenaDimension(Text(item, "id")!, Text(item, "name") ?? Text(item, "id")!, Text(item, "description")))
            .ToList();
        return dimensions.Count > 0 ? dimensions : Defaults;
    }
}

/// <param name="Config">Dataset config; <c>default</c> when absent.</param>
/// <param name="Split">Dataset split; <c>test</c> when absent.</param>
/// <param name="FieldSpec">Inspect's field mapping as written (values are strings or lists of strings, as
/// <c>choices</c> may be either); null when absent.</param>
/// <param name="Solvers">Empty when absent.</param>
/// <param name="Scorers">Empty when absent.</param>
/// <param name="Leaderboard">This task's entry of the top-level <c>leaderboard:</c> extension, defaults when absent.</param>
public sealed record BenchmarkTask(
    string Id,
    string Config,
    string Split,
    JsonObject? FieldSpec,
    IReadOnlyList<TaskStep> Solvers,
    IReadOnlyList<TaskStep> Scorers,
    bool? ShuffleChoices,
    int? Epochs,
    string? EpochReducer,
    LeaderboardSpec Leaderboard);

/// <summary>One solver or scorer: <c>{name, args?}</c>.</summary>
public sealed record TaskStep(string Name, JsonObject? Args);

/// <summary>Our <c>leaderboard:</c> extension for one task.</summary>
/// <param name="Metric">What a result's value means, for display.</param>
/// <param name="HigherIsBetter">False for error-rate-like metrics (WER).</param>
/// <param name="Range">Values outside are rejected; it also fixes the scale verification compares at.</param>
/// <param name="Samples">Full test-set size a verifying log must cover.</param>
public sealed record LeaderboardSpec(string? Metric, bool HigherIsBetter, ValueRange? Range, int? Samples)
{
    public static LeaderboardSpec Default { get; } = new(null, true, null, null);
}

/// <summary>Inclusive bounds, Min &lt; Max.</summary>
public sealed record ValueRange(double Min, double Max)
{
    public bool Contains(double value) => value >= Min && value <= Max;
}
