using System.Text.Json;
using CommunityEvals.Contracts;
using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Leaderboards;
using CommunityEvals.LeaderboardProjection.Shared;
using static CommunityEvals.UnitTests.Leaderboards.BoardLog;

namespace CommunityEvals.UnitTests.Leaderboards;

public class LeaderboardFoldTests
{
    /// <summary>A history touching every kind of event, two benchmarks, results before registration and a hidden result.</summary>
    private static List<(string Stream, object Data)> History()
    {
        const string other = "acme/Other-Bench";
        var events = new List<object>
        {
            Created("acme/a"),
            Created("acme/b"),
            Created("bob/c", ownerIsOrg: false),
            ToMain("acme/a", Commit([Result("a0", 70), Result("a1", 0.5, index: 1, dataset: other, task: "t")])),
            Registered(),
            ToMain("acme/b", Commit([Result("b0", 80)])),
            Opened("acme/a", 1, Commit([Result("a-pr", 85, path: ".eval_results/pr.yaml")])),
            ToMain("bob/c", Commit([Result("c0", 60, notes: "0-shot", source: """{"url":"https://x.org","name":"X"}""")])),
            Registered(other, Json("""{"name":"Other","tasks":[{"id":"t"}]}""")),
            Closed("acme/a", 1),
            new ResultHidden("acme/b", "b0", "typo"),
            Reopened("acme/a", 1),
            Merged("acme/a", 1, Commit([Result("a-merged", 85, path: ".eval_results/pr.yaml")]), new Dictionary<string, string> { ["a-merged"] = "a-pr" }),
            new ResultUnhidden("acme/b", "b0"),
            ToMain("acme/a", Commit([], files: [], deleted: [".eval_results/mmlu.yaml"], retracted: ["a0", "a1"])),
            Updated(Definition(higherIsBetter: false)),
            ToMain("bob/c", Commit([], files: ["README.md"]), cardChanged: true, baseModel: ["meta/llama"]),
        };
        return events.Select(data => (StreamOfEvent(data), data)).ToList();
    }

    private static string StreamOfEvent(object data) => data switch
    {
        BenchmarkRegistered e => StreamKeys.Benchmark(e.DatasetId),
        BenchmarkUpdated e => StreamKeys.Benchmark(e.DatasetId),
        ResultHidden e => ModelStream(e.Repo),
        ResultUnhidden e => ModelStream(e.Repo),
        RepoCreated e => ModelStream(e.Repo),
        MainCommitted e => ModelStream(e.Repo),
        PullRequestOpened e => ModelStream(e.Repo),
        PullRequestClosed e => ModelStream(e.Repo),
        PullRequestReopened e => ModelStream(e.Repo),
        PullRequestMerged e => ModelStream(e.Repo),
        _ => throw new ArgumentException(data.GetType().Name),
    };

    private static EventInfo Info(long sequence, object data) => new(sequence, data.GetType().Name, Start.AddMinutes(sequence), "alice");

    private static T Copy<T>(T value) => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value))!;

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(100)]
    public void Folding_page_by_page_with_only_the_documents_a_page_can_touch_gives_the_same_boards_and_changes(int pageSize)
    {
        var history = History();

        // All at once, in one world.
        var whole = new LeaderboardWorld();
        var expected = history.SelectMany((e, index) => LeaderboardFold.Apply(whole, e.Stream, e.Data, Info(index + 1, e.Data))).ToList();

        // As the projection does it: per page, load what the page can touch from a store, fold, store what changed.
        var models = new Dictionary<string, LeaderboardModel>();
        var boards = new Dictionary<string, LeaderboardBoard>();
        var actual = new List<ScoreChanged>();
        for (var start = 0; start < history.Count; start += pageSize)
        {
            var page = history.Skip(start).Take(pageSize).Select((e, index) => (e.Stream, e.Data, Sequence: start + index + 1)).ToList();
            var world = new LeaderboardWorld();
            foreach (var key in LeaderboardFold.ModelKeysOf(page.Select(e => (e.Stream, e.Data))))
            {
                if (models.TryGetValue(key, out var model))
                {
                    world.Add(Copy(model));
                }
            }

            foreach (var datasetId in LeaderboardFold.DatasetsOf(page.Select(e => e.Data), world.Models.Values))
            {
                if (boards.TryGetValue(datasetId, out var board))
                {
                    world.Add(Copy(board));
                }
            }

            foreach (var (stream, data, sequence) in page)
            {
                actual.AddRange(LeaderboardFold.Apply(world, stream, data, Info(sequence, data)));
            }

            foreach (var key in world.ChangedModels)
            {
                models[key] = Copy(world.Models[key]);
            }

            foreach (var datasetId in world.ChangedBoards)
            {
                boards[datasetId] = Copy(world.Boards[datasetId]);
            }
        }

        Assert.Equal(expected, actual);
        Assert.NotEmpty(expected);
        Assert.Equal(whole.Boards.Keys.Order(), boards.Keys.Order());
        foreach (var (datasetId, board) in whole.Boards)
        {
            Assert.Equal(JsonSerializer.Serialize(board), JsonSerializer.Serialize(boards[datasetId]));
        }
    }

    [Fact]
    public void A_replay_without_changes_builds_the_same_boards()
    {
        var history = History();
        var live = new LeaderboardWorld();
        var replay = new LeaderboardWorld();
        for (var index = 0; index < history.Count; index++)
        {
            var (stream, data) = history[index];
            LeaderboardFold.Apply(live, stream, data, Info(index + 1, data));
            Assert.Empty(LeaderboardFold.Apply(replay, stream, data, Info(index + 1, data), computeChanges: false));
        }

        Assert.Equal(
            live.Boards.Values.Select(board => JsonSerializer.Serialize(board)).Order(),
            replay.Boards.Values.Select(board => JsonSerializer.Serialize(board)).Order());
    }

    [Fact]
    public void The_board_after_the_history_is_what_the_events_say()
    {
        var history = History();
        var world = new LeaderboardWorld();
        for (var index = 0; index < history.Count; index++)
        {
            LeaderboardFold.Apply(world, history[index].Stream, history[index].Data, Info(index + 1, history[index].Data));
        }

        var board = world.Boards[Dataset];
        var rows = LeaderboardFold.Rank(board, board.Task(TaskId)!, BoardFilter.Native);

        // Lower is better after the update; a's main result 70 is retracted, its merged 85 stays.
        Assert.Equal([(1, "bob/c", 60.0, "author"), (2, "acme/b", 80.0, "author"), (3, "acme/a", 85.0, "author")],
            rows.Select(row => (row.Rank, row.ModelId, row.Value, row.Result.Origin)).ToList());
        Assert.Equal(["a-merged", "b0", "c0"], board.Entries.Select(entry => entry.ResultId));
        var c = board.Entries.Single(entry => entry.ModelId == "bob/c");
        Assert.Equal(("bob", false, false, "0-shot", """{"url":"https://x.org","name":"X"}"""), (c.Owner, c.OwnerIsOrg, c.IsBaseModel, c.Notes, c.Source));

        // The other benchmark lost a's only result there with the retraction.
        Assert.Empty(world.Boards["acme/Other-Bench"].Entries);
        Assert.Equal([ModelStream("acme/a")], world.Boards["acme/Other-Bench"].Contributors);
    }
}
