using System.Text.Json;
using CommunityEvals.Web.Gateway;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CommunityEvals.Web.Pages;

public sealed class EventsModel(GatewayApi api) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "after")]
    public long After { get; set; }

    public IReadOnlyList<JsonElement> Events { get; private set; } = [];

    public long? Next { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var answer = await api.GetAsync($"/api/events?after={Math.Max(0, After)}&limit=100", cancellationToken);
        if (answer.Ok)
        {
            var page = answer.Json();
            Events = [.. page.GetProperty("events").EnumerateArray()];
            Next = page.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.Number ? next.GetInt64() : null;
        }
    }
}
