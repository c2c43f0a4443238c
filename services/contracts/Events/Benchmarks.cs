using System.Text.Json;

namespace CommunityEvals.Contracts.Events;

/// <summary>
/// A dataset repo's <c>eval.yaml</c> on <c>main</c> registered a benchmark (first time) or
/// changed it. <paramref name="Definition"/> is the parsed file, tasks in file order.
/// </summary>
public sealed record BenchmarkRegistered(string DatasetId, string CommitOid, JsonElement Definition);

public sealed record BenchmarkUpdated(string DatasetId, string CommitOid, JsonElement Definition);

public sealed record BenchmarkMarkedOfficial(string DatasetId);
