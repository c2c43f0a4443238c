using System.Text.Json;

namespace CommunityEvals.Web;

/// <summary>How a page tells one event of the public log: a line a person reads, and the page it concerns.</summary>
public static class FeedText
{
    public static string Describe(JsonElement entry)
    {
        var data = entry.TryGetProperty("data", out var d) ? d : default;
        var commit = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("commit", out var c) ? c : default;
        var number = Format.Text(data, "number");
        return Format.Text(entry, "type") switch
        {
            "UserCreated" => $"{Format.Text(data, "name")} joined",
            "OrgCreated" => $"org {Format.Text(data, "name")} created",
            "OrgMemberAdded" => $"{Format.Text(data, "user")} joined {Format.Text(data, "org")}",
            "TokenCreated" => "created a token",
            "TokenRevoked" => "revoked a token",
            "BenchmarkRegistered" => $"registered the benchmark {Format.Text(data, "datasetId")}",
            "BenchmarkUpdated" => $"updated the benchmark {Format.Text(data, "datasetId")}",
            "BenchmarkMarkedOfficial" => $"marked {Format.Text(data, "datasetId")} official",
            "RepoCreated" => $"created the {Format.Text(data, "kind")} {Format.Text(data, "repo")}",
            "MainCommitted" => $"committed “{Format.Text(commit, "summary")}” to {Format.Text(data, "repo")}",
            "PullRequestOpened" => $"opened #{number} “{Format.Text(data, "title")}” on {Format.Text(data, "repo")}",
            "PullRequestUpdated" => $"updated #{number} on {Format.Text(data, "repo")}",
            "PullRequestCommented" => $"commented on #{number} of {Format.Text(data, "repo")}",
            "PullRequestClosed" => $"closed #{number} of {Format.Text(data, "repo")}",
            "PullRequestReopened" => $"reopened #{number} of {Format.Text(data, "repo")}",
            "PullRequestMerged" => $"merged #{number} into {Format.Text(data, "repo")}",
            "ResultHidden" => $"hid a result of {Format.Text(data, "repo")}: {Format.Text(data, "reason")}",
            "ResultUnhidden" => $"unhid a result of {Format.Text(data, "repo")}",
            "EvidenceSubmitted" => $"uploaded an eval log for a result of {Format.Text(data, "repo")}",
            "EvidenceVerified" => $"a log verified a result of {Format.Text(data, "repo")}",
            "EvidenceContradicted" => $"a log contradicted a result of {Format.Text(data, "repo")}",
            "EvidenceRejected" => $"a log was rejected as evidence for a result of {Format.Text(data, "repo")}",
            "FailureCommented" => $"commented on failed sample {Format.Text(data, "sampleId")} of {Format.Text(data, "repo")}",
            var other => other ?? "",
        };
    }

    /// <summary>The page an event concerns, from its stream and data; null when no page shows it.</summary>
    public static string? Link(JsonElement entry)
    {
        var data = entry.TryGetProperty("data", out var d) ? d : default;
        if (Format.Text(data, "resultId") is { Length: > 0 } resultId)
        {
            return $"/results/{resultId}";
        }

        var stream = Format.Text(entry, "stream") ?? "";
        var slash = stream.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return null;
        }

        var repo = stream[(slash + 1)..];
        var page = stream[..slash] switch
        {
            "model" => $"/{repo}",
            "dataset" or "benchmark" => $"/datasets/{repo}",
            _ => null,
        };
        return page is not null && Format.Text(data, "number") is { Length: > 0 } number ? $"{page}/discussions/{number}" : page;
    }
}
