using System.Text.Json;
using CommunityEvals.Web.Gateway;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CommunityEvals.Web.Pages;

public sealed class IndexModel(GatewayApi api) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "search")]
    public string? Search { get; set; }

    [BindProperty(SupportsGet = true, Name = "tag")]
    public string? Tag { get; set; }

    public IReadOnlyList<JsonElement> Benchmarks { get; private set; } = [];

    public IReadOnlyList<string> Tags { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var query = "/api/datasets?filter=benchmark&sort=lastModified";
        var answer = await api.GetAsync(query, cancellationToken);
        var all = answer.Ok ? answer.Json().EnumerateArray().ToList() : [];
        Tags = [.. all.SelectMany(TagsOf).Where(tag => !tag.StartsWith("benchmark", StringComparison.Ordinal)).Distinct().Order(StringComparer.Ordinal)];
        // Official benchmarks first, then the most recently changed.
        Benchmarks = [.. all
            .Where(b => string.IsNullOrWhiteSpace(Search) || b.GetProperty("id").GetString()!.Contains(Search.Trim(), StringComparison.OrdinalIgnoreCase))
            .Where(b => string.IsNullOrEmpty(Tag) || TagsOf(b).Contains(Tag))
            .OrderByDescending(b => TagsOf(b).Contains("benchmark:official"))];
    }

    public static IReadOnlyList<string> TagsOf(JsonElement benchmark) =>
        benchmark.TryGetProperty("tags", out var tags) ? [.. tags.EnumerateArray().Select(t => t.GetString() ?? "")] : [];
}
