using System.Text.Json;
using CommunityEvals.Web.Gateway;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CommunityEvals.Web.Pages.Datasets;

/// <summary>A gated dataset's access requests, for its owners to accept, reject or grant (ACCESS.md "Gated test sets").</summary>
public sealed class AccessRequestsModel(GatewayApi api) : PageModel
{
    public static readonly string[] Statuses = ["pending", "accepted", "rejected"];

    [BindProperty(SupportsGet = true)]
    public string Org { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string Name { get; set; } = "";

    public string Id => $"{Org}/{Name}";

    public IReadOnlyDictionary<string, IReadOnlyList<JsonElement>> Requests { get; private set; } = new Dictionary<string, IReadOnlyList<JsonElement>>();

    public string? ActionError { get; private set; }

    private string ApiPath => $"/api/datasets/{Uri.EscapeDataString(Org)}/{Uri.EscapeDataString(Name)}/user-access-request";

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(api.Token))
        {
            return Redirect($"/login?returnUrl={Uri.EscapeDataString($"/datasets/{Id}/access-requests")}");
        }

        var requests = new Dictionary<string, IReadOnlyList<JsonElement>>();
        foreach (var status in Statuses)
        {
            var answer = await api.GetAsync($"{ApiPath}/{status}", cancellationToken);
            if (!answer.Ok)
            {
                // Only owners may read them (403); a private repo is missing to others (404).
                return StatusCode(answer.PageStatus);
            }

            requests[status] = [.. answer.Json().EnumerateArray()];
        }

        Requests = requests;
        return Page();
    }

    public Task<IActionResult> OnPostHandleAsync(string? user, string? status, string? rejectionReason, CancellationToken cancellationToken) =>
        WriteAsync("handle", string.IsNullOrWhiteSpace(rejectionReason)
            ? new { user = user ?? "", status = status ?? "" }
            : new { user = user ?? "", status = status ?? "", rejectionReason = rejectionReason.Trim() }, cancellationToken);

    public Task<IActionResult> OnPostGrantAsync(string? user, CancellationToken cancellationToken) =>
        WriteAsync("grant", new { user = (user ?? "").Trim() }, cancellationToken);

    private async Task<IActionResult> WriteAsync(string action, object body, CancellationToken cancellationToken)
    {
        var answer = await api.PostJsonAsync($"{ApiPath}/{action}", body, cancellationToken);
        if (answer.Ok)
        {
            return Redirect($"/datasets/{Id}/access-requests");
        }

        ActionError = answer.Problem;
        var shown = await OnGetAsync(cancellationToken);
        Response.StatusCode = answer.Status;
        return shown;
    }
}
