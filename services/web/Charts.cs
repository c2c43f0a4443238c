using System.Globalization;

namespace CommunityEvals.Web;

/// <summary>Server-rendered SVG charts: no chart library, nothing fetched, readable without scripts (each chart has a table or list beside it).</summary>
public static class Charts
{
    /// <summary>
    /// The <c>points</c> of an SVG polyline for <paramref name="values"/> spread evenly across
    /// <paramref name="width"/>, scaled so that <paramref name="low"/> is the bottom and
    /// <paramref name="high"/> the top of <paramref name="height"/>; missing values leave no point.
    /// </summary>
    public static string Polyline(IReadOnlyList<double?> values, double low, double high, int width, int height) =>
        string.Join(' ', Coordinates(values, low, high, width, height).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.X:F1},{p.Y:F1}")));

    /// <summary>Where each value of <see cref="Polyline"/> falls, for a mark on each (one value alone draws no line).</summary>
    public static IReadOnlyList<(double X, double Y)> Coordinates(IReadOnlyList<double?> values, double low, double high, int width, int height)
    {
        if (high - low < 1e-9)
        {
            (low, high) = (low - 1, high + 1);
        }

        var step = values.Count > 1 ? width / (double)(values.Count - 1) : 0;
        return [.. values.Select((value, i) => value is { } v ? (i * step, height - (v - low) / (high - low) * height) : ((double, double)?)null).OfType<(double, double)>()];
    }
}
