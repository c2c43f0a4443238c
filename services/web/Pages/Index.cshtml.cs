using System.Text.Json;
using CommunityEvals.Web.Gateway;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CommunityEvals.Web.Pages;

public sealed class IndexModel(GatewayApi api) : PageModel
{
    public const int RecentEvents = 10;

    [BindProperty(SupportsGet = true, Name = "search")]
    public string? Search { get; set; }

    [BindProperty(SupportsGet = true, Name = "language")]
    public string? Language { get; set; }

    [BindProperty(SupportsGet = true, Name = "tag")]
    public string? Tag { get; set; }

    /// <summary>The matching benchmarks, in the API's order: official first, then by number of results.</summary>
    public IReadOnlyList<JsonElement> Benchmarks { get; private set; } = [];

    public IReadOnlyList<string> Languages { get; private set; } = [];

    public IReadOnlyList<string> Tags { get; private set; } = [];

    public IReadOnlyList<JsonElement> Activity { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var all = api.GetAsync("/api/benchmarks", cancellationToken);
        var query = "?search=" + Uri.EscapeDataString(Search?.Trim() ?? "")
            + "&language=" + Uri.EscapeDataString(Language ?? "")
            + "&tag=" + Uri.EscapeDataString(Tag ?? "");
        var filtered = string.IsNullOrWhiteSpace(Search) && string.IsNullOrEmpty(Language) && string.IsNullOrEmpty(Tag)
            ? all
            : api.GetAsync("/api/benchmarks" + query, cancellationToken);
        var activity = api.GetAsync($"/api/events?order=desc&limit={RecentEvents}", cancellationToken);
        await Task.WhenAll(all, filtered, activity);

        var every = (await all).Ok ? (await all).Json().EnumerateArray().ToList() : [];
        Languages = [.. every.SelectMany(b => Strings(b, "languages")).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal)];
        Tags = [.. every.SelectMany(b => Strings(b, "tags")).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal)];
        Benchmarks = (await filtered).Ok ? [.. (await filtered).Json().EnumerateArray()] : [];
        Activity = (await activity).Ok ? [.. (await activity).Json().GetProperty("events").EnumerateArray()] : [];
    }

    public static IReadOnlyList<string> Strings(JsonElement benchmark, string property) =>
        benchmark.TryGetProperty(property, out var list) && list.ValueKind == JsonValueKind.Array
            ? [.. list.EnumerateArray().Select(item => item.GetString() ?? "").Where(item => item.Length > 0)]
            : [];
}
