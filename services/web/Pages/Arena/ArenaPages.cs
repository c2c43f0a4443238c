using System.Globalization;
using System.Text.Json;

namespace CommunityEvals.Web.Pages.Arena;

/// <summary>What the arena's pages share: the dimensions a benchmark declares, and the interval bars' scale.</summary>
public static class ArenaPages
{
    public sealed record DimensionInfo(string Id, string Name, string? Description);

    /// <summary>The <c>arena.dimensions</c> of a benchmark as the API returns it; <c>overall</c> without them (ARENA.md).</summary>
    public static IReadOnlyList<DimensionInfo> DimensionsOf(JsonElement benchmark)
    {
        var declared = benchmark.TryGetProperty("arena", out var arena) && arena.ValueKind == JsonValueKind.Object
            && arena.TryGetProperty("dimensions", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(d => Format.Text(d, "id") is not null)
                .Select(d => new DimensionInfo(Format.Text(d, "id")!, Format.Text(d, "name") ?? Format.Text(d, "id")!, Format.Text(d, "description")))
                .ToList()
            : [];
        return declared.Count > 0 ? declared : [new DimensionInfo("overall", "Overall", "Which answer is better?")];
    }

    /// <summary>Where a rating falls on a bar <paramref name="width"/> wide spanning <paramref name="low"/> to <paramref name="high"/>.</summary>
    public static string X(double value, double low, double high, double width) =>
        (high <= low ? width / 2 : (value - low) / (high - low) * width).ToString("0.0", CultureInfo.InvariantCulture);

    public static string Rating(JsonElement row, string property) =>
        row.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetDouble().ToString("0.0", CultureInfo.InvariantCulture)
            : "";
}
