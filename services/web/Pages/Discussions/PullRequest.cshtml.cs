using System.Text.Json;
using CommunityEvals.Web.Gateway;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CommunityEvals.Web.Pages.Discussions;

/// <summary>A pull request (or discussion) of a model repo, <c>/{org}/{name}/discussions/{num}</c>, or of a dataset repo under <c>/datasets/</c>.</summary>
public sealed class PullRequestPage(GatewayApi api, Visitor visitor) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Org { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string Name { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public int Num { get; set; }

    public string Kind => HttpContext.Request.Path.StartsWithSegments("/datasets") ? "datasets" : "models";

    public string RepoId => $"{Org}/{Name}";

    public string RepoPage => Kind == "datasets" ? $"/datasets/{RepoId}" : $"/{RepoId}";

    public string Self => $"{RepoPage}/discussions/{Num}";

    public JsonElement Discussion { get; private set; }

    public Person? SignedIn { get; private set; }

    public string? Author => Discussion.TryGetProperty("author", out var author) ? Format.Text(author, "name") : null;

    /// <summary>Merging is the owner's (API.md); the button is offered only to them.</summary>
    public bool MayMerge => SignedIn?.Owns(Org) ?? false;

    /// <summary>Closing and reopening: the owner, or the pull request's author.</summary>
    public bool MayChangeStatus => MayMerge || (SignedIn is { } person && person.Name == Author);

    /// <summary>The results a model repo's pull request proposes, as its ref holds them now.</summary>
    public IReadOnlyList<JsonElement> ProposedResults { get; private set; } = [];

    public string? ActionError { get; private set; }

    private string ApiPath => $"/api/{Kind}/{Uri.EscapeDataString(Org)}/{Uri.EscapeDataString(Name)}/discussions/{Num}";

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public Task<IActionResult> OnPostCommentAsync(string? comment, CancellationToken cancellationToken) =>
        WriteAsync("comment", new { comment = comment ?? "" }, cancellationToken);

    public Task<IActionResult> OnPostStatusAsync(string? status, string? comment, CancellationToken cancellationToken) =>
        WriteAsync("status", string.IsNullOrWhiteSpace(comment) ? new { status = status ?? "" } : new { status = status ?? "", comment }, cancellationToken);

    public Task<IActionResult> OnPostMergeAsync(CancellationToken cancellationToken) =>
        WriteAsync("merge", new { }, cancellationToken);

    /// <summary>Sends one write to the API; on success shows the page anew (post, redirect, get), else its error beside the controls.</summary>
    private async Task<IActionResult> WriteAsync(string action, object body, CancellationToken cancellationToken)
    {
        var answer = await api.PostJsonAsync($"{ApiPath}/{action}", body, cancellationToken);
        if (answer.Ok)
        {
            return Redirect(Self);
        }

        ActionError = answer.Problem;
        var shown = await LoadAsync(cancellationToken);
        Response.StatusCode = answer.Status;
        return shown;
    }

    private async Task<IActionResult> LoadAsync(CancellationToken cancellationToken)
    {
        var answer = await api.GetAsync(ApiPath, cancellationToken);
        if (!answer.Ok)
        {
            return StatusCode(answer.PageStatus);
        }

        Discussion = answer.Json();
        SignedIn = await visitor.PersonAsync();
        if (Kind == "models" && Format.Flag(Discussion, "isPullRequest"))
        {
            var results = await api.GetAsync($"/api/models/{Uri.EscapeDataString(Org)}/{Uri.EscapeDataString(Name)}/eval-results?include_hidden=true", cancellationToken);
            ProposedResults = results.Ok
                ? [.. results.Json().EnumerateArray().Where(result => result.TryGetProperty("pullRequest", out var number) && number.ValueKind == JsonValueKind.Number && number.GetInt32() == Num)]
                : [];
        }

        return Page();
    }

    public string CommitLink(string oid) => $"{RepoPage}/commit/{oid}";

    public static string Describe(JsonElement entry)
    {
        var data = entry.TryGetProperty("data", out var d) ? d : default;
        return Format.Text(entry, "type") switch
        {
            "commit" => $"committed “{Format.Text(data, "subject")}” ({(Format.Text(data, "oid") is { Length: > 8 } oid ? oid[..8] : Format.Text(data, "oid"))})",
            "comment" => data.TryGetProperty("latest", out var latest) ? Format.Text(latest, "raw") ?? "" : "",
            "status-change" => $"changed the status to {Format.Text(data, "status")}",
            var other => other ?? "",
        };
    }
}
