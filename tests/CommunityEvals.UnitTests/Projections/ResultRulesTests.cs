using System.Text.Json;
using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Discussions;
using CommunityEvals.LeaderboardProjection.Results;
using CommunityEvals.LeaderboardProjection.Shared;
using static CommunityEvals.UnitTests.Projections.ProjectionEvents;

namespace CommunityEvals.UnitTests.Projections;

public class ResultRulesTests
{
    private readonly ProjectionEvents _log = new();

    private readonly Dictionary<string, ResultRecord> _records = [];

    private readonly Dictionary<int, Discussion> _discussions = [];

    /// <summary>The repo's events so far, which a history is folded from.</summary>
    private readonly List<(object Data, EventInfo Info)> _events = [];

    /// <summary>Routes one event the way the projections do: to every result it names, and to its pull request.</summary>
    private void Apply(object data, string actor = "alice")
    {
        var info = _log.Next(data, actor);
        _events.Add((data, info));
        foreach (var id in ResultRules.IdsOf(data))
        {
            if (ResultRules.Evolve(_records.GetValueOrDefault(id), id, data, info) is { } record)
            {
                _records[id] = record;
            }
        }

        if (DiscussionRules.KeyOf(data) is { } key)
        {
            var number = int.Parse(key[(key.IndexOf('#') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            if (DiscussionRules.Evolve(_discussions.GetValueOrDefault(number), key, data, info) is { } discussion)
            {
                _discussions[number] = discussion;
            }
        }
    }

    private IReadOnlyList<HistoryEntry> History(string id) =>
        ResultHistory.Assemble(_records[id], _records, ResultHistory.Fold(_events, ResultHistory.IdsFor(_records[id])), _discussions, new Dictionary<string, IReadOnlyList<(object Data, EventInfo Info)>>());

    private static string Change(HistoryEntry entry) => entry.Data.GetProperty("change").GetString()!;

    [Fact]
    public void A_commit_touches_the_results_it_writes_and_the_ones_it_retracts()
    {
        var commit = Commit("c1", [".eval_results/a.yaml"], [Result("a0", ".eval_results/a.yaml", 0, 1)], retracted: ["old"]);
        Assert.Equal(["a0", "old"], ResultRules.IdsOf(CommitToMain(commit)));
        Assert.Equal(["m", "p"], ResultRules.IdsOf(Merged(1, Commit("m1", [], []), new Dictionary<string, string> { ["m"] = "p" })));
        Assert.Equal(["x"], ResultRules.IdsOf(new ResultHidden(Repo, "x", "r")));
    }

    [Fact]
    public void History_records_creation_change_and_retraction_but_not_restatement()
    {
        Apply(Created());
        Apply(CommitToMain(Commit("c1", [".eval_results/a.yaml"], [Result("a0", ".eval_results/a.yaml", 0, 70)])));
        Apply(CommitToMain(Commit("c2", [".eval_results/a.yaml"], [Result("a0", ".eval_results/a.yaml", 0, 70)])));
        Apply(CommitToMain(Commit("c3", [".eval_results/a.yaml"], [Result("a0", ".eval_results/a.yaml", 0, 71)])));
        Apply(CommitToMain(Commit("c4", [], [], deleted: [".eval_results/a.yaml"], retracted: ["a0"])));
        Apply(CommitToMain(Commit("c5", [".eval_results/a.yaml"], [Result("a0", ".eval_results/a.yaml", 0, 72)])));

        var history = History("a0");
        Assert.Equal(["created", "updated", "retracted", "restored"], history.Select(Change));
        Assert.Equal(["c1", "c3", "c4", "c5"], history.Select(entry => entry.Data.GetProperty("commitOid").GetString()));
        Assert.All(history, entry => Assert.Equal("MainCommitted", entry.Type));
        Assert.Equal(history.Select(entry => entry.Sequence).Order(), history.Select(entry => entry.Sequence));
        Assert.Equal(ResultState.Active, _records["a0"].State);
        Assert.Equal(72, _records["a0"].Value);
        Assert.Equal(71, history[1].Data.GetProperty("item").GetProperty("value").GetDouble());
    }

    [Fact]
    public void The_stored_record_does_not_grow_with_its_history()
    {
        Apply(Created());
        Apply(CommitToMain(Commit("c0", [".eval_results/a.yaml"], [Result("a0", ".eval_results/a.yaml", 0, 0)])));
        var size = JsonSerializer.Serialize(_records["a0"]).Length;

        for (var i = 1; i <= 200; i++)
        {
            Apply(CommitToMain(Commit($"c{i}", [".eval_results/a.yaml"], [Result("a0", ".eval_results/a.yaml", 0, i % 10)])));
        }

        Assert.InRange(JsonSerializer.Serialize(_records["a0"]).Length, size - 10, size + 10);
        // Every one of them changed the value (i % 10 never repeats the one before), so each is in the history.
        Assert.Equal(201, History("a0").Count);
    }

    [Fact]
    public void Hiding_is_recorded_with_who_and_why()
    {
        Apply(Created());
        Apply(CommitToMain(Commit("c1", [".eval_results/a.yaml"], [Result("a0", ".eval_results/a.yaml", 0, 70)])));
        Apply(new ResultHidden(Repo, "a0", "wrong split"), "alice");

        var record = _records["a0"];
        Assert.Equal((true, "wrong split", "alice"), (record.Hidden, record.HiddenReason, record.HiddenBy));
        var hidden = History("a0")[^1];
        Assert.Equal(("ResultHidden", "alice"), (hidden.Type, hidden.Actor));
        Assert.Equal("wrong split", hidden.Data.GetProperty("reason").GetString());

        Apply(new ResultUnhidden(Repo, "a0"), "carol");
        Assert.False(_records["a0"].Hidden);
        Assert.Equal(("ResultUnhidden", "carol"), (History("a0")[^1].Type, History("a0")[^1].Actor));
    }

    [Fact]
    public void A_pull_request_results_history_includes_its_status_changes()
    {
        Apply(Created());
        Apply(Opened(1, "bob", Commit("p1", [".eval_results/b.yaml"], [Result("b0", ".eval_results/b.yaml", 0, 80)])), "bob");
        Apply(Closed(1, "Not reproducible"), "alice");
        Apply(Reopened(1), "bob");

        var history = History("b0");
        Assert.Equal(["PullRequestOpened", "PullRequestClosed", "PullRequestReopened"], history.Select(entry => entry.Type));
        Assert.Equal(["bob", "alice", "bob"], history.Select(entry => entry.Actor));
        Assert.Equal("closed", history[1].Data.GetProperty("status").GetString());
        Assert.Equal("Not reproducible", history[1].Data.GetProperty("comment").GetString());
        Assert.Equal("b0", history[1].Data.GetProperty("resultId").GetString());
        Assert.Equal("active", ResultsApi.View(_records["b0"], DiscussionStatus.Open).Status);
        Assert.Equal("community", ResultsApi.View(_records["b0"], DiscussionStatus.Open).Origin);
    }

    [Fact]
    public void A_merge_links_both_results_and_the_main_result_inherits_the_history()
    {
        Apply(Created());
        Apply(Opened(1, "bob", Commit("p1", [".eval_results/b.yaml"], [Result("b0", ".eval_results/b.yaml", 0, 80)])), "bob");
        Apply(Updated(1, Commit("p2", [".eval_results/b.yaml"], [Result("b0", ".eval_results/b.yaml", 0, 81)])), "bob");
        Apply(Closed(1), "alice");
        Apply(Reopened(1), "bob");
        Apply(Merged(1, Commit("m1", [".eval_results/b.yaml"], [Result("mb0", ".eval_results/b.yaml", 0, 81)]), new Dictionary<string, string> { ["mb0"] = "b0" }), "alice");

        var source = _records["b0"];
        Assert.Equal((ResultState.Merged, "mb0"), (source.State, source.MergedInto));
        var sourceView = ResultsApi.View(source, DiscussionStatus.Merged);
        Assert.Equal(("merged", false), (sourceView.Status, sourceView.Current));
        Assert.Equal(["created", "updated"], History("b0").Take(2).Select(Change));
        var merge = History("b0")[^1];
        Assert.Equal(("PullRequestMerged", "merged", "mb0"), (merge.Type, Change(merge), merge.Data.GetProperty("mergedInto").GetString()));

        var main = _records["mb0"];
        Assert.Equal(["b0"], main.MergedFrom);
        var view = ResultsApi.View(main, null);
        Assert.Equal(("main", "author", "active", true), (view.Ref, view.Origin, view.Status, view.Current));

        var history = History("mb0");
        Assert.Equal(
            ["PullRequestOpened", "PullRequestUpdated", "PullRequestClosed", "PullRequestReopened", "PullRequestMerged"],
            history.Select(entry => entry.Type));
        Assert.Equal(["b0", "b0", "b0", "b0", "mb0"], history.Select(entry => entry.Data.GetProperty("resultId").GetString()));
        Assert.Equal("b0", history[^1].Data.GetProperty("mergedFrom").GetString());
        Assert.Equal(1, history[^1].Data.GetProperty("mergedPullRequest").GetInt32());
    }

    [Fact]
    public void A_closed_pull_requests_result_is_not_current()
    {
        Apply(Created());
        Apply(Opened(1, "bob", Commit("p1", [".eval_results/b.yaml"], [Result("b0", ".eval_results/b.yaml", 0, 80)])), "bob");
        Apply(Closed(1), "alice");

        var view = ResultsApi.View(_records["b0"], _discussions[1].Status);
        Assert.Equal(("closed", false, "refs/pr/1", (int?)1), (view.Status, view.Current, view.Ref, view.PullRequest));
    }

    [Fact]
    public void History_data_keeps_its_keys_in_the_written_order()
    {
        Apply(Created());
        Apply(CommitToMain(Commit("c1", [".eval_results/a.yaml"], [Result("a0", ".eval_results/a.yaml", 0, 70)])));

        var data = History("a0")[0].Data;
        Assert.Equal("resultId", data.EnumerateObject().First().Name);
        // The item comes back in the documented order even though the store shuffled it.
        Assert.Equal(["dataset", "value"], data.GetProperty("item").EnumerateObject().Select(property => property.Name));
        Assert.Equal(["id", "task_id"], data.GetProperty("item").GetProperty("dataset").EnumerateObject().Select(property => property.Name));
        Assert.Equal(JsonValueKind.Number, data.GetProperty("value").ValueKind);
    }
}
