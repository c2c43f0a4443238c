using System.Text.Json;
using CommunityEvals.Web.Gateway;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CommunityEvals.Web.Pages.Commits;

/// <summary>
/// One commit, where a commit's <c>commitUrl</c> points (<c>/{org}/{name}/commit/{oid}</c>, or under
/// <c>/datasets/</c>): read from the public log, so it shows what the commit did when it landed.
/// </summary>
public sealed class CommitPage(GatewayApi api) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Org { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string Name { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string Oid { get; set; } = "";

    public string Kind => HttpContext.Request.Path.StartsWithSegments("/datasets") ? "dataset" : "model";

    public string RepoId => $"{Org}/{Name}";

    public string RepoPage => Kind == "dataset" ? $"/datasets/{RepoId}" : $"/{RepoId}";

    /// <summary>The event that recorded the commit (a commit to main, a pull request opened, updated or merged).</summary>
    public JsonElement Event { get; private set; }

    public JsonElement Commit { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var stream = Uri.EscapeDataString($"{Kind}/{RepoId}");
        var answer = await api.GetAsync($"/api/events?stream={stream}&commit={Uri.EscapeDataString(Oid)}&limit=1", cancellationToken);
        if (!answer.Ok)
        {
            return StatusCode(answer.PageStatus);
        }

        var found = answer.Json().GetProperty("events").EnumerateArray().FirstOrDefault();
        if (found.ValueKind != JsonValueKind.Object || !found.TryGetProperty("data", out var data) || !data.TryGetProperty("commit", out var commit))
        {
            return NotFound();
        }

        Event = found;
        Commit = commit;
        return Page();
    }

    /// <summary>Where the commit went: <c>main</c>, or the pull request whose ref it is on.</summary>
    public string Ref => Format.Text(Event, "type") switch
    {
        "MainCommitted" or "PullRequestMerged" => "main",
        _ => $"refs/pr/{Format.Text(Event.GetProperty("data"), "number")}",
    };

    public int? PullRequest => Event.GetProperty("data").TryGetProperty("number", out var number) && number.ValueKind == JsonValueKind.Number ? number.GetInt32() : null;

    public IEnumerable<JsonElement> Items(string property) =>
        Commit.TryGetProperty(property, out var list) && list.ValueKind == JsonValueKind.Array ? list.EnumerateArray() : [];
}
