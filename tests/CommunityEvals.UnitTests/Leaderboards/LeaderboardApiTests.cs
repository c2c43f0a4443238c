using CommunityEvals.LeaderboardProjection.Leaderboards;
using Microsoft.Extensions.Primitives;
using static CommunityEvals.UnitTests.Leaderboards.BoardLog;

namespace CommunityEvals.UnitTests.Leaderboards;

public class LeaderboardApiTests
{
    [Fact]
    public void Tasks_come_in_file_order_with_their_leaderboard_settings_and_defaults()
    {
        var tasks = BenchmarkTasks.Of(Json("""
            {"leaderboard":{"wer":{"range":[0,1],"higher_is_better":false,"samples":500},"acc":{"metric":"accuracy"}},
             "tasks":[{"id":"acc"},{"id":"wer"},{"id":"plain"},{"id":"acc"}],"name":"x"}
            """));

        Assert.Equal(["acc", "wer", "plain"], tasks.Select(task => task.Id));
        Assert.Equal(new TaskSpec { Id = "acc", Metric = "accuracy" }, tasks[0]);
        Assert.Equal(new TaskSpec { Id = "wer", HigherIsBetter = false, RangeMin = 0, RangeMax = 1, Samples = 500 }, tasks[1]);
        Assert.Equal(new TaskScale(false, 0, 1), tasks[1].ToScale());
        Assert.Equal(TaskScale.Default, tasks[2].ToScale());
        Assert.Empty(BenchmarkTasks.Of(Json("""{"name":"no tasks"}""")));
    }

    [Fact]
    public void The_native_view_ranks_before_paging_and_counts_every_row()
    {
        var log = new BoardLog();
        log.Apply(Registered());
        foreach (var (repo, value) in new[] { ("acme/a", 70.0), ("acme/b", 80.0), ("acme/c", 80.0), ("acme/d", 60.0) })
        {
            log.Apply(Created(repo));
            log.Apply(ToMain(repo, Commit([Result($"{repo}:0", value, notes: "n", source: """{"name":"Paper","url":"https://p.org"}""")])));
        }

        var board = log.Board();
        var view = LeaderboardsApi.View(board, board.Task(TaskId)!, BoardFilter.Native, asOf: null, offset: 1, limit: 2);

        Assert.Equal((Dataset, TaskId, "accuracy", true, 4), (view.Benchmark, view.Task, view.Metric, view.HigherIsBetter, view.Total));
        Assert.Equal([(1, "acme/c"), (3, "acme/a")], view.Rows.Select(row => (row.Rank, row.ModelId)).ToList());
        var row = view.Rows[0];
        Assert.Equal(("acme/c:0", "author", false, 1, true, "n"), (row.ResultId, row.Origin, row.Disputed, row.ResultsCount, row.BaseModel, row.Notes));
        Assert.Equal("""{"url":"https://p.org","name":"Paper"}""", row.Source!.Value.GetRawText());
        Assert.Null(row.Stderr);
    }

    [Fact]
    public void ETags_are_strong_hashes_of_the_body_and_if_none_match_compares_them_weakly()
    {
        var tag = LeaderboardsApi.ETagOf("{\"a\":1}"u8.ToArray());
        Assert.Matches("^\"[0-9a-f]{32}\"$", tag);
        Assert.NotEqual(tag, LeaderboardsApi.ETagOf("{\"a\":2}"u8.ToArray()));

        Assert.True(LeaderboardsApi.Matches(new StringValues(tag), tag));
        Assert.True(LeaderboardsApi.Matches(new StringValues($"\"other\", W/{tag}"), tag));
        Assert.True(LeaderboardsApi.Matches(new StringValues("*"), tag));
        Assert.False(LeaderboardsApi.Matches(new StringValues("\"other\""), tag));
        Assert.False(LeaderboardsApi.Matches(StringValues.Empty, tag));
    }

    [Theory]
    [InlineData("2026-03-01T12:00:00Z", "2026-03-01T12:00:00+00:00")]
    [InlineData("2026-03-01T14:00:00+02:00", "2026-03-01T12:00:00+00:00")]
    [InlineData("2026-03-01T14:00:00 02:00", "2026-03-01T12:00:00+00:00")]
    [InlineData("2026-03-01T12:00:00", "2026-03-01T12:00:00+00:00")]
    [InlineData("2026-03-01", "2026-03-01T00:00:00+00:00")]
    public void As_of_reads_iso_8601_times(string text, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), LeaderboardsApi.ParseTime(text));
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("12")]
    [InlineData("March 1, 2026")]
    public void As_of_refuses_what_is_not_a_time(string text)
    {
        Assert.Null(LeaderboardsApi.ParseTime(text));
    }
}
