using System.Text.Json;
using CommunityEvals.Web.Gateway;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CommunityEvals.Web.Pages.Settings;

public sealed class TokensPage(GatewayApi api) : PageModel
{
    public IReadOnlyList<JsonElement> Tokens { get; private set; } = [];

    /// <summary>A token just made: its secret is shown this once, on the answer to the form that made it.</summary>
    public JsonElement? Created { get; private set; }

    public string? Error { get; private set; }

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostCreateAsync(string? displayName, string? role, CancellationToken cancellationToken)
    {
        var answer = await api.PostJsonAsync("/api/settings/tokens", new { displayName = displayName ?? "", role = role ?? "" }, cancellationToken);
        if (answer.Ok)
        {
            Created = answer.Json();
        }
        else
        {
            Error = answer.Problem;
            Response.StatusCode = answer.Status;
        }

        return await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostRevokeAsync(string id, CancellationToken cancellationToken)
    {
        var answer = await api.DeleteAsync($"/api/settings/tokens/{Uri.EscapeDataString(id)}", cancellationToken);
        if (answer.Ok)
        {
            return Redirect("/settings/tokens");
        }

        Error = answer.Problem;
        Response.StatusCode = answer.Status;
        return await LoadAsync(cancellationToken);
    }

    private async Task<IActionResult> LoadAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(api.Token))
        {
            return Redirect("/login?returnUrl=/settings/tokens");
        }

        var answer = await api.GetAsync("/api/settings/tokens", cancellationToken);
        if (answer.Status == 401)
        {
            return Redirect("/login?returnUrl=/settings/tokens");
        }

        Tokens = answer.Ok ? [.. answer.Json().EnumerateArray()] : [];
        return Page();
    }
}
