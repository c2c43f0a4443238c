using System.Text.Json;

namespace CommunityEvals.LeaderboardProjection.Benchmarks;

/// <summary>A registered benchmark: its parsed <c>eval.yaml</c> as last committed. Id is its stream key.</summary>
public sealed class BenchmarkDocument
{
    public string Id { get; set; } = "";

    /// <summary>The dataset repo, <c>org/name</c>.</summary>
    public string DatasetId { get; set; } = "";

    /// <summary>The parsed file, keys as in the YAML, tasks in file order.</summary>
    public JsonElement Definition { get; set; }

    /// <summary>The commit on main that last registered or changed it.</summary>
    public string CommitOid { get; set; } = "";

    public bool Official { get; set; }

    public DateTimeOffset RegisteredAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? OfficialAt { get; set; }

    /// <summary>The ids of its tasks, in file order.</summary>
    public IReadOnlyList<string> TaskIds() =>
        Definition.ValueKind == JsonValueKind.Object && Definition.TryGetProperty("tasks", out var tasks) && tasks.ValueKind == JsonValueKind.Array
            ? [.. tasks.EnumerateArray()
                .Where(task => task.ValueKind == JsonValueKind.Object && task.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                .Select(task => task.GetProperty("id").GetString()!)]
            : [];
}
