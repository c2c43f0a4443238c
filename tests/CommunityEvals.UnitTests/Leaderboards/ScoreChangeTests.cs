using CommunityEvals.Contracts;
using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Leaderboards;
using CommunityEvals.LeaderboardProjection.ScoreChanges;
using static CommunityEvals.UnitTests.Leaderboards.BoardLog;

namespace CommunityEvals.UnitTests.Leaderboards;

public class ScoreChangeTests
{
    private readonly BoardLog _log = new();

    private static List<(string Model, double? Before, double? After, int? RankBefore, int? RankAfter)> Rows(IEnumerable<ScoreChanged> changes) =>
        changes.Select(change => (change.ModelId, change.PreviousValue, change.Value, change.PreviousRank, change.Rank)).ToList();

    private void Board(params (string Repo, double Value)[] models)
    {
        _log.Apply(Registered());
        foreach (var (repo, value) in models)
        {
            _log.Apply(Created(repo));
            _log.Apply(ToMain(repo, Commit([Result($"{repo}:main:0", value)])));
        }
    }

    private static RankedRow Row(string model, double value, int rank, bool verified = false, string origin = LeaderboardRanking.Author) =>
        new(rank, new RankCandidate(model, value, verified, origin, false, 1, model, null, null, null, Start, true), false, 1);

    [Fact]
    public void A_new_top_score_moves_every_row_below_it_each_row_one_change_numbered_in_row_order()
    {
        Board(("acme/a", 70), ("acme/b", 60));
        _log.Apply(Created("acme/c"));

        var changes = _log.Apply(ToMain("acme/c", Commit([Result("acme/c:main:0", 80)])));

        Assert.Equal([("acme/c", null, 80.0, null, 1), ("acme/a", 70.0, 70.0, 1, 2), ("acme/b", 60.0, 60.0, 2, 3)], Rows(changes));
        var sequence = _log.Sequence;
        Assert.Equal([$"{sequence}.1", $"{sequence}.2", $"{sequence}.3"], changes.Select(change => change.Id));
        Assert.All(changes, change =>
        {
            Assert.Equal(("committed", sequence, Start.AddMinutes(sequence)), (change.Cause, change.Sequence, change.OccurredAt));
            Assert.Equal((Dataset, TaskId), (change.Benchmark, change.TaskId));
        });
        Assert.Equal(LeaderboardRanking.Author, changes[0].Origin);
    }

    [Fact]
    public void A_model_made_private_leaves_the_boards_and_comes_back_when_public_with_cause_visibility_changed()
    {
        Board(("acme/a", 70), ("acme/b", 60), ("acme/c", 80));

        var hidden = _log.Apply(StreamKeys.Repo("model", "acme/c"), new RepoSettingsChanged("acme/c", "model", true, null));
        Assert.Equal([("acme/a", 70.0, 70.0, 2, 1), ("acme/b", 60.0, 60.0, 3, 2), ("acme/c", 80.0, null, 1, null)], Rows(hidden));
        Assert.All(hidden, change => Assert.Equal("visibility-changed", change.Cause));
        Assert.DoesNotContain(_log.Rows(), row => row.ModelId == "acme/c");

        // Nothing a private model does reaches the boards.
        Assert.Empty(_log.Apply(ToMain("acme/c", Commit([Result("acme/c:main:0", 90)]))));

        var shown = _log.Apply(StreamKeys.Repo("model", "acme/c"), new RepoSettingsChanged("acme/c", "model", false, null));
        Assert.Equal(("acme/c", (double?)null, (double?)90.0, (int?)null, (int?)1), Rows(shown)[0]);
        Assert.All(shown, change => Assert.Equal("visibility-changed", change.Cause));

        // Gating alone changes no board.
        Assert.Empty(_log.Apply(StreamKeys.Repo("model", "acme/c"), new RepoSettingsChanged("acme/c", "model", false, "auto")));
    }

    [Fact]
    public void A_model_created_private_never_takes_a_place()
    {
        Board(("acme/a", 70));
        _log.Apply(new RepoCreated("acme/p", "model", "acme", true, Private: true));
        Assert.Empty(_log.Apply(ToMain("acme/p", Commit([Result("acme/p:main:0", 99)]))));
        Assert.Equal(["acme/a"], _log.Rows().Select(row => row.ModelId).ToArray());
    }

    [Fact]
    public void A_benchmarks_dataset_made_private_marks_its_board_private_and_changes_no_row()
    {
        Board(("acme/a", 70));
        var changes = _log.Apply(StreamKeys.Repo("dataset", Dataset), new RepoSettingsChanged(Dataset, "dataset", true, null));
        Assert.Empty(changes);
        Assert.True(_log.Board().Private);
        Assert.Single(_log.Rows());
    }

    [Fact]
    public void A_score_below_everyone_changes_only_its_own_row()
    {
        Board(("acme/a", 70), ("acme/b", 60));
        _log.Apply(Created("acme/c"));

        var changes = _log.Apply(ToMain("acme/c", Commit([Result("acme/c:main:0", 50)])));

        Assert.Equal([("acme/c", null, 50.0, null, 3)], Rows(changes));
    }

    [Fact]
    public void A_removed_row_comes_after_the_rows_that_remain_and_has_no_value_rank_or_origin()
    {
        Board(("acme/a", 70), ("acme/b", 60), ("acme/c", 80));

        var changes = _log.Apply(ToMain("acme/c", Commit([], files: [], deleted: [".eval_results/mmlu.yaml"], retracted: ["acme/c:main:0"])));

        Assert.Equal([("acme/a", 70.0, 70.0, 2, 1), ("acme/b", 60.0, 60.0, 3, 2), ("acme/c", 80.0, null, 1, null)], Rows(changes));
        Assert.All(changes, change => Assert.Equal("retracted", change.Cause));
        Assert.Equal((false, (string?)null), (changes[2].Verified, changes[2].Origin));
        Assert.Equal($"{_log.Sequence}.3", changes[2].Id);
    }

    [Fact]
    public void An_open_pull_request_counts_as_community_at_once_closing_removes_it_and_reopening_brings_it_back()
    {
        Board(("acme/a", 70), ("acme/b", 60));

        var opened = _log.Apply(Opened("acme/b", 1, Commit([Result("acme/b:pr1:0", 75, path: ".eval_results/bob.yaml")])));
        Assert.Equal([("acme/b", 60.0, 75.0, 2, 1), ("acme/a", 70.0, 70.0, 1, 2)], Rows(opened));
        Assert.Equal(("pr-opened", "community"), (opened[0].Cause, opened[0].Origin));
        Assert.Equal(2, _log.Rows().Single(row => row.ModelId == "acme/b").ResultsCount);

        var closed = _log.Apply(Closed("acme/b", 1));
        Assert.Equal([("acme/a", 70.0, 70.0, 2, 1), ("acme/b", 75.0, 60.0, 1, 2)], Rows(closed));
        Assert.Equal(("pr-closed", "author"), (closed[1].Cause, closed[1].Origin));

        var reopened = _log.Apply(Reopened("acme/b", 1));
        Assert.Equal([("acme/b", 60.0, 75.0, 2, 1), ("acme/a", 70.0, 70.0, 1, 2)], Rows(reopened));
        Assert.Equal("pr-reopened", reopened[0].Cause);
    }

    [Fact]
    public void Merging_turns_the_community_row_into_the_authors()
    {
        Board(("acme/a", 70));
        _log.Apply(Opened("acme/a", 1, Commit([Result("acme/a:pr1:0", 72, path: ".eval_results/bob.yaml")])));

        var merged = _log.Apply(Merged("acme/a", 1,
            Commit([Result("acme/a:main:bob", 72, path: ".eval_results/bob.yaml")]),
            new Dictionary<string, string> { ["acme/a:main:bob"] = "acme/a:pr1:0" }));

        var change = Assert.Single(merged);
        Assert.Equal(("acme/a", 72.0, 72.0, 1, 1), (change.ModelId, change.PreviousValue, change.Value, change.PreviousRank, change.Rank));
        Assert.Equal(("pr-merged", "author"), (change.Cause, change.Origin));
        Assert.Equal("acme/a:main:bob", _log.Rows().Single().Result.ResultId);
    }

    [Fact]
    public void Hiding_removes_the_row_and_unhiding_brings_it_back()
    {
        Board(("acme/a", 70), ("acme/b", 60));

        var hidden = _log.Apply(new ResultHidden("acme/a", "acme/a:main:0", "wrong split"));
        Assert.Equal([("acme/b", 60.0, 60.0, 2, 1), ("acme/a", 70.0, null, 1, null)], Rows(hidden));
        Assert.Equal("hidden", hidden[0].Cause);

        var unhidden = _log.Apply(new ResultUnhidden("acme/a", "acme/a:main:0"));
        Assert.Equal([("acme/a", null, 70.0, null, 1), ("acme/b", 60.0, 60.0, 1, 2)], Rows(unhidden));
        Assert.Equal("unhidden", unhidden[0].Cause);
    }

    [Fact]
    public void One_event_touching_two_tasks_numbers_its_changes_across_both_in_file_order()
    {
        Board(("acme/a", 70));
        _log.Apply(Created("acme/b"));

        var changes = _log.Apply(ToMain("acme/b", Commit([
            Result("acme/b:other", 0.4, path: ".eval_results/b.yaml", index: 1, task: "other"),
            Result("acme/b:mmlu", 90, path: ".eval_results/b.yaml", index: 0),
        ])));

        Assert.Equal([("mmlu_pro", "acme/b"), ("mmlu_pro", "acme/a"), ("other", "acme/b")], changes.Select(change => (change.TaskId, change.ModelId)));
        Assert.Equal([1, 2, 3], changes.Select(change => int.Parse(change.Id.Split('.')[1])));
    }

    [Fact]
    public void Results_wait_for_their_benchmark_and_appear_when_it_is_registered()
    {
        _log.Apply(Created("acme/a"));
        _log.Apply(Created("acme/b"));
        Assert.Empty(_log.Apply(ToMain("acme/a", Commit([Result("acme/a:main:0", 70)]))));
        Assert.Empty(_log.Apply(ToMain("acme/b", Commit([Result("acme/b:main:0", 80), Result("acme/b:main:1", 1, index: 1, task: "unknown")]))));
        Assert.False(_log.Board().Registered);

        var registered = _log.Apply(Registered());

        Assert.Equal([("acme/b", null, 80.0, null, 1), ("acme/a", null, 70.0, null, 2)], Rows(registered));
        Assert.All(registered, change => Assert.Equal("benchmark-updated", change.Cause));
        Assert.Equal(["acme/b", "acme/a"], _log.Rows().Select(row => row.ModelId));
        Assert.Equal([ModelStream("acme/a"), ModelStream("acme/b")], _log.Board().Contributors);
    }

    [Fact]
    public void A_benchmark_update_that_flips_the_direction_reranks_and_one_that_drops_a_task_removes_its_rows()
    {
        Board(("acme/a", 70), ("acme/b", 60));

        var flipped = _log.Apply(Updated(Definition(higherIsBetter: false)));
        Assert.Equal([("acme/b", 60.0, 60.0, 2, 1), ("acme/a", 70.0, 70.0, 1, 2)], Rows(flipped));

        var dropped = _log.Apply(Updated(Json("""{"name":"MMLU-Pro","tasks":[{"id":"other"}]}""")));
        Assert.Equal([("acme/b", 60.0, null, 1, null), ("acme/a", 70.0, null, 2, null)], Rows(dropped));
        Assert.All(dropped, change => Assert.Equal(TaskId, change.TaskId));
    }

    [Fact]
    public void Restating_a_result_unchanged_or_changing_the_card_changes_no_row()
    {
        Board(("acme/a", 70));

        Assert.Empty(_log.Apply(ToMain("acme/a", Commit([Result("acme/a:main:0", 70)]))));
        Assert.Empty(_log.Apply(ToMain("acme/a", Commit([], files: ["README.md"]), cardChanged: true, baseModel: ["meta/llama"])));

        // The card still matters to the Hub's board, which lists base models only by default.
        Assert.Empty(_log.Rows(filter: new BoardFilter(BaseModelsOnly: true)));
        Assert.False(_log.Rows().Single().Result.IsBaseModel);
    }

    [Fact]
    public void A_verified_result_changes_the_badge_of_its_row()
    {
        Board(("acme/a", 70));

        var changes = _log.Apply(ToMain("acme/a", Commit([Result("acme/a:main:0", 70, verified: true)])));

        var change = Assert.Single(changes);
        Assert.Equal((70.0, 70.0, 1, 1, true), (change.PreviousValue, change.Value, change.PreviousRank, change.Rank, change.Verified));
    }

    [Fact]
    public void Dataset_repos_and_unknown_repos_change_nothing()
    {
        _log.Apply(Registered());
        _log.Apply(new RepoCreated(Dataset, "dataset", "TIGER-Lab", true));

        Assert.Empty(_log.Apply(StreamKeyOfDataset(), new MainCommitted(Dataset, "dataset", Commit([], files: ["eval.yaml"]), false, null)));
        Assert.Empty(_log.Apply(ToMain("ghost/model", Commit([Result("ghost", 99)]))));
        Assert.Empty(_log.World.Models);
    }

    [Fact]
    public void Diff_reports_changed_rows_in_the_new_order_then_the_removed_ones()
    {
        IReadOnlyList<RankedRow> before = [Row("a", 90, 1), Row("b", 80, 2), Row("c", 70, 3), Row("d", 60, 4)];
        IReadOnlyList<RankedRow> after = [Row("e", 95, 1), Row("a", 90, 2), Row("c", 70, 3, verified: true), Row("d", 60, 4, origin: LeaderboardRanking.Community)];

        var diff = ScoreChangeRules.Diff(before, after);

        Assert.Equal(
            [
                new RowChange("e", null, 95, null, 1, false, "author"),
                new RowChange("a", 90, 90, 1, 2, false, "author"),
                new RowChange("c", 70, 70, 3, 3, true, "author"),
                new RowChange("d", 60, 60, 4, 4, false, "community"),
                new RowChange("b", 80, null, 2, null, false, null),
            ],
            diff);
    }

    [Fact]
    public void Numbering_runs_across_boards_and_ids_parse_back()
    {
        var changes = ScoreChangeRules.Number(
            [
                new BoardDiff("x/one", "t", [], [Row("a", 1, 1), Row("b", 0.5, 2)]),
                new BoardDiff("x/two", "t", [Row("a", 1, 1)], []),
            ],
            "committed",
            42,
            Start);

        Assert.Equal(["42.1", "42.2", "42.3"], changes.Select(change => change.Id));
        Assert.Equal(["x/one", "x/one", "x/two"], changes.Select(change => change.Benchmark));
        Assert.True(ScoreChangeRules.TryParseId("42.3", out var sequence, out var n));
        Assert.Equal((42L, 3), (sequence, n));
        Assert.False(ScoreChangeRules.TryParseId("42", out _, out _));
        Assert.False(ScoreChangeRules.TryParseId("x.1", out _, out _));
    }

    [Theory]
    [InlineData("committed", false)]
    [InlineData("retracted", true)]
    public void A_commit_to_main_that_only_deletes_is_a_retraction(string cause, bool onlyDeletes)
    {
        var commit = onlyDeletes
            ? Commit([], files: [], deleted: [".eval_results/a.yaml"], retracted: ["r1"])
            : Commit([Result("r2", 1)], deleted: [".eval_results/a.yaml"], retracted: ["r1"]);

        Assert.Equal(cause, ScoreChangeRules.CauseOf(ToMain("acme/a", commit)));
    }

    [Fact]
    public void Every_board_event_has_its_cause()
    {
        var commit = Commit([Result("r", 1)]);
        Assert.Equal(
            ["pr-opened", "pr-updated", "pr-closed", "pr-reopened", "pr-merged", "hidden", "unhidden", "benchmark-updated", "benchmark-updated"],
            new object[]
            {
                Opened("a/b", 1, commit), new PullRequestUpdated("a/b", "model", 1, commit), Closed("a/b", 1), Reopened("a/b", 1),
                Merged("a/b", 1, commit, new Dictionary<string, string>()), new ResultHidden("a/b", "r", "x"), new ResultUnhidden("a/b", "r"),
                Registered(), Updated(Definition()),
            }.Select(data => ScoreChangeRules.CauseOf(data)));
        Assert.Null(ScoreChangeRules.CauseOf(new PullRequestCommented("a/b", "model", 1, "hi")));
    }

    [Fact]
    public void A_change_goes_on_the_wire_as_one_server_sent_event_and_keeps_its_message_id()
    {
        var change = ScoreChangeRecord.From(
            new ScoreChanged("x/bench", "t", "a/m", null, 74.2, null, 1, true, "author", "committed", 7, "7.1", Start), 1);

        var text = ScoreChangeStreamApi.Format(change);

        Assert.StartsWith("id: 7.1\nevent: score-changed\ndata: {", text);
        Assert.EndsWith("}\n\n", text);
        Assert.Contains("\"previousValue\":null,\"value\":74.2,\"previousRank\":null,\"rank\":1,\"verified\":true,\"origin\":\"author\"", text);
        Assert.Equal(ScoreChangePublisher.MessageIdOf("7.1"), ScoreChangePublisher.MessageIdOf("7.1"));
        Assert.NotEqual(ScoreChangePublisher.MessageIdOf("7.1"), ScoreChangePublisher.MessageIdOf("7.2"));
    }

    private static string StreamKeyOfDataset() => StreamKeys.Repo("dataset", Dataset);
}
