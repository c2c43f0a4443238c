using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using CommunityEvals.IntegrationTests.Files;
using CommunityEvals.IntegrationTests.Infrastructure;

namespace CommunityEvals.IntegrationTests.Web;

/// <summary>PAGES.md for test sets (issue 18): the dataset page's files and gated status, asking for access, and the owners' requests page.</summary>
[Collection(StackCollection.Name)]
public sealed partial class TestSetPagesTests(StackFixture stack)
{
    [Fact]
    public async Task A_visitor_asks_for_access_on_the_dataset_page_and_an_owner_accepts_on_the_requests_page()
    {
        var s = await stack.CreateScenarioAsync("pages-gated");
        await s.Owner.SettingsAsync("dataset", s.Dataset, new { gated = "manual" });
        await s.Owner.AddDataFileAsync(s.Dataset, "data/test.jsonl", Encoding.UTF8.GetBytes("{\"q\":\"secret\"}\n"));
        var visitor = await stack.CreateUserAsync("pages-visitor");
        var page = $"/datasets/{s.Dataset}";

        var anonymous = await ShownAsync(stack.Anonymous, page, "badge gated");
        Assert.Contains("data/test.jsonl", anonymous);
        Assert.Contains("needs access", anonymous);
        Assert.Contains("to ask for access", anonymous);

        using var browser = Browser(visitor.Token);
        var signedIn = await browser.GetStringAsync(page);
        Assert.Contains("Ask for access", signedIn);
        using (var asked = await browser.PostAsync($"{page}?handler=AskAccess", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = AntiforgeryField().Match(signedIn).Groups[1].Value,
            ["reason"] = "to test my dialect model",
        })))
        {
            var answer = await asked.Content.ReadAsStringAsync();
            Assert.True(asked.StatusCode == HttpStatusCode.OK, answer[..Math.Min(answer.Length, 500)]);
            Assert.Contains("waiting for an owner", answer);
        }

        // The owner's page of requests, which strangers cannot open.
        using (var refused = await browser.GetAsync($"{page}/access-requests"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using var owner = Browser(s.Owner.DefaultRequestHeaders.Authorization!.Parameter!);
        var requests = await owner.GetStringAsync($"{page}/access-requests");
        Assert.Contains(visitor.Name, requests);
        Assert.Contains("to test my dialect model", requests);
        using (var accepted = await owner.PostAsync($"{page}/access-requests?handler=Handle", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = AntiforgeryField().Match(requests).Groups[1].Value,
            ["user"] = visitor.Name,
            ["status"] = "accepted",
        })))
        {
            Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        }

        var after = await browser.GetStringAsync(page);
        Assert.Contains("You have access to the data files.", after);
        Assert.DoesNotContain("needs access", after);
        Assert.Contains($"{page}/download/data/test.jsonl", after);
        using (var download = await browser.GetAsync($"{page}/download/data/test.jsonl"))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal("{\"q\":\"secret\"}\n", await download.Content.ReadAsStringAsync());
            Assert.NotNull(download.Headers.ETag);
        }

        // The same link, for a visitor without access, is the API's refusal.
        using var stranger = Browser((await stack.CreateUserAsync("pages-stranger")).Token);
        using var refusedDownload = await stranger.GetAsync($"{page}/download/data/test.jsonl");
        Assert.Equal(HttpStatusCode.Forbidden, refusedDownload.StatusCode);
    }

    [Fact]
    public async Task A_private_datasets_pages_are_missing_to_others_and_shown_to_its_owners()
    {
        var s = await stack.CreateScenarioAsync("pages-private");
        await s.Owner.SettingsAsync("dataset", s.Dataset, new { visibility = "private" });
        var stranger = await stack.CreateUserAsync("pages-stranger");
        using var owner = Browser(s.Owner.DefaultRequestHeaders.Authorization!.Parameter!);
        var shown = await ShownAsync(owner, $"/datasets/{s.Dataset}", ">private<");
        Assert.Contains("eval.yaml", shown);

        var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = stack.Gateway };
        foreach (var client in new[] { anonymous, Browser(stranger.Token) })
        {
            foreach (var path in new[] { $"/datasets/{s.Dataset}", $"/datasets/{s.Dataset}/history", $"/datasets/{s.Dataset}/access-requests" })
            {
                using var missing = await client.GetAsync(path);
                Assert.True(missing.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Redirect, $"{path}: {(int)missing.StatusCode}");
            }
        }
    }

    /// <summary>The page once it shows <paramref name="text"/>: pages are projections, a moment behind the writes.</summary>
    private static Task<string> ShownAsync(HttpClient client, string path, string text) =>
        Eventually.GetAsync(async () =>
        {
            using var response = await client.GetAsync(path);
            var html = await response.Content.ReadAsStringAsync();
            return response.IsSuccessStatusCode && html.Contains(text, StringComparison.Ordinal) ? html : null;
        }, $"'{text}' on {path}");

    /// <summary>A browser signed in with <paramref name="token"/> (the cookie the sign-in form sets), keeping the antiforgery cookie.</summary>
    private HttpClient Browser(string token)
    {
        var cookies = new CookieContainer();
        cookies.Add(stack.Gateway, new Cookie("ce_token", token));
        return new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = stack.Gateway };
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
