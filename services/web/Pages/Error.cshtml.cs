using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CommunityEvals.Web.Pages;

[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    [BindProperty(SupportsGet = true)]
    public int Code { get; set; }

    public (string Title, string Advice) Words => Code switch
    {
        404 => ("Not found", "Nothing is at this address: the repo, result or benchmark may not exist, or may be private. Check the address, or start from the benchmarks."),
        403 => ("Not allowed", "You are signed in but may not see or change this. Sign in as its owner, or ask them."),
        401 => ("Sign in first", "This needs you to be signed in."),
        429 => ("Too many requests", "Pages from your address came faster than the site's limit. Wait a few seconds and reload."),
        502 or 503 => ("Unavailable", "A part of the service is down or restarting. Try again in a few seconds."),
        _ => ("Something went wrong", "The error was logged. Try again, or start from the benchmarks."),
    };

    public void OnGet() => SetStatus();

    public void OnPost() => SetStatus();

    private void SetStatus()
    {
        // Re-executed for an error status: keep it. Opened directly: answer the status it describes.
        if (Code is >= 400 and <= 599)
        {
            Response.StatusCode = Code;
        }

        if (Code == 429)
        {
            // The gateway's buckets refill every second; a few seconds is always enough to get a page again.
            Response.Headers.RetryAfter = "5";
        }
    }
}
