using System.Text.Json;

namespace CommunityEvals.LeaderboardProjection.Leaderboards;

/// <summary>One task of a benchmark and how its board reads (<c>leaderboard.{task}</c> of <c>eval.yaml</c>).</summary>
public sealed record TaskSpec
{
    public string Id { get; init; } = "";

    public string? Metric { get; init; }

    public bool HigherIsBetter { get; init; } = true;

    public double? RangeMin { get; init; }

    public double? RangeMax { get; init; }

    public long? Samples { get; init; }

    public TaskScale ToScale() => new(HigherIsBetter, RangeMin, RangeMax);

    /// <summary>
    /// A standard error recomputed from a log (Inspect's fraction) in the board's scale: the reading
    /// verification compared the value in (services/evidence, <c>EvidenceChecks.Value</c>): percent
    /// for a range ending at 100, the fraction for one ending at 1; without a range, percent when the
    /// value itself is above 1.
    /// </summary>
    public double? InBoardScale(double? stderr, double value) =>
        stderr * (RangeMax is 100 || (RangeMax is null && Math.Abs(value) > 1) ? 100 : 1);
}

/// <summary>Reads the tasks of a registered <c>eval.yaml</c> definition (already validated by ingestion).</summary>
public static class BenchmarkTasks
{
    /// <summary>The tasks in file order, each with its leaderboard settings (defaults when absent).</summary>
    public static List<TaskSpec> Of(JsonElement definition)
    {
        var tasks = new List<TaskSpec>();
        if (definition.ValueKind != JsonValueKind.Object
            || !definition.TryGetProperty("tasks", out var list)
            || list.ValueKind != JsonValueKind.Array)
        {
            return tasks;
        }

        JsonElement? settings = definition.TryGetProperty("leaderboard", out var board) && board.ValueKind == JsonValueKind.Object ? board : null;
        foreach (var task in list.EnumerateArray())
        {
            if (task.ValueKind != JsonValueKind.Object
                || !task.TryGetProperty("id", out var idElement)
                || idElement.ValueKind != JsonValueKind.String
                || idElement.GetString() is not { Length: > 0 } id
                || tasks.Any(existing => existing.Id == id))
            {
                continue;
            }

            var spec = new TaskSpec { Id = id };
            if (settings is { } all && all.TryGetProperty(id, out var own) && own.ValueKind == JsonValueKind.Object)
            {
                spec = spec with
                {
                    Metric = own.TryGetProperty("metric", out var metric) && metric.ValueKind == JsonValueKind.String ? metric.GetString() : null,
                    HigherIsBetter = !(own.TryGetProperty("higher_is_better", out var higher) && higher.ValueKind == JsonValueKind.False),
                    Samples = own.TryGetProperty("samples", out var samples) && samples.ValueKind == JsonValueKind.Number && samples.TryGetInt64(out var count) ? count : null,
                };
                if (own.TryGetProperty("range", out var range) && range.ValueKind == JsonValueKind.Array && range.GetArrayLength() == 2
                    && range[0].ValueKind == JsonValueKind.Number && range[1].ValueKind == JsonValueKind.Number)
                {
                    spec = spec with { RangeMin = range[0].GetDouble(), RangeMax = range[1].GetDouble() };
                }
            }

            tasks.Add(spec);
        }

        return tasks;
    }
}
