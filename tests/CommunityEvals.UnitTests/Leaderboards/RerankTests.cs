using CommunityEvals.LeaderboardProjection.Leaderboards;
using CommunityEvals.LeaderboardProjection.ScoreChanges;

namespace CommunityEvals.UnitTests.Leaderboards;

/// <summary>
/// The fold's shortcut against the definition: re-ranking after one model's results change must give
/// the rows a full ranking gives, and the one-model diff the changes the general diff finds.
/// </summary>
public class RerankTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<int, bool, bool> Cases()
    {
        var data = new TheoryData<int, bool, bool>();
        foreach (var seed in new[] { 1, 2, 3, 4, 5, 6, 7, 8 })
        {
            data.Add(seed, true, true);
            data.Add(seed, false, false);
            data.Add(seed, true, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reranking_one_model_equals_ranking_everything_again(int seed, bool higherIsBetter, bool withRange)
    {
        var random = new Random(seed);
        var scale = withRange ? new TaskScale(higherIsBetter, 0, 100) : new TaskScale(higherIsBetter);
        var models = Enumerable.Range(0, 40).Select(index => $"org{index % 3}/model-{index:D2}").ToList();
        var results = models.ToDictionary(model => model, model => Candidates(random, model), StringComparer.Ordinal);
        var rows = LeaderboardRanking.Rank(results.Values.SelectMany(list => list), scale, BoardFilter.Native);

        for (var step = 0; step < 300; step++)
        {
            var model = models[random.Next(models.Count)];
            results[model] = random.Next(6) == 0 ? [] : Candidates(random, model);

            var expected = LeaderboardRanking.Rank(results.Values.SelectMany(list => list), scale, BoardFilter.Native);
            var actual = LeaderboardRanking.Rerank(rows, model, results[model], scale, BoardFilter.Native);

            Assert.Equal(expected, actual);
            Assert.Equal(ScoreChangeRules.Diff(rows, expected), ScoreChangeRules.Diff(rows, actual, onlyModel: model));
            rows = actual;
        }
    }

    [Fact]
    public void Results_of_another_model_are_refused()
    {
        var rows = LeaderboardRanking.Rank([Candidate("a/one", 1, 1)], TaskScale.Default, BoardFilter.Native);

        Assert.Throws<ArgumentException>(() =>
            LeaderboardRanking.Rerank(rows, "a/one", [Candidate("b/two", 2, 2)], TaskScale.Default, BoardFilter.Native));
    }

    [Fact]
    public void The_one_model_diff_gives_way_when_other_rows_moved()
    {
        var before = LeaderboardRanking.Rank([Candidate("a/one", 1, 1), Candidate("b/two", 2, 2)], TaskScale.Default, BoardFilter.Native);
        var after = LeaderboardRanking.Rank([Candidate("a/one", 3, 3), Candidate("b/two", 0.5, 4)], TaskScale.Default, BoardFilter.Native);

        Assert.Equal(ScoreChangeRules.Diff(before, after), ScoreChangeRules.Diff(before, after, onlyModel: "a/one"));
        Assert.Equal(2, ScoreChangeRules.Diff(before, after, onlyModel: "a/one").Count);
    }

    /// <summary>A few results on a coarse grid, so ties, equal bests and disputes all happen.</summary>
    private static List<RankCandidate> Candidates(Random random, string model)
    {
        var count = random.Next(1, 4);
        return Enumerable.Range(0, count)
            .Select(_ =>
            {
                var sequence = random.NextInt64(1, 1_000_000);
                return new RankCandidate(
                    model,
                    random.Next(0, 12) * 5.0,
                    Verified: random.Next(3) == 0,
                    Origin: random.Next(2) == 0 ? LeaderboardRanking.Author : LeaderboardRanking.Community,
                    Disputed: random.Next(10) == 0,
                    sequence,
                    $"{model}#{sequence}",
                    Notes: random.Next(2) == 0 ? null : "cot",
                    Source: null,
                    Stderr: null,
                    At,
                    IsBaseModel: true);
            })
            .ToList();
    }

    private static RankCandidate Candidate(string model, double value, long sequence) =>
        new(model, value, false, LeaderboardRanking.Author, false, sequence, $"{model}#{sequence}", null, null, null, At, true);
}
