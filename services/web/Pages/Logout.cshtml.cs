using CommunityEvals.Web.Gateway;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CommunityEvals.Web.Pages;

public sealed class LogoutModel : PageModel
{
    public void OnGet()
    {
    }

    public IActionResult OnPost()
    {
        Response.Cookies.Delete(GatewayApi.TokenCookie, new CookieOptions { Path = "/" });
        return LocalRedirect("/");
    }
}
