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
        return Page();
    }

    public static string Item(JsonElement result, string property) =>
        result.TryGetProperty("data", out var data) && Format.Text(data, property) is { } text ? text : "";
}
