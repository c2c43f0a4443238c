namespace CommunityEvals.Ratings;

/// <summary>
/// Bradley-Terry ratings as ARENA.md ("Ratings") defines them: maximum likelihood with
/// P(i beats j) = 1 / (1 + 10^((R_j - R_i) / 400)), a tie half a win for each side, and one virtual
/// tie of every model against a virtual model fixed at 1000; 95% intervals from bootstrap rounds.
/// </summary>
public static class BradleyTerry
{
    public const double Scale = 400, Base = 10, Prior = 1000;

    /// <summary>Rating points per unit of natural log-odds, the unit the fit works in.</summary>
    internal static readonly double RatingPerLogOdds = Scale / Math.Log(Base);

    /// <summary>The maximum-likelihood rating of every model in <paramref name="counts"/>, each within 1e-6 of the exact maximum.</summary>
    public static IReadOnlyDictionary<string, double> Fit(PairCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var problem = Problem.From(counts);
        var fit = new LikelihoodMaximizer(problem.Models.Length, problem.First, problem.Second);
        fit.Maximize(problem.FirstScores, problem.Games, new double[problem.Models.Length], default);
        var ratings = new Dictionary<string, double>(problem.Models.Length, StringComparer.Ordinal);
        for (var model = 0; model < problem.Models.Length; model++)
        {
            ratings.Add(problem.Models[model], ToRating(fit.Theta[model]));
        }

        return ratings;
    }

    /// <summary>
    /// The board's rows: ratings, 95% intervals from <paramref name="bootstrapRounds"/> rounds (1,000 by
    /// the contract) seeded from <paramref name="seed"/>, ranks by the interval rule, and vote counts;
    /// best rating first, then by model id. The same counts and seed give the same rows, whatever
    /// order the votes were added in and however the rounds are spread over threads.
    /// </summary>
    public static IReadOnlyList<RatingRow> Rate(PairCounts counts, int bootstrapRounds, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentOutOfRangeException.ThrowIfLessThan(bootstrapRounds, 1);
        var problem = Problem.From(counts);
        var n = problem.Models.Length;
        if (n == 0)
        {
            return [];
        }

        var fullFit = new LikelihoodMaximizer(n, problem.First, problem.Second);
        fullFit.Maximize(problem.FirstScores, problem.Games, new double[n], default);
        var theta = fullFit.Theta.ToArray();
        var factor = fullFit.FactorAtTheta(problem.FirstScores, problem.Games);

        // One worker per core taking rounds in turn, rather than Parallel.For's per-task local state:
        // its tasks restart every so often, and each restart would build a worker again (a factor of
        // n² doubles and a few arrays per pair), which is most of the memory of a 500-model run.
        var roundRatings = new double[bootstrapRounds * n];
        var lastRoundTaken = -1;
        Parallel.For(0, Math.Min(Environment.ProcessorCount, bootstrapRounds), _ =>
        {
            var worker = new BootstrapWorker(problem);
            for (var round = Interlocked.Increment(ref lastRoundTaken); round < bootstrapRounds; round = Interlocked.Increment(ref lastRoundTaken))
            {
                worker.Run(seed, round, theta, factor, roundRatings.AsSpan(round * n, n));
            }
        });

        // The 25th and 976th smallest of 1,000, generally the ends that leave 2.5% of rounds out on each side.
        var lowerIndex = (int)Math.Ceiling(0.025 * bootstrapRounds) - 1;
        var upperIndex = bootstrapRounds - 1 - lowerIndex;
        var lower = new double[n];
        var upper = new double[n];
        var column = new double[bootstrapRounds];
        for (var model = 0; model < n; model++)
        {
            for (var round = 0; round < bootstrapRounds; round++)
            {
                column[round] = roundRatings[(round * n) + model];
            }

            Array.Sort(column);
            // A round that redraws exactly the observed votes (always so with one vote) refits the same
            // maximum only to within the fit's tolerance: that noise must not leave the rating outside its own interval.
            var rating = ToRating(theta[model]);
            lower[model] = Math.Min(ToRating(column[lowerIndex]), rating);
            upper[model] = Math.Max(ToRating(column[upperIndex]), rating);
        }

        var (wins, losses, ties) = (new int[n], new int[n], new int[n]);
        for (var pair = 0; pair < problem.First.Length; pair++)
        {
            var (first, second) = (problem.First[pair], problem.Second[pair]);
            wins[first] += problem.FirstWins[pair];
            losses[second] += problem.FirstWins[pair];
            wins[second] += problem.SecondWins[pair];
            losses[first] += problem.SecondWins[pair];
            ties[first] += problem.Ties[pair];
            ties[second] += problem.Ties[pair];
        }

        var rows = new RatingRow[n];
        for (var model = 0; model < n; model++)
        {
            var clearlyBetter = 0;
            for (var other = 0; other < n; other++)
            {
                if (lower[other] > upper[model])
                {
                    clearlyBetter++;
                }
            }

            rows[model] = new RatingRow(1 + clearlyBetter, problem.Models[model], ToRating(theta[model]), lower[model], upper[model],
                wins[model] + losses[model] + ties[model], wins[model], losses[model], ties[model]);
        }

        Array.Sort(rows, static (x, y) => x.Rating != y.Rating ? y.Rating.CompareTo(x.Rating) : string.CompareOrdinal(x.ModelId, y.ModelId));
        return rows;
    }

    private static double ToRating(double logOdds) => Prior + (logOdds * RatingPerLogOdds);

    /// <summary>
    /// The counts in a canonical order, models by ordinal id and pairs by model index, so that the
    /// bootstrap's cells (and so its draws) do not depend on the order the votes were added in.
    /// </summary>
    private sealed class Problem
    {
        public required string[] Models { get; init; }
        public required int[] First { get; init; }
        public required int[] Second { get; init; }
        public required int[] FirstWins { get; init; }
        public required int[] SecondWins { get; init; }
        public required int[] Ties { get; init; }
        public required double[] FirstScores { get; init; }
        public required double[] Games { get; init; }

        /// <summary>The distinct (pair, result) outcomes that have votes, which a bootstrap round redraws.</summary>
        public required int[] CellPairs { get; init; }
        public required CellResult[] CellResults { get; init; }
        public required int[] CellCounts { get; init; }

        public static Problem From(PairCounts counts)
        {
            var models = counts.Models.ToArray();
            var sortedIndex = new int[models.Length];
            var order = Enumerable.Range(0, models.Length).ToArray();
            Array.Sort(order, (x, y) => string.CompareOrdinal(models[x], models[y]));
            for (var position = 0; position < order.Length; position++)
            {
                sortedIndex[order[position]] = position;
            }

            var pairs = counts.RawPairs
                .Select(t => sortedIndex[t.First] < sortedIndex[t.Second]
                    ? (First: sortedIndex[t.First], Second: sortedIndex[t.Second], FirstWins: t.FirstWins, SecondWins: t.SecondWins, t.Ties)
                    : (First: sortedIndex[t.Second], Second: sortedIndex[t.First], FirstWins: t.SecondWins, SecondWins: t.FirstWins, t.Ties))
                .OrderBy(p => p.First).ThenBy(p => p.Second)
                .ToArray();
            var cells = pairs
                .SelectMany((p, pair) => new[] { (pair, Result: CellResult.FirstWins, Count: p.FirstWins), (pair, Result: CellResult.SecondWins, Count: p.SecondWins), (pair, Result: CellResult.Tie, Count: p.Ties) })
                .Where(cell => cell.Count > 0)
                .ToArray();
            return new Problem
            {
                Models = order.Select(index => models[index]).ToArray(),
                First = pairs.Select(p => p.First).ToArray(),
                Second = pairs.Select(p => p.Second).ToArray(),
                FirstWins = pairs.Select(p => p.FirstWins).ToArray(),
                SecondWins = pairs.Select(p => p.SecondWins).ToArray(),
                Ties = pairs.Select(p => p.Ties).ToArray(),
                FirstScores = pairs.Select(p => p.FirstWins + (0.5 * p.Ties)).ToArray(),
                Games = pairs.Select(p => (double)(p.FirstWins + p.SecondWins + p.Ties)).ToArray(),
                CellPairs = cells.Select(cell => cell.pair).ToArray(),
                CellResults = cells.Select(cell => cell.Result).ToArray(),
                CellCounts = cells.Select(cell => cell.Count).ToArray(),
            };
        }
    }

    /// <summary>One thread's working memory for bootstrap rounds; a round's result depends only on the seed and the round's number.</summary>
    private sealed class BootstrapWorker(Problem problem)
    {
        private readonly int[] _drawn = new int[problem.CellCounts.Length];
        private readonly double[] _firstScores = new double[problem.First.Length];
        private readonly double[] _games = new double[problem.First.Length];
        private readonly LikelihoodMaximizer _fit = new(problem.Models.Length, problem.First, problem.Second);

        public void Run(ulong seed, int round, double[] start, double[] nearbyFactor, Span<double> thetaOut)
        {
            Resampling.Multinomial(new RandomStream(seed, (ulong)round), problem.CellCounts, _drawn);
            Array.Clear(_firstScores);
            Array.Clear(_games);
            for (var cell = 0; cell < _drawn.Length; cell++)
            {
                var drawn = _drawn[cell];
                var pair = problem.CellPairs[cell];
                _games[pair] += drawn;
                _firstScores[pair] += problem.CellResults[cell] switch
                {
                    CellResult.FirstWins => drawn,
                    CellResult.Tie => 0.5 * drawn,
                    _ => 0,
                };
            }

            _fit.Maximize(_firstScores, _games, start, nearbyFactor);
            _fit.Theta.CopyTo(thetaOut);
        }
    }

    private enum CellResult : byte
    {
        FirstWins,
        SecondWins,
        Tie,
    }
}
