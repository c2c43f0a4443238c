using System.Text.Json;
using CommunityEvals.Web.Gateway;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CommunityEvals.Web.Pages.Arena;

/// <summary>An arena task's ratings per dimension: Bradley-Terry ratings with their 95% intervals as bars, and the votes behind them.</summary>
public sealed class RatingsPage(GatewayApi api) : ArenaPageModel
{
    public JsonElement Board { get; private set; }

    public IReadOnlyList<JsonElement> Rows { get; private set; } = [];

    public IReadOnlyList<JsonElement> RecentVotes { get; private set; } = [];

    /// <summary>The bars' common scale: the lowest lower bound to the highest upper bound.</summary>
    public (double Low, double High) Scale { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var escaped = $"{Uri.EscapeDataString(Org)}/{Uri.EscapeDataString(Name)}";
        var benchmark = await api.GetAsync($"/api/benchmarks/{escaped}", cancellationToken);
        if (!benchmark.Ok)
        {
            return StatusCode(benchmark.PageStatus);
        }

        Dimensions = ArenaPages.DimensionsOf(benchmark.Json());
        Dimension ??= Dimensions[0].Id;
        var board = api.GetAsync($"{ApiPath}/leaderboard?dimension={Uri.EscapeDataString(Dimension)}", cancellationToken);
        var votes = api.GetAsync($"{ApiPath}/votes?limit=1000", cancellationToken);
        if (await board is not { Ok: true } answered)
        {
            return StatusCode((await board).PageStatus);
        }

        Board = answered.Json();
        Rows = [.. Board.GetProperty("rows").EnumerateArray()];
        var bounds = Rows.SelectMany(row => new[] { row.GetProperty("lower").GetDouble(), row.GetProperty("upper").GetDouble() }).ToList();
        Scale = bounds.Count == 0 ? (900, 1100) : (bounds.Min(), bounds.Max());
        RecentVotes = (await votes).Ok
            ? [.. (await votes).Json().GetProperty("votes").EnumerateArray().Where(v => Format.Text(v, "dimension") == Dimension).Reverse().Take(20)]
            : [];
        return Page();
    }
}
