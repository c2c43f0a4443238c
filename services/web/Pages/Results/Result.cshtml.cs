using System.Net.Http.Headers;
using System.Text.Json;
using CommunityEvals.Web.Gateway;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CommunityEvals.Web.Pages.Results;

public sealed class ResultPage(GatewayApi api, Visitor visitor) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    [BindProperty(SupportsGet = true, Name = "offset")]
    public int FailuresOffset { get; set; }

    public const int FailuresPerPage = 20;

    public JsonElement Result { get; private set; }

    public IReadOnlyList<JsonElement> History { get; private set; } = [];

    public JsonElement? Verification { get; private set; }

    public JsonElement? Failures { get; private set; }

    public string? SignedInAs { get; private set; }

    /// <summary>What the last write from this page answered, shown beside its form.</summary>
    public string? UploadMessage { get; private set; }

    public string? UploadError { get; private set; }

    public string? HideError { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostEvidenceAsync(IFormFile? log, CancellationToken cancellationToken)
    {
        if (log is null || log.Length == 0)
        {
            UploadError = "Choose an Inspect log (.eval or .json) to upload.";
            return await LoadAsync(cancellationToken);
        }

        await using var stream = log.OpenReadStream();
        var content = new StreamContent(stream);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var answer = await api.PostAsync($"/api/results/{Uri.EscapeDataString(Id)}/evidence", content, cancellationToken);
        if (answer.Ok)
        {
            UploadMessage = "Uploaded; verification runs in a moment. Reload to see its checks.";
        }
        else
        {
            UploadError = answer.Problem;
            Response.StatusCode = answer.Status;
        }

        return await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostHideAsync(string? reason, CancellationToken cancellationToken)
    {
        var answer = await api.PostJsonAsync($"/api/results/{Uri.EscapeDataString(Id)}/hide", new { reason = reason ?? "" }, cancellationToken);
        if (answer.Ok)
        {
            return Redirect($"/results/{Id}");
        }

        HideError = answer.Problem;
        Response.StatusCode = answer.Status;
        return await LoadAsync(cancellationToken);
    }

    private async Task<IActionResult> LoadAsync(CancellationToken cancellationToken)
    {
        var path = $"/api/results/{Uri.EscapeDataString(Id)}";
        var result = await api.GetAsync(path, cancellationToken);
        if (!result.Ok)
        {
            return StatusCode(result.PageStatus);
        }

        Result = result.Json();
        var history = api.GetAsync($"{path}/history", cancellationToken);
        var verification = api.GetAsync($"{path}/verification", cancellationToken);
        var failures = api.GetAsync($"{path}/failures?limit={FailuresPerPage}&offset={Math.Max(0, FailuresOffset)}", cancellationToken);
        SignedInAs = await visitor.NameAsync();
        History = (await history) is { Ok: true } h ? [.. h.Json().EnumerateArray()] : [];
        Verification = (await verification) is { Ok: true } v ? v.Json() : null;
        Failures = (await failures) is { Ok: true } f ? f.Json() : null;
        return Page();
    }

    /// <summary>One line of the timeline: what happened, in words.</summary>
    public static string Describe(JsonElement entry)
    {
        var type = Format.Text(entry, "type") ?? "";
        var data = entry.TryGetProperty("data", out var d) ? d : default;
        return type switch
        {
            "MainCommitted" or "PullRequestOpened" or "PullRequestUpdated" => $"{Format.Text(data, "change") ?? "committed"}: value {Format.Text(data, "valueText") ?? Format.Text(data, "value")}",
            "ResultHidden" => $"hidden: {Format.Text(data, "reason")}",
            "ResultUnhidden" => "shown again",
            "PullRequestClosed" => "pull request closed",
            "PullRequestReopened" => "pull request reopened",
            "PullRequestMerged" => "pull request merged",
            "EvidenceSubmitted" => "evidence uploaded",
            "EvidenceVerified" => $"evidence verified the value {Format.Text(data, "valueText")}",
            "EvidenceContradicted" => $"evidence contradicted the value {Format.Text(data, "valueText")}",
            "EvidenceRejected" => "evidence rejected",
            "FailureCommented" => $"comment on sample {Format.Text(data, "sampleId")}: {Format.Text(data, "comment")}",
            _ => type,
        };
    }
}
