using System.Globalization;
using System.Text.Json;
using CommunityEvals.Evidence.Reading;

namespace CommunityEvals.Evidence;

/// <summary>Maps a sample's score value to a number, as Inspect's <c>value_to_float</c> does.</summary>
public static class ScoreValues
{
    /// <summary>
    /// <c>"C"</c> -> 1, <c>"P"</c> -> 0.5, <c>"I"</c>/<c>"N"</c> -> 0, numbers as themselves, <c>true</c>/<c>"yes"</c>/<c>"true"</c> -> 1,
    /// <c>false</c>/<c>"no"</c>/<c>"false"</c> -> 0, a numeric string as its number. A dict value gives its
    /// <paramref name="key"/> entry (or its only entry). Missing, null and NaN give NaN (unscored).
    /// Anything else gives 0, as in Inspect (which warns); <see cref="TryMap"/> tells those apart.
    /// </summary>
    public static double ToNumber(JsonElement value, string? key = null) => TryMap(value, key, out var number) ? number : 0;

    /// <summary>Like <see cref="ToNumber"/>, but false (and 0) for a value that has no numeric reading.</summary>
    public static bool TryMap(JsonElement value, string? key, out double number)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                number = double.NaN;
                return true;
            case JsonValueKind.True:
                number = 1;
                return true;
            case JsonValueKind.False:
                number = 0;
                return true;
            case JsonValueKind.Number:
                number = value.GetDouble();
                return true;
            case JsonValueKind.String:
                return TryMap(value.GetString()!, JsonFacts.IsBareLiteral(value), out number);
            case JsonValueKind.Object:
                if (key is not null && value.TryGetProperty(key, out var entry))
                {
                    return TryMap(entry, null, out number);
                }

                using (var e = value.EnumerateObject())
                {
                    if (e.MoveNext())
                    {
                        var only = e.Current.Value;
                        if (!e.MoveNext())
                        {
                            return TryMap(only, null, out number);
                        }
                    }
                }

                number = 0;
                return false;
            default:
                number = 0;
                return false;
        }
    }

    private static bool TryMap(string text, bool bareLiteral, out double number)
    {
        if (bareLiteral)
        {
            number = JsonFacts.Unmark(text) switch
            {
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                _ => double.NaN,
            };
            return true;
        }

        switch (text)
        {
            case "C":
                number = 1;
                return true;
            case "P":
                number = 0.5;
                return true;
            case "I" or "N":
                number = 0;
                return true;
        }

        switch (text.ToLowerInvariant())
        {
            case "yes" or "true":
                number = 1;
                return true;
            case "no" or "false":
                number = 0;
                return true;
        }

        // Digits with a decimal point, as Inspect's isnumeric() test (no sign, no exponent, no "NaN").
        if (text.Length > 0 && text.All(c => char.IsAsciiDigit(c) || c == '.')
            && double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number))
        {
            return true;
        }

        number = 0;
        return false;
    }
}

/// <summary>How a sample's epochs are reduced to one value (Inspect's <c>epochs_reducer</c>).</summary>
public sealed class EpochReducer
{
    private enum Kind { Mean, Median, Mode, Max, AtLeast, PassAt, PassK }

    private readonly Kind _kind;
    private readonly int _k;

    private EpochReducer(Kind kind, string name, int k = 0)
    {
        _kind = kind;
        Name = name;
        _k = k;
    }

    public static EpochReducer Mean { get; } = new(Kind.Mean, "mean");

    public string Name { get; }

    /// <summary>Names: <c>mean</c>, <c>median</c>, <c>mode</c>, <c>max</c>, <c>at_least_N</c>, <c>pass_at_N</c>, <c>pass_N</c> (pass^N).</summary>
    public static bool TryParse(string? name, out EpochReducer reducer)
    {
        reducer = Mean;
        var n = name?.Trim();
        if (string.IsNullOrEmpty(n))
        {
            return true;
        }

        // Registry names may carry a package prefix (inspect_ai/mean).
        n = n[(n.LastIndexOf('/') + 1)..];
        switch (n)
        {
            case "mean" or "mean_score":
                reducer = Mean;
                return true;
            case "median" or "median_score":
                reducer = new EpochReducer(Kind.Median, "median");
                return true;
            case "mode" or "mode_score":
                reducer = new EpochReducer(Kind.Mode, "mode");
                return true;
            case "max" or "max_score":
                reducer = new EpochReducer(Kind.Max, "max");
                return true;
        }

        foreach (var (prefix, kind) in new[] { ("at_least_", Kind.AtLeast), ("pass_at_", Kind.PassAt), ("pass_", Kind.PassK) })
        {
            if (n.StartsWith(prefix, StringComparison.Ordinal)
                && int.TryParse(n.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var k) && k >= 1)
            {
                reducer = new EpochReducer(kind, n, k);
                return true;
            }
        }

        return false;
    }

    /// <summary>Reduces one sample's epoch values (NaN values are unscored and ignored). NaN when nothing is left or the reducer is undefined.</summary>
    public double Reduce(IReadOnlyList<double> epochValues)
    {
        var values = epochValues.Where(v => !double.IsNaN(v)).ToArray();
        if (values.Length == 0)
        {
            return double.NaN;
        }

        switch (_kind)
        {
            case Kind.Mean:
                return values.Sum() / values.Length;
            case Kind.Median:
                Array.Sort(values);
                var mid = values.Length / 2;
                return values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
            case Kind.Mode:
                // Most common value; ties go to the one seen first (as Python's Counter.most_common).
                var best = values[0];
                var bestCount = 0;
                var counted = new List<(double Value, int Count)>();
                foreach (var v in values)
                {
                    var i = counted.FindIndex(c => c.Value.Equals(v));
                    if (i < 0)
                    {
                        counted.Add((v, 1));
                    }
                    else
                    {
                        counted[i] = (v, counted[i].Count + 1);
                    }
                }

                foreach (var (value, count) in counted)
                {
                    if (count > bestCount)
                    {
                        best = value;
                        bestCount = count;
                    }
                }

                return best;
            case Kind.Max:
                return values.Max();
            case Kind.AtLeast:
                return values.Count(v => v >= 1.0) >= _k ? 1 : 0;
            case Kind.PassAt:
            {
                // Unbiased pass@k (Chen et al. 2021): 1 - C(n-c, k) / C(n, k).
                var n = values.Length;
                var c = values.Count(v => v >= 1.0);
                if (n < _k)
                {
                    return double.NaN;
                }

                if (n - c < _k)
                {
                    return 1;
                }

                var product = 1.0;
                for (var i = n - c + 1; i <= n; i++)
                {
                    product *= 1.0 - (double)_k / i;
                }

                return 1.0 - product;
            }
            case Kind.PassK:
            {
                // pass^k: C(c, k) / C(n, k).
                var n = values.Length;
                var c = values.Count(v => v >= 1.0);
                if (n < _k)
                {
                    return double.NaN;
                }

                if (c < _k)
                {
                    return 0;
                }

                var ratio = 1.0;
                for (var i = 0; i < _k; i++)
                {
                    ratio *= (double)(c - i) / (n - i);
                }

                return ratio;
            }
            default:
                throw new InvalidOperationException();
        }
    }

    public override string ToString() => Name;
}
