namespace CommunityEvals.Ratings;

/// <summary>
/// Maximises the Bradley-Terry log-likelihood of one set of pair counts, in natural log-odds units
/// relative to the virtual model (a rating of 1000 is 0 here). Holds the working memory of one fit,
/// so one instance per thread serves any number of fits of the same pairs.
/// </summary>
/// <remarks>
/// With the virtual tie every model plays, the log-likelihood is strictly concave and its negative
/// Hessian strictly diagonally dominant, so Newton's method with step halving converges from anywhere
/// and a Cholesky factor always exists. A factor costs n³/6 multiply-adds against n² for using one,
/// so a factor is kept while the steps it gives keep shrinking fast (each at most a quarter of the
/// one before): a bootstrap round starts from the full-data ratings with the full-data factor, which
/// is close enough to converge in a handful of cheap steps.
/// </remarks>
internal sealed class LikelihoodMaximizer
{
    /// <summary>
    /// The last step's size, 1e-7 rating points: after a Newton step the error left is of the order of its
    /// square, after a step from a kept factor (one that shrank the step fourfold) at most a third of
    /// it; either way far inside the contract's 1e-6.
    /// </summary>
    private static readonly double StepTolerance = 1e-7 / BradleyTerry.RatingPerLogOdds;

    /// <summary>At the maximum, a step's gain is below the rounding of the sum it is measured on; a loss smaller than this is taken as no loss.</summary>
    private const double RelativeRoundingOfLikelihood = 1e-11;

    private const int MaxIterations = 500;
    private const int MaxHalvings = 60;

    private readonly int _models;
    private readonly int[] _first;
    private readonly int[] _second;
    private double[] _theta;
    private double[] _trialTheta;
    private double[] _gradient;
    private double[] _trialGradient;
    private double[] _pairCurvature;
    private double[] _trialPairCurvature;
    private double[] _modelCurvature;
    private double[] _trialModelCurvature;
    private readonly double[] _direction;
    private readonly double[] _solveWork;
    private readonly double[] _ownFactor;

    public LikelihoodMaximizer(int models, int[] first, int[] second)
    {
        _models = models;
        _first = first;
        _second = second;
        _theta = new double[models];
        _trialTheta = new double[models];
        _gradient = new double[models];
        _trialGradient = new double[models];
        _modelCurvature = new double[models];
        _trialModelCurvature = new double[models];
        _pairCurvature = new double[first.Length];
        _trialPairCurvature = new double[first.Length];
        _direction = new double[models];
        _solveWork = new double[models];
        _ownFactor = new double[models * models];
    }

    /// <summary>The maximum found by the last <see cref="Maximize"/>, in log-odds.</summary>
    public ReadOnlySpan<double> Theta => _theta;

    /// <summary>
    /// Finds the maximum, to well within 1e-6 rating points, starting at <paramref name="start"/>.
    /// <paramref name="firstScores"/> is per pair the first model's wins plus half the ties,
    /// <paramref name="games"/> the pair's votes. <paramref name="nearbyFactor"/>, when given, is a
    /// Cholesky factor of the negative Hessian at a point near the maximum, used until it stops paying.
    /// </summary>
    public void Maximize(ReadOnlySpan<double> firstScores, ReadOnlySpan<double> games, ReadOnlySpan<double> start, ReadOnlySpan<double> nearbyFactor)
    {
        start.CopyTo(_theta);
        var logLikelihood = Evaluate(_theta, firstScores, games, _gradient, _pairCurvature, _modelCurvature);
        var factorIsCurrent = nearbyFactor.IsEmpty;
        if (factorIsCurrent)
        {
            FactorNegativeHessian(_pairCurvature, _modelCurvature, _ownFactor);
        }

        var factor = factorIsCurrent ? _ownFactor : nearbyFactor;
        var previousStep = double.PositiveInfinity;
        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            Cholesky.Solve(factor, _models, _gradient, _direction, _solveWork);
            var scale = 1.0;
            var accepted = false;
            for (var halving = 0; halving < MaxHalvings && !accepted; halving++)
            {
                if (halving > 0)
                {
                    scale *= 0.5;
                }

                for (var i = 0; i < _models; i++)
                {
                    _trialTheta[i] = _theta[i] + (scale * _direction[i]);
                }

                var trialLogLikelihood = Evaluate(_trialTheta, firstScores, games, _trialGradient, _trialPairCurvature, _trialModelCurvature);
                if (trialLogLikelihood >= logLikelihood - (RelativeRoundingOfLikelihood * Math.Abs(logLikelihood)))
                {
                    accepted = true;
                    logLikelihood = trialLogLikelihood;
                }
            }

            if (!accepted)
            {
                // No step along an ascent direction gains anything measurable: this is the maximum to rounding.
                return;
            }

            (_theta, _trialTheta) = (_trialTheta, _theta);
            (_gradient, _trialGradient) = (_trialGradient, _gradient);
            (_pairCurvature, _trialPairCurvature) = (_trialPairCurvature, _pairCurvature);
            (_modelCurvature, _trialModelCurvature) = (_trialModelCurvature, _modelCurvature);

            var step = scale * MaxAbs(_direction);
            var contractedFast = step <= 0.25 * previousStep;
            if (scale == 1 && step < StepTolerance && (factorIsCurrent || contractedFast))
            {
                return;
            }

            factorIsCurrent = scale < 1 || !contractedFast;
            if (factorIsCurrent)
            {
                FactorNegativeHessian(_pairCurvature, _modelCurvature, _ownFactor);
                factor = _ownFactor;
            }

            previousStep = step;
        }

        throw new InvalidOperationException($"the fit did not converge in {MaxIterations} Newton steps");
    }

    /// <summary>A copy of the Cholesky factor of the negative Hessian at the current <see cref="Theta"/>, for fits that start near it.</summary>
    public double[] FactorAtTheta(ReadOnlySpan<double> firstScores, ReadOnlySpan<double> games)
    {
        Evaluate(_theta, firstScores, games, _trialGradient, _trialPairCurvature, _trialModelCurvature);
        var factor = new double[_models * _models];
        FactorNegativeHessian(_trialPairCurvature, _trialModelCurvature, factor);
        return factor;
    }

    /// <summary>
    /// The log-likelihood at <paramref name="theta"/>, with its gradient and the curvature of each
    /// pair's and each model's prior term (the negative Hessian is built from those). Each term
    /// goes through exp(-|d|) so that no rating gap overflows.
    /// </summary>
    private double Evaluate(ReadOnlySpan<double> theta, ReadOnlySpan<double> firstScores, ReadOnlySpan<double> games,
        Span<double> gradient, Span<double> pairCurvature, Span<double> modelCurvature)
    {
        gradient.Clear();
        var logLikelihood = 0.0;
        for (var pair = 0; pair < _first.Length; pair++)
        {
            var n = games[pair];
            if (n == 0)
            {
                pairCurvature[pair] = 0;
                continue;
            }

            var (first, second) = (_first[pair], _second[pair]);
            var gap = theta[first] - theta[second];
            var e = Math.Exp(-Math.Abs(gap));
            var onePlusE = 1 + e;
            var firstWinProbability = gap >= 0 ? 1 / onePlusE : e / onePlusE;
            // score·ln σ(gap) + (n - score)·ln σ(-gap), with -ln σ(gap) = max(-gap, 0) + ln(1 + e).
            var minusLogFirstWins = Math.Max(-gap, 0) + Math.Log(onePlusE);
            var score = firstScores[pair];
            logLikelihood -= (n * minusLogFirstWins) + ((n - score) * gap);
            var residual = score - (n * firstWinProbability);
            gradient[first] += residual;
            gradient[second] -= residual;
            pairCurvature[pair] = n * e / (onePlusE * onePlusE);
        }

        // Half a win and half a loss against the virtual model at 0.
        for (var model = 0; model < _models; model++)
        {
            var t = theta[model];
            var e = Math.Exp(-Math.Abs(t));
            var onePlusE = 1 + e;
            logLikelihood -= 0.5 * (Math.Abs(t) + (2 * Math.Log(onePlusE)));
            gradient[model] += 0.5 - (t >= 0 ? 1 / onePlusE : e / onePlusE);
            modelCurvature[model] = e / (onePlusE * onePlusE);
        }

        return logLikelihood;
    }

    private void FactorNegativeHessian(ReadOnlySpan<double> pairCurvature, ReadOnlySpan<double> modelCurvature, Span<double> factor)
    {
        var n = _models;
        factor.Clear();
        for (var model = 0; model < n; model++)
        {
            factor[(model * n) + model] = modelCurvature[model];
        }

        for (var pair = 0; pair < _first.Length; pair++)
        {
            var (first, second) = (_first[pair], _second[pair]);
            var curvature = pairCurvature[pair];
            factor[(first * n) + first] += curvature;
            factor[(second * n) + second] += curvature;
            // Lower triangle only: pairs have first < second.
            factor[(second * n) + first] -= curvature;
        }

        Cholesky.FactorInPlace(factor, n);
    }

    private static double MaxAbs(ReadOnlySpan<double> values)
    {
        var max = 0.0;
        foreach (var value in values)
        {
            max = Math.Max(max, Math.Abs(value));
        }

        return max;
    }
}
