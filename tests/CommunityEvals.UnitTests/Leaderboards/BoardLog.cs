using System.Globalization;
using System.Text.Json;
using CommunityEvals.Contracts;
using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Leaderboards;
using CommunityEvals.LeaderboardProjection.Shared;

namespace CommunityEvals.UnitTests.Leaderboards;

/// <summary>Folds events into an in-memory <see cref="LeaderboardWorld"/>, numbering them like the store does.</summary>
internal sealed class BoardLog
{
    public const string Dataset = "TIGER-Lab/MMLU-Pro";
    public const string TaskId = "mmlu_pro";

    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public LeaderboardWorld World { get; } = new();

    public long Sequence { get; private set; }

    public EventInfo Next(object data)
    {
        Sequence++;
        return new EventInfo(Sequence, data.GetType().Name, Start.AddMinutes(Sequence), "alice");
    }

    public IReadOnlyList<ScoreChanged> Apply(string stream, object data) => LeaderboardFold.Apply(World, stream, data, Next(data));

    public IReadOnlyList<ScoreChanged> Apply(object data) => Apply(StreamOf(data), data);

    public LeaderboardBoard Board(string dataset = Dataset) => World.Boards[dataset];

    public IReadOnlyList<RankedRow> Rows(string task = TaskId, BoardFilter? filter = null, string dataset = Dataset) =>
        LeaderboardFold.Rank(Board(dataset), Board(dataset).Task(task)!, filter ?? BoardFilter.Native);

    public static string ModelStream(string repo) => StreamKeys.Repo("model", repo);

    private static string StreamOf(object data) => data switch
    {
        RepoCreated e => StreamKeys.Repo(e.Kind, e.Repo),
        MainCommitted e => StreamKeys.Repo(e.Kind, e.Repo),
        PullRequestOpened e => StreamKeys.Repo(e.Kind, e.Repo),
        PullRequestUpdated e => StreamKeys.Repo(e.Kind, e.Repo),
        PullRequestClosed e => StreamKeys.Repo(e.Kind, e.Repo),
        PullRequestReopened e => StreamKeys.Repo(e.Kind, e.Repo),
        PullRequestMerged e => StreamKeys.Repo(e.Kind, e.Repo),
        ResultHidden e => ModelStream(e.Repo),
        ResultUnhidden e => ModelStream(e.Repo),
        BenchmarkRegistered e => StreamKeys.Benchmark(e.DatasetId),
        BenchmarkUpdated e => StreamKeys.Benchmark(e.DatasetId),
        _ => throw new ArgumentException($"no stream for {data.GetType().Name}"),
    };

    public static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static JsonElement Definition(bool higherIsBetter = true, string range = "[0, 100]") => Json(
        """{"name":"MMLU-Pro","tasks":[{"id":"mmlu_pro"},{"id":"other"}],"leaderboard":{"mmlu_pro":{"metric":"accuracy","higher_is_better":"""
        + (higherIsBetter ? "true" : "false") + ",\"range\":" + range + "}}}");

    public static BenchmarkRegistered Registered(string dataset = Dataset, JsonElement? definition = null) =>
        new(dataset, "d1", definition ?? Definition());

    public static BenchmarkUpdated Updated(JsonElement definition, string dataset = Dataset) => new(dataset, "d2", definition);

    public static RepoCreated Created(string repo, bool ownerIsOrg = true) => new(repo, "model", repo.Split('/')[0], ownerIsOrg);

    public static ResultEntry Result(
        string id,
        double value,
        string path = ".eval_results/mmlu.yaml",
        int index = 0,
        string task = TaskId,
        string dataset = Dataset,
        bool verified = false,
        string? notes = null,
        string? source = null)
    {
        var text = value.ToString(CultureInfo.InvariantCulture);
        var extra = (notes is null ? "" : $",\"notes\":\"{notes}\"") + (source is null ? "" : $",\"source\":{source}");
        return new ResultEntry(id, path, index, dataset, task, value, text, notes, verified,
            Json($$"""{"value":{{text}},"dataset":{"task_id":"{{task}}","id":"{{dataset}}"}{{extra}}}"""));
    }

    public static CommitChanges Commit(
        IReadOnlyList<ResultEntry> results,
        IReadOnlyList<string>? files = null,
        IReadOnlyList<string>? deleted = null,
        IReadOnlyList<string>? retracted = null) =>
        new("c" + Guid.NewGuid().ToString("N")[..8], null, "Update results", null,
            (files ?? results.Select(result => result.Path).Distinct().ToList()).Select(path => new CommittedFile(path, new string('0', 64), "...")).ToList(),
            deleted ?? [], results, retracted ?? [], []);

    public static MainCommitted ToMain(string repo, CommitChanges commit, bool cardChanged = false, IReadOnlyList<string>? baseModel = null) =>
        new(repo, "model", commit, cardChanged, baseModel);

    public static PullRequestOpened Opened(string repo, int number, CommitChanges commit, string author = "bob") =>
        new(repo, "model", number, "Add results", author, commit);

    public static PullRequestClosed Closed(string repo, int number) => new(repo, "model", number, null);

    public static PullRequestReopened Reopened(string repo, int number) => new(repo, "model", number, null);

    public static PullRequestMerged Merged(string repo, int number, CommitChanges commit, IReadOnlyDictionary<string, string> mergedFrom) =>
        new(repo, "model", number, commit, mergedFrom, null);
}
