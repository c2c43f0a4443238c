using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using CommunityEvals.Ratings;

namespace CommunityEvals.UnitTests.Ratings;

public sealed class BradleyTerryTests
{
    // Computed here from the contract's constants, not taken from the library.
    private static readonly double RatingPerLogOdds = 400 / Math.Log(10);

    [Fact]
    public void The_fit_matches_the_independently_computed_reference_ratings()
    {
        var expected = JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(ArenaFixtures.Path("battles-30-models.ratings.json")))!;

        var ratings = BradleyTerry.Fit(new PairCounts(ArenaFixtures.ThirtyModelBattles));

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), ratings.Keys.Order(StringComparer.Ordinal));
        var worst = expected.MaxBy(pair => Math.Abs(ratings[pair.Key] - pair.Value));
        Assert.True(Math.Abs(ratings[worst.Key] - worst.Value) <= 0.01,
            $"{worst.Key}: fitted {ratings[worst.Key]:F6}, reference {worst.Value:F6}");
    }

    [Fact]
    public void The_fit_is_within_a_millionth_of_a_point_of_the_maximum()
    {
        var battles = ArenaFixtures.ThirtyModelBattles;
        var ratings = BradleyTerry.Fit(new PairCounts(battles));

        // The negative Hessian is a graph Laplacian (positive semidefinite) plus each model's prior
        // curvature σ(1-σ) on the diagonal, so its smallest eigenvalue is at least the smallest of
        // those, and the distance to the maximum at most |gradient| / that, in log-odds.
        var gradient = LogLikelihoodGradient(battles, ratings);
        var norm = Math.Sqrt(gradient.Values.Sum(g => g * g));
        var smallestCurvature = ratings.Values.Min(r =>
        {
            var p = WinProbability(r, 1000);
            return p * (1 - p);
        });
        var bound = RatingPerLogOdds * norm / smallestCurvature;
        Assert.True(bound <= 1e-6, $"up to {bound:E2} rating points from the maximum (gradient norm {norm:E2})");
    }

    [Fact]
    public void One_win_between_two_models_gives_the_ratings_the_prior_allows()
    {
        var ratings = BradleyTerry.Fit(new PairCounts([new Battle("a", "b", Outcome.AWins)]));

        // By symmetry a is 1000 + x and b is 1000 - x in rating points; at the maximum a's gradient,
        // (1 - P(a beats b)) from the win plus (1/2 - P(a beats 1000)) from the virtual tie, is zero.
        var (low, high) = (0.0, 2000.0);
        while (high - low > 1e-9)
        {
            var x = (low + high) / 2;
            var slope = (1 - WinProbability(1000 + x, 1000 - x)) + (0.5 - WinProbability(1000 + x, 1000));
            (low, high) = slope > 0 ? (x, high) : (low, x);
        }

        Assert.Equal(1000 + low, ratings["a"], 1e-6);
        Assert.Equal(1000 - low, ratings["b"], 1e-6);
    }

    [Fact]
    public void A_model_with_only_wins_or_only_losses_gets_a_finite_rating()
    {
        var battles = new List<Battle>();
        battles.AddRange(Repeat("champion", "x", Outcome.AWins, 20));
        battles.AddRange(Repeat("y", "champion", Outcome.BWins, 20));
        battles.AddRange(Repeat("x", "y", Outcome.AWins, 6));
        battles.AddRange(Repeat("x", "y", Outcome.BWins, 4));
        battles.AddRange(Repeat("x", "y", Outcome.Tie, 3));
        battles.AddRange(Repeat("x", "loser", Outcome.AWins, 20));
        battles.AddRange(Repeat("loser", "y", Outcome.BWins, 20));

        var ratings = BradleyTerry.Fit(new PairCounts(battles));

        Assert.All(ratings.Values, r => Assert.True(double.IsFinite(r)));
        Assert.True(ratings["champion"] > Math.Max(ratings["x"], ratings["y"]) && ratings["champion"] > 1000);
        Assert.True(ratings["loser"] < Math.Min(ratings["x"], ratings["y"]) && ratings["loser"] < 1000);
        Assert.True(ratings["x"] > ratings["y"]);
        var norm = Math.Sqrt(LogLikelihoodGradient(battles, ratings).Values.Sum(g => g * g));
        Assert.True(norm < 1e-9, $"gradient norm {norm:E2}");
    }

    [Fact]
    public void Groups_that_never_met_get_finite_ratings_each_centred_by_the_prior()
    {
        var battles = Repeat("a", "b", Outcome.AWins, 10)
            .Concat(Repeat("c", "d", Outcome.AWins, 3))
            .Concat(Repeat("c", "d", Outcome.BWins, 1))
            .ToList();

        var ratings = BradleyTerry.Fit(new PairCounts(battles));

        Assert.All(ratings.Values, r => Assert.True(double.IsFinite(r)));
        Assert.True(ratings["a"] > ratings["c"] && ratings["c"] > 1000 && ratings["d"] > ratings["b"]);
        // Nothing ties a group to the other, and each group's two virtual ties pull evenly on both sides of 1000.
        Assert.Equal(2000, ratings["a"] + ratings["b"], 1e-6);
        Assert.Equal(2000, ratings["c"] + ratings["d"], 1e-6);
    }

    [Fact]
    public void Every_interval_contains_its_rating_and_the_row_says_the_same_rating_as_the_fit()
    {
        var counts = new PairCounts(ArenaFixtures.ThirtyModelBattles);
        var fitted = BradleyTerry.Fit(counts);

        var rows = BradleyTerry.Rate(counts, 1000, seed: 20261201);

        Assert.Equal(30, rows.Count);
        Assert.All(rows, row =>
        {
            Assert.Equal(fitted[row.ModelId], row.Rating, 1e-9);
            Assert.True(row.Lower < row.Rating && row.Rating < row.Upper, $"{row.ModelId}: {row.Lower} < {row.Rating} < {row.Upper}");
        });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void With_votes_every_round_redraws_alike_the_interval_still_contains_the_rating(int votes)
    {
        var counts = new PairCounts();
        for (var i = 0; i < votes; i++)
        {
            counts.Add("a/one", "a/two", Outcome.AWins);
        }

        foreach (var seed in new ulong[] { 1, 2, 3, 42 })
        {
            Assert.All(BradleyTerry.Rate(counts, 1000, seed), row => Assert.InRange(row.Rating, row.Lower, row.Upper));
        }
    }

    [Fact]
    public void Ranks_follow_the_interval_rule_so_they_need_not_rise_one_by_one()
    {
        var battles = new List<Battle>();
        foreach (var middle in new[] { "mid-1", "mid-2" })
        {
            battles.AddRange(Repeat("top", middle, Outcome.AWins, 450));
            battles.AddRange(Repeat("top", middle, Outcome.BWins, 50));
            battles.AddRange(Repeat(middle, "bottom", Outcome.AWins, 450));
            battles.AddRange(Repeat(middle, "bottom", Outcome.BWins, 50));
        }

        battles.AddRange(Repeat("mid-1", "mid-2", Outcome.AWins, 250));
        battles.AddRange(Repeat("mid-1", "mid-2", Outcome.BWins, 240));
        battles.AddRange(Repeat("mid-1", "mid-2", Outcome.Tie, 10));

        var rows = BradleyTerry.Rate(new PairCounts(battles), 1000, seed: 7);

        Assert.Equal(["top", "mid-1", "mid-2", "bottom"], rows.Select(r => r.ModelId));
        Assert.Equal([1, 2, 2, 4], rows.Select(r => r.Rank));
        Assert.All(rows, row => Assert.Equal(1 + rows.Count(other => other.Lower > row.Upper), row.Rank));
    }

    [Fact]
    public void The_same_seed_gives_the_same_intervals_whatever_the_vote_order_and_another_seed_other_ones()
    {
        var battles = ArenaFixtures.ThirtyModelBattles;
        var shuffled = battles.ToArray();
        new Random(3).Shuffle(shuffled);

        var first = BradleyTerry.Rate(new PairCounts(battles), 1000, seed: 99);
        var again = BradleyTerry.Rate(new PairCounts(shuffled), 1000, seed: 99);
        var otherSeed = BradleyTerry.Rate(new PairCounts(battles), 1000, seed: 100);

        Assert.Equal(first, again);
        Assert.Contains(first.Zip(otherSeed), pair => pair.First.Lower != pair.Second.Lower || pair.First.Upper != pair.Second.Upper);
    }

    [Fact]
    public void Intervals_are_as_wide_as_the_number_of_votes_implies()
    {
        // 600 of 1,000 votes: the gap's standard error is 1 / sqrt(n p (1 - p)) in log-odds, and each
        // model's rating moves by half the gap (the two virtual ties hold the middle at 1000).
        var battles = Repeat("a", "b", Outcome.AWins, 600).Concat(Repeat("a", "b", Outcome.BWins, 400)).ToList();
        var expectedHalfWidth = 1.96 * RatingPerLogOdds / Math.Sqrt(1000 * 0.6 * 0.4) / 2;

        var rows = BradleyTerry.Rate(new PairCounts(battles), 1000, seed: 1);

        Assert.All(rows, row =>
        {
            var halfWidth = (row.Upper - row.Lower) / 2;
            Assert.True(Math.Abs(halfWidth - expectedHalfWidth) < 0.15 * expectedHalfWidth, $"{row.ModelId}: ±{halfWidth:F2}, expected ±{expectedHalfWidth:F2}");
        });
    }

    [Fact]
    public void Rows_count_each_models_votes_and_sort_by_rating_then_by_id()
    {
        // b and a only tie each other (exactly 1000 both, by symmetry); c beats d in a group of their own.
        var battles = new List<Battle>
        {
            new("b", "a", Outcome.Tie),
            new("a", "b", Outcome.Tie),
            new("d", "c", Outcome.BWins),
            new("c", "d", Outcome.AWins),
            new("c", "d", Outcome.BWins),
            new("d", "c", Outcome.Tie),
        };

        var rows = BradleyTerry.Rate(new PairCounts(battles), 200, seed: 5);

        Assert.Equal(["c", "a", "b", "d"], rows.Select(r => r.ModelId));
        Assert.Equal(new[] { (4, 2, 1, 1), (2, 0, 0, 2), (2, 0, 0, 2), (4, 1, 2, 1) }, rows.Select(r => (r.Votes, r.Wins, r.Losses, r.Ties)));
        Assert.Equal(1000, rows[1].Rating);
        Assert.Equal(1000, rows[2].Rating);
    }

    [Fact]
    public void Counts_reject_a_model_playing_itself_and_read_back_per_pair_and_no_votes_rate_to_no_rows()
    {
        var counts = new PairCounts();
        counts.Add("x", "y", Outcome.AWins);
        counts.Add("y", "x", Outcome.AWins);
        counts.Add("y", "x", Outcome.AWins);
        counts.Add("x", "y", Outcome.Tie);

        Assert.Throws<ArgumentException>(() => counts.Add("x", "x", Outcome.Tie));
        Assert.Equal(new PairTally("y", "x", 2, 1, 1), counts.Tally("y", "x"));
        Assert.Equal(new PairTally("x", "z", 0, 0, 0), counts.Tally("x", "z"));
        Assert.Equal(4, counts.TotalVotes);
        Assert.Equal(["x", "y"], counts.Models);
        Assert.Empty(BradleyTerry.Fit(new PairCounts()));
        Assert.Empty(BradleyTerry.Rate(new PairCounts(), 1000, seed: 1));
    }

    private static IEnumerable<Battle> Repeat(string a, string b, Outcome outcome, int times) =>
        Enumerable.Repeat(new Battle(a, b, outcome), times);

    private static double WinProbability(double rating, double opponent) => 1 / (1 + Math.Pow(10, (opponent - rating) / 400));

    /// <summary>The contract's log-likelihood's gradient in log-odds per model, summed battle by battle, virtual ties included.</summary>
    private static Dictionary<string, double> LogLikelihoodGradient(IEnumerable<Battle> battles, IReadOnlyDictionary<string, double> ratings)
    {
        var gradient = ratings.Keys.ToDictionary(model => model, model => 0.5 - WinProbability(ratings[model], 1000));
        foreach (var (a, b, outcome) in battles)
        {
            var scoreOfA = outcome switch { Outcome.AWins => 1, Outcome.BWins => 0, _ => 0.5 };
            var residual = scoreOfA - WinProbability(ratings[a], ratings[b]);
            gradient[a] += residual;
            gradient[b] -= residual;
        }

        return gradient;
    }
}

public sealed class BootstrapSamplerTests
{
    [Theory]
    [InlineData(30, 0.5)] // transformed rejection, small
    [InlineData(1000, 0.011)] // transformed rejection at its threshold
    [InlineData(200, 0.03)] // inversion
    [InlineData(40, 0.9)] // inversion, by symmetry
    [InlineData(5, 0.3)]
    public void Binomial_draws_follow_the_exact_distribution(int trials, double probability)
    {
        const int draws = 200_000;
        var random = new RandomStream(12345, 0);
        var frequency = new int[trials + 1];
        for (var i = 0; i < draws; i++)
        {
            frequency[Resampling.Binomial(random, trials, probability)]++;
        }

        // Each count within 5 standard deviations of what the exact probability expects.
        var q = 1 - probability;
        var pmf = Math.Pow(q, trials);
        for (var k = 0; k <= trials; k++)
        {
            var expected = draws * pmf;
            Assert.True(Math.Abs(frequency[k] - expected) <= (5 * Math.Sqrt(expected)) + 1, $"k = {k}: {frequency[k]} draws, {expected:F1} expected");
            pmf *= (trials - k) / (k + 1.0) * probability / q;
        }
    }

    [Theory]
    [InlineData(5_000_000, 0.3)]
    [InlineData(5_000_000, 0.00002)]
    [InlineData(5_000_000, 0.000001)]
    public void Binomial_draws_of_many_trials_have_the_right_mean_and_variance(int trials, double probability)
    {
        const int draws = 200_000;
        var random = new RandomStream(777, 3);
        var values = new double[draws];
        for (var i = 0; i < draws; i++)
        {
            values[i] = Resampling.Binomial(random, trials, probability);
        }

        var mean = values.Average();
        var variance = values.Sum(v => (v - mean) * (v - mean)) / (draws - 1);
        var expectedVariance = trials * probability * (1 - probability);
        Assert.True(Math.Abs(mean - (trials * probability)) <= 5 * Math.Sqrt(expectedVariance / draws), $"mean {mean}");
        Assert.True(Math.Abs(variance - expectedVariance) <= 5 * expectedVariance * Math.Sqrt(2.0 / draws) + 0.01, $"variance {variance}, expected {expectedVariance}");
    }

    [Fact]
    public void A_multinomial_draw_keeps_the_total_and_each_cells_share()
    {
        int[] cells = [500, 1, 0, 30, 2000, 7, 7];
        var total = cells.Sum();
        var sums = new double[cells.Length];
        var drawn = new int[cells.Length];
        const int rounds = 20_000;
        for (var round = 0; round < rounds; round++)
        {
            Resampling.Multinomial(new RandomStream(5, (ulong)round), cells, drawn);
            Assert.Equal(total, drawn.Sum());
            Assert.Equal(0, drawn[2]);
            for (var cell = 0; cell < cells.Length; cell++)
            {
                sums[cell] += drawn[cell];
            }
        }

        for (var cell = 0; cell < cells.Length; cell++)
        {
            var p = (double)cells[cell] / total;
            var standardError = Math.Sqrt(total * p * (1 - p) / rounds);
            Assert.True(Math.Abs((sums[cell] / rounds) - cells[cell]) <= (5 * standardError) + 1e-9, $"cell {cell}: mean {sums[cell] / rounds}, expected {cells[cell]}");
        }
    }
}

/// <summary>
/// The contract's arena reference data (../shared/fixtures/arena), copied into Ratings/Fixtures so that
/// the tests run from any clone, and copied to the build output.
/// </summary>
internal static class ArenaFixtures
{
    private static readonly Lazy<IReadOnlyList<Battle>> Battles = new(() => ReadBattles(Path("battles-30-models.csv.gz")));

    public static IReadOnlyList<Battle> ThirtyModelBattles => Battles.Value;

    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Ratings", "Fixtures", name);

    private static List<Battle> ReadBattles(string path)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        Assert.Equal("model_a,model_b,winner", reader.ReadLine());
        var battles = new List<Battle>();
        while (reader.ReadLine() is { Length: > 0 } line)
        {
            var fields = line.Split(',');
            battles.Add(new Battle(fields[0], fields[1], fields[2] switch
            {
                "model_a" => Outcome.AWins,
                "model_b" => Outcome.BWins,
                "tie" or "tie (bothbad)" => Outcome.Tie,
                var other => throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"unknown winner {other}")),
            }));
        }

        return battles;
    }
}
