using CommunityEvals.LeaderboardProjection.Leaderboards;

namespace CommunityEvals.UnitTests.Leaderboards;

public class LeaderboardRankingTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly TaskScale Percent = new(HigherIsBetter: true, Min: 0, Max: 100);

    private static long _sequence;

    private static RankCandidate Result(
        string model,
        double value,
        bool verified = false,
        string origin = LeaderboardRanking.Author,
        long? sequence = null,
        string? notes = null,
        bool disputed = false,
        bool baseModel = true,
        string? id = null)
    {
        var seq = sequence ?? Interlocked.Increment(ref _sequence) + 1000;
        return new RankCandidate(model, value, verified, origin, disputed, seq, id ?? $"{model}#{seq}#{value}", notes, null, null, At, baseModel);
    }

    private static IReadOnlyList<RankedRow> Rank(TaskScale scale, BoardFilter? filter, params RankCandidate[] results) =>
        LeaderboardRanking.Rank(results, scale, filter ?? BoardFilter.Native);

    private static List<(int Rank, string Model, double Value)> Table(IEnumerable<RankedRow> rows) =>
        rows.Select(row => (row.Rank, row.ModelId, row.Value)).ToList();

    [Fact]
    public void One_row_per_model_with_its_best_result_and_how_many_it_has()
    {
        var rows = Rank(Percent, null,
            Result("acme/a", 70),
            Result("acme/a", 75),
            Result("acme/a", 72, origin: LeaderboardRanking.Community),
            Result("acme/b", 80));

        Assert.Equal([(1, "acme/b", 80.0), (2, "acme/a", 75.0)], Table(rows));
        Assert.Equal([1, 3], rows.Select(row => row.ResultsCount));
    }

    [Fact]
    public void Equal_values_share_a_competition_rank_and_are_ordered_by_model_id()
    {
        var rows = Rank(Percent, null,
            Result("z/one", 90),
            Result("c/tied", 80),
            Result("a/tied", 80),
            Result("b/last", 70));

        Assert.Equal([(1, "z/one", 90.0), (2, "a/tied", 80.0), (2, "c/tied", 80.0), (4, "b/last", 70.0)], Table(rows));
    }

    [Fact]
    public void Lower_is_better_reverses_the_order_and_the_choice_of_best()
    {
        var wer = new TaskScale(HigherIsBetter: false);
        var rows = Rank(wer, null,
            Result("acme/a", 12.5),
            Result("acme/a", 9.1),
            Result("acme/b", 10),
            Result("acme/c", 9.1));

        Assert.Equal([(1, "acme/a", 9.1), (1, "acme/c", 9.1), (3, "acme/b", 10.0)], Table(rows));
    }

    [Fact]
    public void Among_equal_values_a_verified_result_represents_the_model_first()
    {
        var rows = Rank(Percent, null,
            Result("acme/a", 80, origin: LeaderboardRanking.Author, sequence: 1, id: "author-early"),
            Result("acme/a", 80, verified: true, origin: LeaderboardRanking.Community, sequence: 9, id: "community-verified"));

        var row = Assert.Single(rows);
        Assert.Equal("community-verified", row.Result.ResultId);
        Assert.True(row.Result.Verified);
        Assert.Equal(LeaderboardRanking.Community, row.Result.Origin);
    }

    [Fact]
    public void Then_the_authors_result_before_the_communitys_then_the_earlier_event()
    {
        var authorLater = Rank(Percent, null,
            Result("acme/a", 80, origin: LeaderboardRanking.Community, sequence: 1, id: "community-early"),
            Result("acme/a", 80, origin: LeaderboardRanking.Author, sequence: 5, id: "author-late"));
        Assert.Equal("author-late", Assert.Single(authorLater).Result.ResultId);

        var earlier = Rank(Percent, null,
            Result("acme/a", 80, sequence: 7, id: "late"),
            Result("acme/a", 80, sequence: 3, id: "early"));
        Assert.Equal("early", Assert.Single(earlier).Result.ResultId);
    }

    [Fact]
    public void A_better_value_wins_over_every_badge()
    {
        var rows = Rank(Percent, null,
            Result("acme/a", 80, verified: true, sequence: 1, id: "verified"),
            Result("acme/a", 81, origin: LeaderboardRanking.Community, sequence: 2, id: "better"));

        Assert.Equal("better", Assert.Single(rows).Result.ResultId);
    }

    [Fact]
    public void Results_of_the_same_model_and_notes_that_differ_by_more_than_one_percent_of_the_range_are_disputed()
    {
        // Range 0-100: more than 1.0 apart disputes, 1.0 apart does not.
        var rows = Rank(Percent, null,
            Result("acme/a", 75, notes: "5-shot"),
            Result("acme/a", 73.5, notes: "5-shot"),
            Result("acme/b", 60, notes: "5-shot"),
            Result("acme/b", 59, notes: "5-shot"),
            Result("acme/c", 50, notes: "5-shot"),
            Result("acme/c", 40, notes: "0-shot"));

        Assert.Equal([true, false, false], rows.Select(row => row.Disputed));

        // Both sides of a disagreement are disputed, whichever one the row shows.
        var disputed = LeaderboardRanking.DisputedResults(
            [Result("x/y", 75, notes: "n", id: "hi"), Result("x/y", 70, notes: "n", id: "lo")], Percent);
        Assert.Equal(["hi", "lo"], disputed.Order());
    }

    [Fact]
    public void Without_a_range_results_dispute_when_they_differ_by_more_than_one_percent_relative()
    {
        var noRange = TaskScale.Default;

        // 0.5 vs 0.504: 0.8% apart; 0.5 vs 0.51: about 2% apart.
        var close = Rank(noRange, null, Result("acme/a", 0.5), Result("acme/a", 0.504));
        var far = Rank(noRange, null, Result("acme/a", 0.5), Result("acme/a", 0.51));

        Assert.False(Assert.Single(close).Disputed);
        Assert.True(Assert.Single(far).Disputed);

        // The same gap is within 1% of a 0-100 range.
        Assert.False(Assert.Single(Rank(Percent, null, Result("acme/a", 0.5), Result("acme/a", 0.51))).Disputed);
    }

    [Fact]
    public void Evidence_that_contradicts_a_result_disputes_it()
    {
        var rows = Rank(Percent, null, Result("acme/a", 75, disputed: true));

        Assert.True(Assert.Single(rows).Disputed);
    }

    [Fact]
    public void The_verified_filter_applies_before_ranking()
    {
        var results = new[]
        {
            Result("acme/a", 90),
            Result("acme/a", 70, verified: true),
            Result("acme/b", 80, verified: true),
            Result("acme/c", 85),
        };

        var all = Rank(Percent, null, results);
        Assert.Equal([(1, "acme/a", 90.0), (2, "acme/c", 85.0), (3, "acme/b", 80.0)], Table(all));

        var verified = Rank(Percent, new BoardFilter(VerifiedOnly: true), results);
        Assert.Equal([(1, "acme/b", 80.0), (2, "acme/a", 70.0)], Table(verified));
        Assert.Equal([1, 1], verified.Select(row => row.ResultsCount));
    }

    [Fact]
    public void Without_community_results_only_the_authors_count()
    {
        var results = new[]
        {
            Result("acme/a", 90, origin: LeaderboardRanking.Community),
            Result("acme/a", 60),
            Result("acme/b", 70),
            Result("acme/c", 99, origin: LeaderboardRanking.Community),
        };

        var rows = Rank(Percent, new BoardFilter(IncludeCommunity: false), results);

        Assert.Equal([(1, "acme/b", 70.0), (2, "acme/a", 60.0)], Table(rows));
        Assert.All(rows, row => Assert.Equal(LeaderboardRanking.Author, row.Result.Origin));
    }

    [Fact]
    public void The_base_model_filter_leaves_fine_tunes_out_and_ranks_what_is_left()
    {
        var results = new[]
        {
            Result("acme/tuned", 95, baseModel: false),
            Result("acme/base", 80),
            Result("other/base", 70),
        };

        var rows = Rank(Percent, new BoardFilter(BaseModelsOnly: true), results);

        Assert.Equal([(1, "acme/base", 80.0), (2, "other/base", 70.0)], Table(rows));
    }

    [Fact]
    public void Disagreement_is_judged_on_every_eligible_result_even_those_a_filter_leaves_out()
    {
        var rows = Rank(Percent, new BoardFilter(VerifiedOnly: true),
            Result("acme/a", 75, verified: true),
            Result("acme/a", 60));

        var row = Assert.Single(rows);
        Assert.True(row.Disputed);
        Assert.Equal(1, row.ResultsCount);
    }

    [Fact]
    public void No_results_no_rows()
    {
        Assert.Empty(Rank(Percent, null));
    }
}
