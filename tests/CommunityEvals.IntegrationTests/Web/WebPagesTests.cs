using System.Net;
using System.Text.RegularExpressions;
using CommunityEvals.IntegrationTests.Infrastructure;
using CommunityEvals.IntegrationTests.Leaderboards;

namespace CommunityEvals.IntegrationTests.Web;

/// <summary>
/// PAGES.md through the gateway, as a browser without JavaScript sees them: server-rendered HTML at
/// the API's origin, showing what the API shows to that visitor; sign-in by token into an HttpOnly,
/// SameSite=Lax cookie behind an antiforgery token; errors as pages.
/// </summary>
[Collection(StackCollection.Name)]
public sealed partial class WebPagesTests(StackFixture stack)
{
    [Fact]
    public async Task Benchmarks_boards_models_and_results_are_pages_that_show_what_the_api_holds()
    {
        var s = await stack.CreateScenarioAsync("pages");
        var resultId = await stack.CommitResultAsync(s, "71.5");
        var contributor = await stack.CreateUserAsync("contrib");
        var pullRequest = await contributor.Client.OpenPullRequestAsync(s.Model, s.Dataset, "80.25");

        var home = await PageAsync("/", until: html => html.Contains(s.Dataset, StringComparison.Ordinal));
        Assert.Contains($"href=\"/datasets/{s.Dataset}\"", home);

        var board = await PageAsync($"/datasets/{s.Dataset}", until: html => html.Contains("80.25", StringComparison.Ordinal));
        Assert.Contains("<h1>", board);
        Assert.Contains($"href=\"/{s.Model}\"", board);
        // One row per model, its best result: the pull request's, badged community.
        Assert.Contains("<span class=\"badge community\">community</span>", board);
        Assert.DoesNotContain("71.5", board);

        var verifiedOnly = await PageAsync($"/datasets/{s.Dataset}?verified=true");
        Assert.DoesNotContain("80.25", verifiedOnly);
        var authorsOnly = await PageAsync($"/datasets/{s.Dataset}?community=false");
        Assert.Contains("71.5", authorsOnly);
        Assert.Contains($"href=\"/results/{resultId}\"", authorsOnly);
        Assert.DoesNotContain("80.25", authorsOnly);

        var model = await PageAsync($"/{s.Model}");
        Assert.Contains("80.25", model);
        Assert.Contains("Score history", model);
        Assert.Matches(@"<li>[^<]*UTC: 71\.5</li>", model);
        Assert.Contains($"href=\"/results/{resultId}\"", model);
        Assert.Contains($"href=\"/{s.Model}/discussions/{pullRequest}\"", model);

        var result = await PageAsync($"/results/{resultId}");
        Assert.Contains("71.5", result);
        Assert.Contains(s.OwnerName, result);
        Assert.Contains("created: value 71.5", result);

        var history = await PageAsync($"/datasets/{s.Dataset}/history");
        Assert.Contains("<svg", history);
        Assert.Contains($"href=\"/{s.Model}\"", history);
        Assert.Contains("80.25", history);

        var feed = await PageAsync("/events");
        Assert.Contains("MainCommitted", feed);
    }

    [Fact]
    public async Task Unknown_pages_are_404_pages_and_api_routes_keep_their_problem_documents()
    {
        using var anonymous = new HttpClient { BaseAddress = stack.Gateway };
        foreach (var path in new[] { "/nobody-here/no-model", "/datasets/nobody-here/nothing", $"/results/{Guid.NewGuid():N}" })
        {
            using var page = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Not found", await page.Content.ReadAsStringAsync());
        }

        using var api = await anonymous.GetAsync("/api/models/nobody-here/no-model");
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Contains("json", api.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Signing_in_keeps_the_token_in_an_httponly_lax_cookie_behind_an_antiforgery_token()
    {
        var user = await stack.CreateUserAsync("signin");
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = stack.Gateway };

        // A form posted without the antiforgery token (another site's form) is refused and signs nobody in.
        using (var forged = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = user.Token })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
            Assert.False(forged.Headers.TryGetValues("Set-Cookie", out var set) && set.Any(c => c.StartsWith("ce_token=", StringComparison.Ordinal)));
        }

        var form = await browser.GetStringAsync("/login");
        var antiforgery = AntiforgeryField().Match(form).Groups[1].Value;
        Assert.NotEmpty(antiforgery);

        using (var wrong = await browser.PostAsync("/login", Form(antiforgery, "hf_not-a-real-token")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Contains("not valid", await wrong.Content.ReadAsStringAsync());
        }

        using (var signedIn = await browser.PostAsync("/login", Form(antiforgery, user.Token)))
        {
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
            var cookie = Assert.Single(signedIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("ce_token=", StringComparison.Ordinal));
            Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        }

        var home = await browser.GetStringAsync("/");
        Assert.Contains($"href=\"/{user.Name}\"", home);
        Assert.Contains("Sign out", home);

        // The cookie is for pages only: the API takes a bearer token and nothing else.
        using (var api = await browser.GetAsync("/api/whoami-v2"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        }
    }

    private static FormUrlEncodedContent Form(string antiforgery, string token) =>
        new(new Dictionary<string, string> { ["__RequestVerificationToken"] = antiforgery, ["token"] = token });

    /// <summary>A page read anonymously through the gateway, 200 and HTML (a 404 is waited out); with <paramref name="until"/>, once it shows what the projections will.</summary>
    private async Task<string> PageAsync(string path, Func<string, bool>? until = null)
    {
        using var anonymous = new HttpClient { BaseAddress = stack.Gateway };
        return await Eventually.GetAsync(async () =>
        {
            using var response = await anonymous.GetAsync(path);
            var html = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                // Not projected yet: what the page reads becomes visible within the API's 2 seconds.
                return null;
            }

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {html[..Math.Min(html.Length, 500)]}");
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            return until is null || until(html) ? html : null;
        }, $"the page {path}");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
