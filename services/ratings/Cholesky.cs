using System.Numerics;

namespace CommunityEvals.Ratings;

/// <summary>
/// Cholesky factorisation of a symmetric positive definite n×n matrix kept row-major in a flat array,
/// lower triangle only, factored in place. Row-oriented so every inner loop runs over contiguous
/// memory (a dot product or an axpy of two row prefixes), which is what lets it vectorise.
/// </summary>
internal static class Cholesky
{
    /// <summary>Replaces the lower triangle of <paramref name="matrix"/> with L, where matrix = L Lᵀ.</summary>
    public static void FactorInPlace(Span<double> matrix, int n)
    {
        for (var i = 0; i < n; i++)
        {
            var rowI = matrix.Slice(i * n, n);
            for (var j = 0; j <= i; j++)
            {
                var rowJ = matrix.Slice(j * n, n);
                var remainder = rowI[j] - Dot(rowI[..j], rowJ[..j]);
                if (i == j)
                {
                    // The negative Hessian is strictly diagonally dominant (the prior adds to every
                    // diagonal entry only), so this fails only on a bug or a non-finite input.
                    if (!(remainder > 0))
                    {
                        throw new InvalidOperationException($"the matrix is not positive definite (pivot {i}: {remainder})");
                    }

                    rowI[i] = Math.Sqrt(remainder);
                }
                else
                {
                    rowI[j] = remainder / rowJ[j];
                }
            }
        }
    }

    /// <summary>Solves L Lᵀ x = b for x, given the factor from <see cref="FactorInPlace"/>; <paramref name="work"/> is overwritten.</summary>
    public static void Solve(ReadOnlySpan<double> factor, int n, ReadOnlySpan<double> b, Span<double> x, Span<double> work)
    {
        var y = work[..n];
        for (var i = 0; i < n; i++)
        {
            var row = factor.Slice(i * n, n);
            y[i] = (b[i] - Dot(row[..i], y[..i])) / row[i];
        }

        // Lᵀ x = y by columns of Lᵀ, that is rows of L: each solved unknown is taken out of the
        // earlier equations at once, keeping the memory access along rows.
        for (var i = n - 1; i >= 0; i--)
        {
            var row = factor.Slice(i * n, n);
            var xi = y[i] / row[i];
            x[i] = xi;
            SubtractScaled(y[..i], row[..i], xi);
        }
    }

    private static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var sum = 0.0;
        var k = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= 2 * Vector<double>.Count)
        {
            var accumulator = Vector<double>.Zero;
            for (; k <= x.Length - Vector<double>.Count; k += Vector<double>.Count)
            {
                accumulator += new Vector<double>(x[k..]) * new Vector<double>(y[k..]);
            }

            sum = Vector.Sum(accumulator);
        }

        for (; k < x.Length; k++)
        {
            sum += x[k] * y[k];
        }

        return sum;
    }

    private static void SubtractScaled(Span<double> target, ReadOnlySpan<double> source, double scale)
    {
        var k = 0;
        if (Vector.IsHardwareAccelerated && target.Length >= Vector<double>.Count)
        {
            var factor = new Vector<double>(scale);
            for (; k <= target.Length - Vector<double>.Count; k += Vector<double>.Count)
            {
                (new Vector<double>(target[k..]) - (factor * new Vector<double>(source[k..]))).CopyTo(target[k..]);
            }
        }

        for (; k < target.Length; k++)
        {
            target[k] -= scale * source[k];
        }
    }
}
