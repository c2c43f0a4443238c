using System.Text.Json;
using CommunityEvals.Web.Gateway;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CommunityEvals.Web.Pages;

/// <summary>The public log, newest first; <c>before</c> pages back through older events.</summary>
public sealed class EventsModel(GatewayApi api) : PageModel
{
    public const int PageSize = 100;

    [BindProperty(SupportsGet = true, Name = "before")]
    public long? Before { get; set; }

    public IReadOnlyList<JsonElement> Events { get; private set; } = [];

    /// <summary>The <c>before</c> of the next older page; null at the first event.</summary>
    public long? Older { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var before = Before is > 0 ? $"&before={Before}" : "";
        var answer = await api.GetAsync($"/api/events?order=desc&limit={PageSize}{before}", cancellationToken);
        if (answer.Ok)
        {
            var page = answer.Json();
            Events = [.. page.GetProperty("events").EnumerateArray()];
            Older = page.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.Number ? next.GetInt64() : null;
        }
    }
}
