using System.Globalization;
using System.Text.Json;
using CommunityEvals.Formats;

namespace CommunityEvals.Web.Pages.Arena;

/// <summary>What the arena's pages share: the dimensions a benchmark declares, and the interval bars' scale.</summary>
public static class ArenaPages
{
    /// <summary>The dimensions a benchmark (as the API returns it) declares: <c>overall</c> without any (ARENA.md).</summary>
    public static IReadOnlyList<ArenaDimension> DimensionsOf(JsonElement benchmark) => ArenaDimension.FromDefinition(benchmark);

    /// <summary>Where a rating falls on a bar <paramref name="width"/> wide spanning <paramref name="low"/> to <paramref name="high"/>.</summary>
    public static string X(double value, double low, double high, double width) =>
        (high <= low ? width / 2 : (value - low) / (high - low) * width).ToString("0.0", CultureInfo.InvariantCulture);

    public static string Rating(JsonElement row, string property) =>
        row.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetDouble().ToString("0.0", CultureInfo.InvariantCulture)
            : "";
}
