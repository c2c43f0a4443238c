using System.Text.Json;
using CommunityEvals.Web.Gateway;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CommunityEvals.Web.Pages.Datasets;

public sealed class BenchmarkModel(GatewayApi api) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Org { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string Name { get; set; } = "";

    [BindProperty(SupportsGet = true, Name = "task")]
    public string? Task { get; set; }

    [BindProperty(SupportsGet = true, Name = "verified")]
    public bool VerifiedOnly { get; set; }

    /// <summary>Community results (open pull requests) are shown unless the visitor unticks them.</summary>
    [BindProperty(SupportsGet = true, Name = "community")]
    public bool? Community { get; set; }

    [BindProperty(SupportsGet = true, Name = "base")]
    public bool BaseModelsOnly { get; set; }

    [BindProperty(SupportsGet = true, Name = "as_of")]
    public string? AsOf { get; set; }

    public string Id => $"{Org}/{Name}";

    public JsonElement Benchmark { get; private set; }

    public IReadOnlyList<string> Tasks { get; private set; } = [];

    public JsonElement? Board { get; private set; }

    public string? BoardError { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var benchmark = await api.GetAsync($"/api/benchmarks/{Uri.EscapeDataString(Org)}/{Uri.EscapeDataString(Name)}", cancellationToken);
        if (!benchmark.Ok)
        {
            return StatusCode(benchmark.PageStatus);
        }

        Benchmark = benchmark.Json();
        Tasks = Benchmark.TryGetProperty("tasks", out var tasks)
            ? [.. tasks.EnumerateArray().Select(t => Format.Text(t, "id") ?? "").Where(id => id.Length > 0)]
            : [];
        Task ??= Tasks.FirstOrDefault();
        if (Task is null)
        {
            return Page();
        }

        var query = $"?limit=1000&verified={(VerifiedOnly ? "true" : "false")}&community={(Community ?? true ? "true" : "false")}";
        if (!string.IsNullOrWhiteSpace(AsOf))
        {
            query += "&as_of=" + Uri.EscapeDataString(AsOf.Trim());
        }

        var board = await api.GetAsync($"/api/leaderboards/{Uri.EscapeDataString(Org)}/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(Task)}{query}", cancellationToken);
        if (board.Ok)
        {
            Board = board.Json();
        }
        else
        {
            BoardError = board.Problem;
        }

        return Page();
    }

    public IEnumerable<JsonElement> Rows =>
        Board is { } board && board.TryGetProperty("rows", out var rows)
            ? rows.EnumerateArray().Where(row => !BaseModelsOnly || Format.Flag(row, "baseModel"))
            : [];

    public string TaskLink(string task) => $"/datasets/{Id}?task={Uri.EscapeDataString(task)}";
}
