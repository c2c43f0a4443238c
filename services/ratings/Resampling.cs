namespace CommunityEvals.Ratings;

/// <summary>
/// Exact draws for the bootstrap. Resampling N votes with replacement only matters through how many
/// copies of each distinct outcome cell (pair, result) are drawn, which is multinomial with the
/// cells' observed shares as probabilities. Drawing that as one binomial per cell, conditional on
/// what the earlier cells took, costs a few random numbers per cell instead of N per round.
/// </summary>
internal static class Resampling
{
    /// <summary>
    /// Fills <paramref name="drawn"/> with a multinomial draw of <paramref name="cellCounts"/>' total over
    /// the cells, each cell's probability its count over the total (the same number of votes, resampled).
    /// </summary>
    public static void Multinomial(RandomStream random, ReadOnlySpan<int> cellCounts, Span<int> drawn)
    {
        long remainingWeight = 0;
        foreach (var count in cellCounts)
        {
            remainingWeight += count;
        }

        var remainingTrials = (int)remainingWeight;
        for (var cell = 0; cell < cellCounts.Length; cell++)
        {
            var count = cellCounts[cell];
            var taken = remainingTrials == 0 || count == 0 ? 0
                : count == remainingWeight ? remainingTrials
                : Binomial(random, remainingTrials, (double)count / remainingWeight);
            drawn[cell] = taken;
            remainingTrials -= taken;
            remainingWeight -= count;
        }
    }

    /// <summary>
    /// An exact Binomial(<paramref name="trials"/>, <paramref name="probability"/>) draw. Exact rather than a
    /// normal approximation because the interval ends are 2.5% tails, where approximations are worst,
    /// and most cells are small (tens of votes per pair and result). Below a mean of 10 (after folding
    /// p above one half onto 1 - p): inversion, walking the probabilities up from 0, which takes about
    /// mean + 1 steps. From a mean of 10: Hörmann's transformed rejection with squeeze (BTRS, 1993),
    /// constant time whatever the mean, about 1.3 pairs of uniforms per draw.
    /// </summary>
    public static int Binomial(RandomStream random, int trials, double probability)
    {
        if (trials <= 0 || probability <= 0)
        {
            return 0;
        }

        if (probability >= 1)
        {
            return trials;
        }

        if (probability > 0.5)
        {
            return trials - Binomial(random, trials, 1 - probability);
        }

        return trials * probability < 10
            ? BinomialByInversion(random, trials, probability)
            : BinomialByTransformedRejection(random, trials, probability);
    }

    private static int BinomialByInversion(RandomStream random, int trials, double probability)
    {
        var q = 1 - probability;
        var odds = probability / q;
        var recurrence = (trials + 1) * odds;
        var probabilityOfZero = Math.Exp(trials * Math.Log(q));
        // Rounding in the running subtraction can leave a sliver of u that no term covers; a walk past
        // this bound (a 1e-20 event for an exact walk) starts over rather than running off.
        var bound = Math.Min(trials, (trials * probability) + (10 * Math.Sqrt((trials * probability * q) + 1)));
        while (true)
        {
            var u = random.NextOpenUnit();
            var k = 0;
            var probabilityOfK = probabilityOfZero;
            while (u > probabilityOfK && k <= bound)
            {
                u -= probabilityOfK;
                k++;
                probabilityOfK *= (recurrence / k) - odds;
            }

            if (k <= bound)
            {
                return k;
            }
        }
    }

    private static int BinomialByTransformedRejection(RandomStream random, int trials, double probability)
    {
        var q = 1 - probability;
        var spread = Math.Sqrt(trials * probability * q);
        var b = 1.15 + (2.53 * spread);
        var inverseB = 1 / b;
        var a = -0.0873 + (0.0248 * b) + (0.01 * probability);
        var c = (trials * probability) + 0.5;
        var acceptWithoutTest = 0.92 - (4.2 * inverseB);
        // Only needed for the third or so of candidates outside the squeeze, so computed on first need.
        var mode = 0.0;
        var alpha = 0.0;
        var logOdds = double.NaN;
        var logModeTerm = 0.0;
        while (true)
        {
            var u = random.NextOpenUnit() - 0.5;
            var v = random.NextOpenUnit();
            var us = 0.5 - Math.Abs(u);
            var k = Math.Floor((((2 * a / us) + b) * u) + c);
            if (k < 0 || k > trials)
            {
                continue;
            }

            if (us >= 0.07 && v <= acceptWithoutTest)
            {
                return (int)k;
            }

            if (double.IsNaN(logOdds))
            {
                mode = Math.Floor((trials + 1) * probability);
                alpha = (2.83 + (5.1 * inverseB)) * spread;
                logOdds = Math.Log(probability / q);
                logModeTerm = LogFactorial(mode) + LogFactorial(trials - mode);
            }

            // log of pmf(k) / pmf(mode) against the hat function's value at this candidate.
            var logV = Math.Log(v * alpha / ((a / (us * us)) + b));
            if (logV <= logModeTerm - LogFactorial(k) - LogFactorial(trials - k) + ((k - mode) * logOdds))
            {
                return (int)k;
            }
        }
    }

    private static readonly double[] SmallLogFactorials = BuildSmallLogFactorials(64);

    /// <summary>ln(k!): summed logs for small k, where the Stirling series is least accurate; the Stirling series to 1/k^5 beyond, off by under 2e-16.</summary>
    internal static double LogFactorial(double k)
    {
        if (k < SmallLogFactorials.Length)
        {
            return SmallLogFactorials[(int)k];
        }

        var x = k + 1;
        var inverse = 1 / x;
        var inverseSquare = inverse * inverse;
        return ((x - 0.5) * Math.Log(x)) - x + HalfLogTwoPi
            + ((1.0 / 12 - ((1.0 / 360 - (inverseSquare * (1.0 / 1260))) * inverseSquare)) * inverse);
    }

    private const double HalfLogTwoPi = 0.91893853320467274178;

    private static double[] BuildSmallLogFactorials(int count)
    {
        var table = new double[count];
        for (var k = 2; k < count; k++)
        {
            table[k] = table[k - 1] + Math.Log(k);
        }

        return table;
    }
}
