using CommunityEvals.Web.Gateway;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CommunityEvals.Web.Pages;

public sealed class LoginModel(GatewayApi api) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "returnUrl")]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            Error = "Paste an access token (it starts with hf_).";
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }

        token = token.Trim();
        var whoami = await api.GetAsAsync("/api/whoami-v2", token, cancellationToken);
        if (!whoami.Ok)
        {
            Error = whoami.Status == 401 ? "That token is not valid (unknown or revoked)." : whoami.Problem;
            Response.StatusCode = whoami.Status == 401 ? StatusCodes.Status401Unauthorized : StatusCodes.Status502BadGateway;
            return Page();
        }

        // HttpOnly: no script can read the token; SameSite=Lax: another site cannot post with it.
        Response.Cookies.Append(GatewayApi.TokenCookie, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = Request.IsHttps,
            Path = "/",
            MaxAge = TimeSpan.FromDays(30),
        });
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
    }
}
