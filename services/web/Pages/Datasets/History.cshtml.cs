using System.Globalization;
using System.Text.Json;
using CommunityEvals.Web.Gateway;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CommunityEvals.Web.Pages.Datasets;

/// <summary>A task's top 10 over time: the board as it stood at evenly spaced times (the API's <c>as_of</c>), as a chart and as a table.</summary>
public sealed class HistoryModel(GatewayApi api) : PageModel
{
    public const int Points = 10;

    public const int Top = 10;

    [BindProperty(SupportsGet = true)]
    public string Org { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string Name { get; set; } = "";

    [BindProperty(SupportsGet = true, Name = "task")]
    public string? Task { get; set; }

    public string Id => $"{Org}/{Name}";

    public IReadOnlyList<string> Tasks { get; private set; } = [];

    /// <summary>The times sampled, oldest first.</summary>
    public IReadOnlyList<DateTimeOffset> Times { get; private set; } = [];

    /// <summary>Each model seen in a top 10: its value at each time (null when it was not in the top 10 then).</summary>
    public IReadOnlyList<(string Model, double?[] Values)> Series { get; private set; } = [];

    public const int ChangesPageSize = 100;

    /// <summary>Where the page of the board's changes starts: a change id, <c>{sequence}.{n}</c>.</summary>
    [BindProperty(SupportsGet = true, Name = "changes_after")]
    public string? ChangesAfter { get; set; }

    /// <summary>Every move of a row on this benchmark's boards (all tasks), oldest first: the board's event history.</summary>
    public IReadOnlyList<JsonElement> Changes { get; private set; } = [];

    public string? NextChanges { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var escaped = $"{Uri.EscapeDataString(Org)}/{Uri.EscapeDataString(Name)}";
        var benchmark = await api.GetAsync($"/api/benchmarks/{escaped}", cancellationToken);
        if (!benchmark.Ok)
        {
            return StatusCode(benchmark.PageStatus);
        }

        Tasks = benchmark.Json().TryGetProperty("tasks", out var tasks)
            ? [.. tasks.EnumerateArray().Select(t => Format.Text(t, "id")).OfType<string>()]
            : [];
        Task ??= Tasks.FirstOrDefault();
        if (Task is null)
        {
            return Page();
        }

        var dataset = await api.GetAsync($"/api/datasets/{escaped}", cancellationToken);
        var created = dataset.Ok ? Format.Text(dataset.Json(), "createdAt") : null;
        var now = DateTimeOffset.UtcNow;
        var start = DateTimeOffset.TryParse(created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : now.AddDays(-30);
        Times = [.. Enumerable.Range(1, Points).Select(i => start + (now - start) * i / Points)];

        var changes = api.GetAsync($"/api/events/changes?benchmark={Uri.EscapeDataString(Id)}&limit={ChangesPageSize}"
            + (string.IsNullOrWhiteSpace(ChangesAfter) ? "" : "&after=" + Uri.EscapeDataString(ChangesAfter)), cancellationToken);
        var boards = await System.Threading.Tasks.Task.WhenAll(Times.Select(time =>
            api.GetAsync($"/api/leaderboards/{escaped}/{Uri.EscapeDataString(Task)}?limit={Top}&as_of={Uri.EscapeDataString(time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture))}", cancellationToken)));
        var series = new Dictionary<string, double?[]>(StringComparer.Ordinal);
        for (var point = 0; point < boards.Length; point++)
        {
            if (!boards[point].Ok || !boards[point].Json().TryGetProperty("rows", out var rows))
            {
                continue;
            }

            foreach (var row in rows.EnumerateArray())
            {
                var model = Format.Text(row, "modelId") ?? "";
                var values = series.TryGetValue(model, out var known) ? known : series[model] = new double?[Points];
                values[point] = row.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
            }
        }

        if (await changes is { Ok: true } changed)
        {
            var page = changed.Json();
            Changes = [.. page.GetProperty("changes").EnumerateArray()];
            NextChanges = Format.Text(page, "next");
        }

        Series = [.. series.OrderByDescending(pair => pair.Value[^1] ?? double.MinValue).Select(pair => (pair.Key, pair.Value))];
        var all = Series.SelectMany(s => s.Values).OfType<double>().ToList();
        Range = all.Count == 0 ? (0, 1) : (all.Min(), all.Max());
        return Page();
    }

    /// <summary>The lowest and highest value of every series: the chart's one scale.</summary>
    public (double Low, double High) Range { get; private set; }

    /// <summary>A change in words: "entered at 71.2 (rank 3)", "71.2 → 74.5, rank 3 → 1", "left (was 71.2)".</summary>
    public static string Describe(JsonElement change)
    {
        var value = Format.Number(change, "value");
        var previous = Format.Number(change, "previousValue");
        var rank = Format.Text(change, "rank");
        var previousRank = Format.Text(change, "previousRank");
        return (previous.Length, value.Length) switch
        {
            (0, > 0) => $"entered at {value} (rank {rank})",
            (> 0, 0) => $"left the board (was {previous}, rank {previousRank})",
            _ when previous == value && previousRank == rank => $"{(Format.Flag(change, "verified") ? "verified" : "badges changed")} at {value} (rank {rank})",
            _ when previous == value => $"rank {previousRank} → {rank} at {value}",
            _ => $"{previous} → {value}, rank {previousRank} → {rank}",
        };
    }

    public string PointsOf(double?[] values, int width, int height) => Charts.Polyline(values, Range.Low, Range.High, width, height);
}
