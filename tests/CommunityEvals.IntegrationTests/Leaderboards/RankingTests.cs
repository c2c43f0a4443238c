using System.Net;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;
using static CommunityEvals.IntegrationTests.Leaderboards.Boards;

namespace CommunityEvals.IntegrationTests.Leaderboards;

/// <summary>
/// API.md, "Ranking": one row per model, its best eligible result; which result is eligible as
/// pull requests open, close, reopen and merge and results are hidden; ties; direction; disputes.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class RankingTests(StackFixture stack)
{
    private HttpClient Anonymous => stack.Anonymous;

    [Fact]
    public async Task A_community_pull_request_outranks_the_author_until_closed_returns_when_reopened_and_a_merged_one_becomes_the_authors()
    {
        var s = await stack.CreateScenarioAsync("lbpr");
        var contributor = await stack.CreateUserAsync("lbpr-c");
        var other = await stack.CreateUserAsync("lbpr-d");

        // The author's result on main.
        await s.Owner.CommitResultAsync(s.Model, s.Dataset, "70", "author.yaml");
        var board = await NativeUntilAsync(Anonymous, s.Dataset, $"1 {s.Model} 70 author");
        Assert.Equal(s.Dataset, board.GetProperty("benchmark").GetString());
        Assert.Equal("main", board.GetProperty("task").GetString());
        Assert.Equal("accuracy", board.GetProperty("metric").GetString());
        Assert.True(board.GetProperty("higherIsBetter").GetBoolean());
        Assert.Equal(JsonValueKind.Null, board.GetProperty("asOf").ValueKind);
        Assert.Equal(1, board.GetProperty("total").GetInt32());
        var row = RowOf(board, s.Model);
        Assert.False(row.GetProperty("verified").GetBoolean());
        Assert.False(row.GetProperty("disputed").GetBoolean());
        Assert.Equal(1, row.GetProperty("resultsCount").GetInt32());
        Assert.True(row.GetProperty("baseModel").GetBoolean());
        var authorResultId = row.GetProperty("resultId").GetString();
        Assert.False(string.IsNullOrEmpty(authorResultId));
        var hub = await HubUntilAsync(Anonymous, s.Dataset, $"1 {s.Model} 70");
        var hubRow = hub[0];
        Assert.Equal(".eval_results/author.yaml", hubRow.GetProperty("filename").GetString());
        Assert.False(hubRow.GetProperty("verified").GetBoolean());
        Assert.Equal("org", hubRow.GetProperty("author").GetProperty("type").GetString());
        Assert.Equal(s.Org, hubRow.GetProperty("author").GetProperty("name").GetString());
        Assert.False(hubRow.TryGetProperty("pullRequest", out _), "an author row has no pullRequest");

        // A higher community result in an open pull request represents the model.
        var first = await contributor.Client.OpenPullRequestAsync(s.Model, s.Dataset, "80");
        Assert.Equal(1, first);
        board = await NativeUntilAsync(Anonymous, s.Dataset, $"1 {s.Model} 80 community");
        row = RowOf(board, s.Model);
        Assert.Equal(2, row.GetProperty("resultsCount").GetInt32());
        Assert.True(row.GetProperty("disputed").GetBoolean(), "70 and 80 (same model, task, notes) differ by more than 1% of [0, 100]");
        var communityResultId = row.GetProperty("resultId").GetString();
        Assert.NotEqual(authorResultId, communityResultId);
        hub = await HubUntilAsync(Anonymous, s.Dataset, $"1 {s.Model} 80 pr=1");
        Assert.Equal(".eval_results/community.yaml", hub[0].GetProperty("filename").GetString());
        Assert.Equal(JsonValueKind.Number, hub[0].GetProperty("pullRequest").ValueKind);

        // Closed: the board falls back to the author's result.
        await contributor.Client.SetPullRequestStatusAsync(s.Model, first, "closed");
        board = await NativeUntilAsync(Anonymous, s.Dataset, $"1 {s.Model} 70 author");
        row = RowOf(board, s.Model);
        Assert.Equal(authorResultId, row.GetProperty("resultId").GetString());
        Assert.Equal(1, row.GetProperty("resultsCount").GetInt32());
        Assert.False(row.GetProperty("disputed").GetBoolean(), "a closed pull request's result is not eligible, so it disputes nothing");
        await HubUntilAsync(Anonymous, s.Dataset, $"1 {s.Model} 70");

        // Reopened: back on the board.
        await contributor.Client.SetPullRequestStatusAsync(s.Model, first, "open");
        board = await NativeUntilAsync(Anonymous, s.Dataset, $"1 {s.Model} 80 community");
        Assert.Equal(communityResultId, RowOf(board, s.Model).GetProperty("resultId").GetString());
        await HubUntilAsync(Anonymous, s.Dataset, $"1 {s.Model} 80 pr=1");

        // Another, higher pull request, then merged: its result is now the author's, on main.
        var second = await other.Client.OpenPullRequestAsync(s.Model, s.Dataset, "85", "other.yaml");
        Assert.Equal(2, second);
        board = await NativeUntilAsync(Anonymous, s.Dataset, $"1 {s.Model} 85 community");
        var prResultId = RowOf(board, s.Model).GetProperty("resultId").GetString();
        Assert.Equal(3, RowOf(board, s.Model).GetProperty("resultsCount").GetInt32());
        await HubUntilAsync(Anonymous, s.Dataset, $"1 {s.Model} 85 pr=2");

        await s.Owner.MergeAsync(s.Model, second);
        board = await NativeUntilAsync(Anonymous, s.Dataset, $"1 {s.Model} 85 author");
        row = RowOf(board, s.Model);
        Assert.NotEqual(prResultId, row.GetProperty("resultId").GetString()); // merging creates main results with new ids
        Assert.Equal(3, row.GetProperty("resultsCount").GetInt32()); // main 70, main 85 (merged), pull request 1's 80
        hub = await HubUntilAsync(Anonymous, s.Dataset, $"1 {s.Model} 85");
        Assert.Equal(".eval_results/other.yaml", hub[0].GetProperty("filename").GetString());
    }

    [Fact]
    public async Task Hiding_takes_a_result_off_the_board_and_unhiding_puts_it_back()
    {
        var s = await stack.CreateScenarioAsync("lbhide");
        var contributor = await stack.CreateUserAsync("lbhide-c");
        var other = await s.Owner.CreateRepoAsync("model", "model-b", s.Org);
        await s.Owner.CommitResultAsync(s.Model, s.Dataset, "60", "a.yaml");
        await contributor.Client.OpenPullRequestAsync(s.Model, s.Dataset, "55");
        await s.Owner.CommitResultAsync(other, s.Dataset, "58", "b.yaml");
        var board = await NativeUntilAsync(Anonymous, s.Dataset, $"1 {s.Model} 60 author", $"2 {other} 58 author");
        Assert.True(RowOf(board, s.Model).GetProperty("disputed").GetBoolean(), "60 and 55 differ by more than 1");
        var hiddenId = RowOf(board, s.Model).GetProperty("resultId").GetString()!;

        await s.Owner.HideAsync(hiddenId);

        board = await NativeUntilAsync(Anonymous, s.Dataset, $"1 {other} 58 author", $"2 {s.Model} 55 community");
        var fallback = RowOf(board, s.Model);
        Assert.Equal(1, fallback.GetProperty("resultsCount").GetInt32());
        Assert.False(fallback.GetProperty("disputed").GetBoolean(), "a hidden result is not eligible, so it disputes nothing");
        Assert.Equal(2, board.GetProperty("total").GetInt32());
        await HubUntilAsync(Anonymous, s.Dataset, $"1 {other} 58", $"2 {s.Model} 55 pr=1");

        await s.Owner.UnhideAsync(hiddenId);

        board = await NativeUntilAsync(Anonymous, s.Dataset, $"1 {s.Model} 60 author", $"2 {other} 58 author");
        Assert.Equal(hiddenId, RowOf(board, s.Model).GetProperty("resultId").GetString());
        Assert.Equal(2, RowOf(board, s.Model).GetProperty("resultsCount").GetInt32());
        await HubUntilAsync(Anonymous, s.Dataset, $"1 {s.Model} 60", $"2 {other} 58");
    }

    [Fact]
    public async Task A_lower_is_better_task_ranks_ascending_and_picks_each_models_lowest()
    {
        var s = await stack.CreateScenarioAsync("lblow", "[0, 10]", higherIsBetter: false);
        var contributor = await stack.CreateUserAsync("lblow-c");
        var b = await s.Owner.CreateRepoAsync("model", "model-b", s.Org);
        var c = await s.Owner.CreateRepoAsync("model", "model-c", s.Org);
        await s.Owner.CommitResultAsync(s.Model, s.Dataset, "3.2");
        await s.Owner.CommitResultAsync(b, s.Dataset, "1.5");
        await s.Owner.CommitResultAsync(c, s.Dataset, "2.0");
        await contributor.Client.OpenPullRequestAsync(b, s.Dataset, "4.5"); // higher, so worse: b keeps 1.5
        await contributor.Client.OpenPullRequestAsync(s.Model, s.Dataset, "2.5"); // lower, so better for this model (and last: the board waits for it)

        var board = await NativeUntilAsync(Anonymous, s.Dataset,
            $"1 {b} 1.5 author",
            $"2 {c} 2 author",
            $"3 {s.Model} 2.5 community");

        Assert.False(board.GetProperty("higherIsBetter").GetBoolean());
        Assert.Equal(2, RowOf(board, b).GetProperty("resultsCount").GetInt32());
        await HubUntilAsync(Anonymous, s.Dataset, $"1 {b} 1.5", $"2 {c} 2", $"3 {s.Model} 2.5 pr=1");
    }

    [Fact]
    public async Task Equal_values_share_a_competition_rank_ordered_by_model_id_and_ties_within_a_model_prefer_the_author_then_the_earlier_event()
    {
        var s = await stack.CreateScenarioAsync("lbtie");
        var first = await stack.CreateUserAsync("lbtie-c");
        var second = await stack.CreateUserAsync("lbtie-d");
        // Created and filled in the reverse of their id order, so an order by time would show.
        var mid = await s.Owner.CreateRepoAsync("model", "mid", s.Org);
        var zeta = await s.Owner.CreateRepoAsync("model", "zeta", s.Org);
        var alpha = await s.Owner.CreateRepoAsync("model", "alpha", s.Org);

        await first.Client.OpenPullRequestAsync(zeta, s.Dataset, "80", "first.yaml");
        await second.Client.OpenPullRequestAsync(zeta, s.Dataset, "80", "second.yaml");
        await first.Client.OpenPullRequestAsync(alpha, s.Dataset, "80", "community.yaml");
        await s.Owner.CommitResultAsync(alpha, s.Dataset, "80", "author.yaml"); // later, but the author's
        await s.Owner.CommitResultAsync(s.Model, s.Dataset, "70");
        await s.Owner.CommitResultAsync(mid, s.Dataset, "90");

        var board = await NativeUntilAsync(Anonymous, s.Dataset,
            $"1 {mid} 90 author",
            $"2 {alpha} 80 author",
            $"2 {zeta} 80 community",
            $"4 {s.Model} 70 author");

        Assert.Equal(2, RowOf(board, alpha).GetProperty("resultsCount").GetInt32());
        Assert.Equal(2, RowOf(board, zeta).GetProperty("resultsCount").GetInt32());
        Assert.False(RowOf(board, zeta).GetProperty("disputed").GetBoolean(), "equal values dispute nothing");
        var hub = await HubUntilAsync(Anonymous, s.Dataset,
            $"1 {mid} 90",
            $"2 {alpha} 80",
            $"2 {zeta} 80 pr=1",
            $"4 {s.Model} 70");
        Assert.Equal(".eval_results/author.yaml", hub[1].GetProperty("filename").GetString());
        Assert.Equal(".eval_results/first.yaml", hub[2].GetProperty("filename").GetString());

        // The earlier pull request closed: the later one, equal, represents zeta; ranks do not move.
        await first.Client.SetPullRequestStatusAsync(zeta, 1, "closed");
        await HubUntilAsync(Anonymous, s.Dataset,
            $"1 {mid} 90",
            $"2 {alpha} 80",
            $"2 {zeta} 80 pr=2",
            $"4 {s.Model} 70");
    }

    [Fact]
    public async Task Results_of_one_model_task_and_notes_that_differ_by_more_than_one_percent_of_the_range_are_disputed()
    {
        var s = await stack.CreateScenarioAsync("lbdisp", "[0, 10]");
        var contributor = await stack.CreateUserAsync("lbdisp-c");
        var b = await s.Owner.CreateRepoAsync("model", "model-b", s.Org);
        var c = await s.Owner.CreateRepoAsync("model", "model-c", s.Org);
        var d = await s.Owner.CreateRepoAsync("model", "model-d", s.Org);

        // 0.2 apart: more than 1% of the range (0.1).
        await CommitItemsAsync(s, s.Model, ("5.0", null), ("5.2", null));
        // 0.08 apart: within 1% of the range, though more than 1% of the values.
        await CommitItemsAsync(s, b, ("4.0", null), ("4.08", null));
        // Far apart but with different notes: not comparable.
        await CommitItemsAsync(s, c, ("3.0", "0-shot"), ("3.5", "5-shot"));
        // Main and an open pull request disagree, whichever origin.
        await s.Owner.CommitResultAsync(d, s.Dataset, "2.0");
        var pr = await contributor.Client.OpenPullRequestAsync(d, s.Dataset, "2.5");

        var board = await NativeUntilAsync(Anonymous, s.Dataset,
            $"1 {s.Model} 5.2 author",
            $"2 {b} 4.08 author",
            $"3 {c} 3.5 author",
            $"4 {d} 2.5 community");

        Assert.True(RowOf(board, s.Model).GetProperty("disputed").GetBoolean());
        Assert.False(RowOf(board, b).GetProperty("disputed").GetBoolean());
        Assert.False(RowOf(board, c).GetProperty("disputed").GetBoolean());
        Assert.Equal("5-shot", RowOf(board, c).GetProperty("notes").GetString());
        Assert.True(RowOf(board, d).GetProperty("disputed").GetBoolean());
        Assert.All(board.GetProperty("rows").EnumerateArray(), row => Assert.Equal(2, row.GetProperty("resultsCount").GetInt32()));
        var hub = await HubUntilAsync(Anonymous, s.Dataset, $"1 {s.Model} 5.2", $"2 {b} 4.08", $"3 {c} 3.5", $"4 {d} 2.5 pr=1");
        Assert.Equal("5-shot", hub[2].GetProperty("notes").GetString());
        Assert.False(hub[0].TryGetProperty("notes", out _), "a row without notes has no notes on the Hub board");

        // The contradicting pull request closed: nothing disagrees with d's main result any more.
        await contributor.Client.SetPullRequestStatusAsync(d, pr, "closed");
        board = await NativeUntilAsync(Anonymous, s.Dataset,
            $"1 {s.Model} 5.2 author",
            $"2 {b} 4.08 author",
            $"3 {c} 3.5 author",
            $"4 {d} 2 author");
        Assert.False(RowOf(board, d).GetProperty("disputed").GetBoolean());
        Assert.Equal(1, RowOf(board, d).GetProperty("resultsCount").GetInt32());
    }

    [Fact]
    public async Task Without_a_declared_range_results_dispute_when_they_differ_by_more_than_one_percent_relative()
    {
        var s = await stack.CreateScenarioAsync("lbnorange");
        var dataset = await s.Owner.CreateRepoAsync("dataset", "bench-norange", s.Org);
        var definition = HubCommits.BenchmarkYaml().Replace(", range: [0, 100]", "");
        Assert.DoesNotContain("range", definition);
        using (var registered = await s.Owner.CommitAsync("dataset", dataset, "main", "eval.yaml", definition))
        {
            Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        }

        var b = await s.Owner.CreateRepoAsync("model", "model-b", s.Org);
        await CommitItemsAsync(s with { Dataset = dataset }, s.Model, ("50", null), ("50.4", null)); // 0.8% apart
        await CommitItemsAsync(s with { Dataset = dataset }, b, ("10", null), ("10.2", null)); // ~2% apart

        var board = await NativeUntilAsync(Anonymous, dataset, $"1 {s.Model} 50.4 author", $"2 {b} 10.2 author");

        Assert.False(RowOf(board, s.Model).GetProperty("disputed").GetBoolean());
        Assert.True(RowOf(board, b).GetProperty("disputed").GetBoolean());
    }

    /// <summary>One file on main holding several items of the scenario's benchmark task.</summary>
    private static async Task CommitItemsAsync(StackFixture.Scenario s, string model, params (string Value, string? Notes)[] items)
    {
        var yaml = string.Concat(items.Select(item => HubCommits.ResultYaml(s.Dataset, "main", item.Value, item.Notes)));
        using var response = await s.Owner.CommitAsync("model", model, "main", ".eval_results/items.yaml", yaml);
        Assert.True(response.IsSuccessStatusCode, $"committing {yaml}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
