using System.Text.Json;
using CommunityEvals.Contracts.Events;

namespace CommunityEvals.Verification.Facts;

/// <summary>What verification needs to know of a result, kept from the events it is sent.</summary>
public sealed class ResultFact
{
    public string Id { get; set; } = "";

    /// <summary>The model repo, <c>org/name</c>.</summary>
    public string Repo { get; set; } = "";

    public string DatasetId { get; set; } = "";

    public string TaskId { get; set; } = "";

    public double Value { get; set; }

    public string ValueText { get; set; } = "";

    /// <summary>False once retracted; evidence for it is then refused.</summary>
    public bool Exists { get; set; } = true;
}

public sealed class TaskFact
{
    public string Id { get; set; } = "";

    public double? RangeMin { get; set; }

    public double? RangeMax { get; set; }

    public int? Samples { get; set; }
}

/// <summary>A registered benchmark's tasks, with the range and size verification checks against.</summary>
public sealed class BenchmarkFact
{
    public string Id { get; set; } = "";

    public List<TaskFact> Tasks { get; set; } = [];

    public TaskFact? Task(string taskId) => Tasks.FirstOrDefault(task => task.Id == taskId);

    /// <summary>What arena voters judge (the <c>arena:</c> section); empty in facts kept before the arena existed.</summary>
    public List<CommunityEvals.Formats.ArenaDimension> Dimensions { get; set; } = [];

    /// <summary>Reads the tasks and their <c>leaderboard:</c> settings from a registered definition.</summary>
    public static BenchmarkFact From(string datasetId, JsonElement definition)
    {
        var fact = new BenchmarkFact { Id = datasetId, Dimensions = [.. CommunityEvals.Formats.ArenaDimension.FromDefinition(definition)] };
        var leaderboard = definition.TryGetProperty("leaderboard", out var board) && board.ValueKind == JsonValueKind.Object ? board : default;
        if (!definition.TryGetProperty("tasks", out var tasks) || tasks.ValueKind != JsonValueKind.Array)
        {
            return fact;
        }

        foreach (var task in tasks.EnumerateArray())
        {
            if (!task.TryGetProperty("id", out var id))
            {
                continue;
            }

            var taskFact = new TaskFact { Id = id.ToString() };
            if (leaderboard.ValueKind == JsonValueKind.Object && leaderboard.TryGetProperty(taskFact.Id, out var settings) && settings.ValueKind == JsonValueKind.Object)
            {
                if (settings.TryGetProperty("range", out var range) && range.ValueKind == JsonValueKind.Array && range.GetArrayLength() == 2)
                {
                    taskFact.RangeMin = range[0].GetDouble();
                    taskFact.RangeMax = range[1].GetDouble();
                }

                if (settings.TryGetProperty("samples", out var samples) && samples.ValueKind == JsonValueKind.Number)
                {
                    taskFact.Samples = samples.GetInt32();
                }
            }

            fact.Tasks.Add(taskFact);
        }

        return fact;
    }
}

/// <summary>Turns forwarded repo and benchmark events into the facts above (pure).</summary>
public static class FactRules
{
    public static IEnumerable<ResultFact> Results(string repo, CommitChanges commit) =>
        commit.Results.Select(result => new ResultFact
        {
            Id = result.ResultId,
            Repo = repo,
            DatasetId = result.DatasetId,
            TaskId = result.TaskId,
            Value = result.Value,
            ValueText = result.ValueText,
        });

    /// <summary>Whether evidence judged for <paramref name="before"/> must be judged again for <paramref name="after"/>.</summary>
    public static bool ClaimChanged(ResultFact before, ResultFact after) =>
        before.DatasetId != after.DatasetId || before.TaskId != after.TaskId || before.ValueText != after.ValueText || !before.Exists;
}
