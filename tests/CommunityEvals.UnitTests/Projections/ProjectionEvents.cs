using System.Globalization;
using System.Text.Json;
using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Shared;

namespace CommunityEvals.UnitTests.Projections;

/// <summary>Builds repo events as ingestion appends them, and numbers them like the store does.</summary>
internal sealed class ProjectionEvents
{
    public const string Repo = "acme/model-7b";
    public const string Kind = "model";
    public static readonly string RepoStream = StreamKeys.Repo(Kind, Repo);

    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private long _sequence;

    /// <summary>The envelope of the next event: sequence, type, a time one minute after the previous, the actor.</summary>
    public EventInfo Next(object data, string actor = "alice")
    {
        _sequence++;
        return new EventInfo(_sequence, data.GetType().Name, Start.AddMinutes(_sequence), actor);
    }

    public static JsonElement Item(double value, string task = "mmlu_pro", string? notes = null)
    {
        var text = value.ToString(CultureInfo.InvariantCulture);
        var json = notes is null
            ? $$$"""{"value":{{{text}}},"dataset":{"task_id":"{{{task}}}","id":"TIGER-Lab/MMLU-Pro"}}"""
            : $$$"""{"notes":"{{{notes}}}","value":{{{text}}},"dataset":{"task_id":"{{{task}}}","id":"TIGER-Lab/MMLU-Pro"}}""";
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static ResultEntry Result(string id, string path, int index, double value, string task = "mmlu_pro") =>
        new(id, path, index, "TIGER-Lab/MMLU-Pro", task, value, value.ToString(CultureInfo.InvariantCulture), null, false, Item(value, task));

    public static CommittedFile File(string path) => new(path, new string('0', 64), $"content of {path}");

    public static CommitChanges Commit(
        string oid,
        IReadOnlyList<string> files,
        IReadOnlyList<ResultEntry> results,
        IReadOnlyList<string>? deleted = null,
        IReadOnlyList<string>? retracted = null,
        string summary = "Update results",
        string? description = null) =>
        new(oid, null, summary, description, files.Select(File).ToList(), deleted ?? [], results, retracted ?? [], []);

    public static RepoCreated Created() => new(Repo, Kind, "acme", true);

    public static MainCommitted CommitToMain(CommitChanges commit, bool cardChanged = false, IReadOnlyList<string>? baseModel = null) =>
        new(Repo, Kind, commit, cardChanged, baseModel);

    public static PullRequestOpened Opened(int number, string author, CommitChanges commit, string title = "Add results") =>
        new(Repo, Kind, number, title, author, commit);

    public static PullRequestUpdated Updated(int number, CommitChanges commit) => new(Repo, Kind, number, commit);

    public static PullRequestClosed Closed(int number, string? comment = null) => new(Repo, Kind, number, comment);

    public static PullRequestReopened Reopened(int number, string? comment = null) => new(Repo, Kind, number, comment);

    public static PullRequestMerged Merged(int number, CommitChanges commit, IReadOnlyDictionary<string, string> mergedFrom, IReadOnlyList<string>? baseModel = null) =>
        new(Repo, Kind, number, commit, mergedFrom, baseModel);
}
