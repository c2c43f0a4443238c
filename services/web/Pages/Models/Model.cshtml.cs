using System.Text.Json;
using CommunityEvals.Web.Gateway;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CommunityEvals.Web.Pages.Models;

public sealed class ModelPage(GatewayApi api) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Org { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string Name { get; set; } = "";

    public string Id => $"{Org}/{Name}";

    public IReadOnlyList<JsonElement> Results { get; private set; } = [];

    public IReadOnlyList<JsonElement> OpenPullRequests { get; private set; } = [];

    /// <summary>How each result's value changed, from its history: the value after each event that set one, oldest first.</summary>
    public IReadOnlyList<(string Benchmark, string Task, string ResultId, IReadOnlyList<(string At, double Value)> Points)> ScoreHistories { get; private set; } = [];

    /// <summary>At most this many results get a chart: each costs a history read.</summary>
    public const int ChartedResults = 20;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var path = $"/api/models/{Uri.EscapeDataString(Org)}/{Uri.EscapeDataString(Name)}";
        var results = await api.GetAsync($"{path}/eval-results", cancellationToken);
        if (!results.Ok)
        {
            return StatusCode(results.PageStatus);
        }

        Results = [.. results.Json().EnumerateArray()];
        var discussions = await api.GetAsync($"{path}/discussions?status=open", cancellationToken);
        OpenPullRequests = discussions.Ok && discussions.Json().TryGetProperty("discussions", out var list)
            ? [.. list.EnumerateArray().Where(d => Format.Flag(d, "isPullRequest"))]
            : [];
        var charted = Results.Take(ChartedResults).ToList();
        var histories = await Task.WhenAll(charted.Select(result => api.GetAsync($"/api/results/{Format.Text(result, "id")}/history", cancellationToken)));
        ScoreHistories = [.. charted.Zip(histories, (result, history) =>
        {
            var points = history.Ok
                ? history.Json().EnumerateArray()
                    .Where(entry => entry.TryGetProperty("data", out var data) && data.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Number)
                    .Select(entry => (Format.Text(entry, "occurredAt") ?? "", entry.GetProperty("data").GetProperty("value").GetDouble()))
                    .ToList()
                : [];
            var dataset = result.TryGetProperty("data", out var item) && item.TryGetProperty("dataset", out var d) ? d : default;
            return (Format.Text(dataset, "id") ?? "", Format.Text(dataset, "task_id") ?? "", Format.Text(result, "id") ?? "", (IReadOnlyList<(string, double)>)points);
        }).Where(history => history.Item4.Count > 0)];
        return Page();
    }

    public static string Item(JsonElement result, string property) =>
        result.TryGetProperty("data", out var data) && Format.Text(data, property) is { } text ? text : "";
}
