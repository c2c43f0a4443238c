using CommunityEvals.IntegrationTests.Files;
using System.Net.Http.Json;
using System.Text.Json;
using Deque.AxeCore.Playwright;
using CommunityEvals.IntegrationTests.Arena;
using CommunityEvals.IntegrationTests.Infrastructure;
using CommunityEvals.IntegrationTests.Leaderboards;
using Microsoft.Playwright;

namespace CommunityEvals.IntegrationTests.Web;

/// <summary>
/// The pages in a real browser (headless Chromium through Playwright), clicked through as a person
/// would: sign in, submit a result from the form (an error at its line first), watch the board change
/// live as a pull request opens and is closed, hide a result and read why in its history, upload an
/// Inspect log and read its checks and failures. Every page is saved as a screenshot at 1280 and
/// 375 px (<c>screenshots/</c>, ignored by git) and checked with axe-core: no serious or critical
/// violation.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class BrowserTests(StackFixture stack) : IAsyncLifetime
{
    /// <summary>Debian's Chromium (eng/prerequisites.sh): Playwright's own browser download cannot work offline.</summary>
    private const string Chromium = "/usr/bin/chromium";

    private static readonly string Screenshots = Path.Combine(RepoRoot.Path, "tests", "CommunityEvals.IntegrationTests", "screenshots");

    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        // As root there is no user namespace for Chromium's sandbox.
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    [Fact]
    public async Task A_person_signs_in_submits_reviews_and_verifies_results_and_sees_boards_change_live()
    {
        var s = await stack.CreateScenarioAsync("browser");
        var ownerToken = TokenOf(s.Owner);
        var owner = await SignedInPageAsync(ownerToken);

        // The new-result form: a value that is not a number is refused at its line, then a good one is committed.
        await owner.GotoAsync($"/{s.Model}/new-result");
        await owner.SelectOptionAsync("#benchmark", s.Dataset);
        await owner.FillAsync("#task", "main");
        await owner.FillAsync("#value", "seventy-five");
        await owner.CheckAsync("input[name='Form.Target'][value='main']");
        await owner.ClickAsync("button:has-text('Submit')");
        var errors = owner.Locator("#form-errors");
        await Assertions.Expect(errors).ToContainTextAsync("line 4");
        await CheckPageAsync(owner, "new-result-error");
        await owner.FillAsync("#value", "75");
        await owner.CheckAsync("input[name='Form.Target'][value='main']");
        await owner.ClickAsync("button:has-text('Submit')");
        // forms.js follows the redirect in place and moves the address with history.pushState: no page load to wait for.
        await Assertions.Expect(owner).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/{System.Text.RegularExpressions.Regex.Escape(s.Model)}$"));
        // The model page is a projection of the commit: a moment behind it.
        await EventuallyShownAsync(owner, $"/{s.Model}", "results.yaml");
        await CheckPageAsync(owner, "model");

        // The board, open in a browser: a pull request opened elsewhere appears without a reload.
        var board = await _browser.NewPageAsync(new() { BaseURL = stack.Gateway.ToString() });
        await board.GotoAsync($"/datasets/{s.Dataset}");
        await Assertions.Expect(board.Locator("#board")).ToContainTextAsync("75");
        await board.EvaluateAsync("() => window.notReloaded = true");
        var contributor = await stack.CreateUserAsync("browser-contrib");
        var otherModel = await contributor.Client.CreateRepoAsync("model", "rival-7b");
        using (var committed = await contributor.Client.CommitAsync("model", otherModel, "main", ".eval_results/r.yaml", HubCommits.ResultYaml(s.Dataset, "main", "88.5"), createPullRequest: true))
        {
            committed.EnsureSuccessStatusCode();
        }

        await Assertions.Expect(board.Locator("#board")).ToContainTextAsync("88.5", new() { Timeout = 20_000 });
        Assert.True(await board.EvaluateAsync<bool>("() => window.notReloaded === true"), "the board page was reloaded");
        // Sorting is the browser's: the lowest value first on a click of its header, the ranks as they were.
        await board.ClickAsync("#board thead button:has-text('Value')");
        await Assertions.Expect(board.Locator("#board tbody tr").First).ToContainTextAsync("75");
        await Assertions.Expect(board.Locator("#board thead th").Nth(2)).ToHaveAttributeAsync("aria-sort", "ascending");
        await CheckPageAsync(board, "board");

        // The author closes their pull request on its page; the open board loses the row, live.
        var author = await SignedInPageAsync(contributor.Token);
        await author.GotoAsync($"/{otherModel}/discussions/1");
        await CheckPageAsync(author, "pull-request");
        // Writes post without a reload (forms.js): the page answers in place, at the same address.
        await author.EvaluateAsync("() => window.notReloaded = true");
        await author.FillAsync("#comment", "Withdrawn: wrong split.");
        await author.ClickAsync("button:has-text('Comment')");
        await Assertions.Expect(author.Locator("#comment")).ToHaveValueAsync("");
        Assert.True(await author.EvaluateAsync<bool>("() => window.notReloaded === true"), "posting the comment reloaded the page");
        Assert.EndsWith($"/{otherModel}/discussions/1", author.Url);
        await EventuallyShownAsync(author, $"/{otherModel}/discussions/1", "Withdrawn: wrong split.");
        await author.ClickAsync("button:has-text('Close')");
        await EventuallyShownAsync(author, $"/{otherModel}/discussions/1", "changed the status to closed");
        await Assertions.Expect(board.Locator("#board")).Not.ToContainTextAsync("88.5", new() { Timeout = 20_000 });
        Assert.True(await board.EvaluateAsync<bool>("() => window.notReloaded === true"), "the board page was reloaded");

        // The result: upload an Inspect log and read its checks and its failed sample.
        var resultId = await Boards.ResultIdAsync(stack.Anonymous, s.Model, r => r.GetProperty("filename").GetString() == ".eval_results/results.yaml", "the result from the form");
        await owner.GotoAsync($"/results/{resultId}");
        await owner.SetInputFilesAsync("#log", new FilePayload
        {
            Name = "run.json",
            MimeType = "application/json",
            Buffer = InspectLogs.Json(s.Dataset, "main", s.Model, "C", "C", "I", "C"),
        });
        await owner.ClickAsync("button:has-text('Upload')");
        await Assertions.Expect(owner.Locator("[role=status]")).ToContainTextAsync("Uploaded");
        await EventuallyShownAsync(owner, $"/results/{resultId}", "passed: value");
        await Assertions.Expect(owner.Locator("main")).ToContainTextAsync("verified");
        await Assertions.Expect(owner.Locator("main")).ToContainTextAsync("1 sample scored below full marks");
        await CheckPageAsync(owner, "result-verified");

        // Hiding, with a reason that the history then shows.
        await owner.FillAsync("#reason", "wrong split");
        await owner.ClickAsync("button:has-text('Hide')");
        await EventuallyShownAsync(owner, $"/results/{resultId}", "hidden: wrong split");
        await CheckPageAsync(owner, "result-hidden");

        var commitOid = (await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/events?stream={Uri.EscapeDataString($"model/{s.Model}")}&order=desc&limit=100"))
            .GetProperty("events").EnumerateArray().First(e => e.GetProperty("type").GetString() == "MainCommitted")
            .GetProperty("data").GetProperty("commit").GetProperty("commitOid").GetString();
        foreach (var (path, name) in new[]
        {
            ("/", "home"), ("/events", "events"), ("/settings/tokens", "tokens"),
            ($"/datasets/{s.Dataset}/history", "history"), ($"/{s.Model}/commit/{commitOid}", "commit"),
        })
        {
            await owner.GotoAsync(path);
            await CheckPageAsync(owner, name);
        }
    }

    [Fact]
    public async Task A_visitor_asks_for_a_gated_test_set_on_its_page_and_its_owner_accepts_on_the_requests_page()
    {
        var s = await stack.CreateScenarioAsync("browsergated");
        await s.Owner.SettingsAsync("dataset", s.Dataset, new { gated = "manual" });
        await s.Owner.AddDataFileAsync(s.Dataset, "data/test.jsonl", System.Text.Encoding.UTF8.GetBytes("{\"q\":\"a question\"}\n"));
        var visitor = await stack.CreateUserAsync("browser-asker");

        var asker = await SignedInPageAsync(visitor.Token);
        await EventuallyShownAsync(asker, $"/datasets/{s.Dataset}", "Ask for access");
        await asker.FillAsync("#reason", "to evaluate a dialect model");
        await asker.ClickAsync("button:has-text('Ask for access')");
        await Assertions.Expect(asker.Locator("[role=status]")).ToContainTextAsync("waiting for an owner");
        await CheckPageAsync(asker, "dataset-gated");

        var owner = await SignedInPageAsync(TokenOf(s.Owner));
        await owner.GotoAsync($"/datasets/{s.Dataset}");
        await owner.ClickAsync("a:has-text('Access requests')");
        await Assertions.Expect(owner.Locator("main")).ToContainTextAsync(visitor.Name);
        await CheckPageAsync(owner, "access-requests");
        await owner.ClickAsync($"button[aria-label='Accept {visitor.Name}']");
        await Assertions.Expect(owner.Locator("#requests-accepted")).ToContainTextAsync("(1)");

        await EventuallyShownAsync(asker, $"/datasets/{s.Dataset}", "You have access to the data files.");
    }

    [Fact]
    public async Task Two_people_vote_in_the_arena_through_the_page_the_ratings_change_and_an_owners_vote_is_not_counted()
    {
        var arena = await stack.CreateArenaAsync("browserarena", models: 2, samples: 3);
        var voterA = await stack.CreateUserAsync("arena-voter");
        var voterB = await stack.CreateUserAsync("arena-voter2");
        var path = $"/arena/{arena.Dataset}/main";
        // Battles are served once the boards list both models (a moment after their results).
        await voterA.Client.BattleAsync(arena);

        // The benchmark page links to its arena.
        var first = await SignedInPageAsync(voterA.Token);
        await first.GotoAsync($"/datasets/{arena.Dataset}");
        await first.ClickAsync("a:has-text('vote between two models')");
        await Assertions.Expect(first).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(System.Text.RegularExpressions.Regex.Escape(path) + "$"));
        await Assertions.Expect(first.Locator("form.vote")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await CheckPageAsync(first, "arena");
        await first.EvaluateAsync("() => window.notReloaded = true");
        // A vote counts from 2 seconds after the battle is shown.
        await Task.Delay(2200);
        await first.Keyboard.PressAsync("1");
        await Assertions.Expect(first.Locator("[role=status]")).ToContainTextAsync("counted");
        await Assertions.Expect(first.Locator("[role=status]")).ToContainTextAsync(arena.Models[0]);
        // The reveal, and the next battle below it, without a reload.
        await Assertions.Expect(first.Locator("form.vote")).ToBeVisibleAsync();
        Assert.True(await first.EvaluateAsync<bool>("() => window.notReloaded === true"), "the arena page was reloaded");
        await CheckPageAsync(first, "arena-reveal");

        var second = await SignedInPageAsync(voterB.Token);
        await second.GotoAsync(path);
        await Task.Delay(2200);
        await second.ClickAsync("button:has-text('Tie')");
        await Assertions.Expect(second.Locator("[role=status]")).ToContainTextAsync("counted");

        var ratings = await _browser.NewPageAsync(new() { BaseURL = stack.Gateway.ToString() });
        await EventuallyShownAsync(ratings, $"{path}/leaderboard", "2 counted votes");
        await Assertions.Expect(ratings.Locator("table")).ToContainTextAsync(arena.Models[1]);
        await CheckPageAsync(ratings, "arena-ratings");

        // The owner of the models votes: kept, not counted, and told why.
        var owner = await SignedInPageAsync(TokenOf(arena.Scenario.Owner));
        await owner.GotoAsync(path);
        await Task.Delay(2200);
        await owner.ClickAsync("button:has-text('B is better')");
        await Assertions.Expect(owner.Locator("[role=status]")).ToContainTextAsync("not counted");
        await Assertions.Expect(owner.Locator("[role=status]")).ToContainTextAsync("You own one of these models");
        await ratings.ReloadAsync();
        await Assertions.Expect(ratings.Locator("main")).ToContainTextAsync("2 counted votes");
        await Assertions.Expect(ratings.Locator("main")).ToContainTextAsync("not counted: owner");
    }

    /// <summary>A page signed in through the sign-in form, as a person pasting their token would.</summary>
    private async Task<IPage> SignedInPageAsync(string token)
    {
        var context = await _browser.NewContextAsync(new() { BaseURL = stack.Gateway.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login");
        await CheckPageAsync(page, "login");
        await page.FillAsync("#token", token);
        await page.ClickAsync("main button:has-text('Sign in')");
        await Assertions.Expect(page.Locator("header")).ToContainTextAsync("Sign out");
        return page;
    }

    /// <summary>Reloads <paramref name="path"/> until it shows <paramref name="text"/> (verification runs after the upload).</summary>
    private static async Task EventuallyShownAsync(IPage page, string path, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            await page.GotoAsync(path);
            if ((await page.Locator("main").InnerTextAsync()).Contains(text, StringComparison.Ordinal))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{path} never showed '{text}'");
            await Task.Delay(500);
        }
    }

    /// <summary>Screenshots at 1280 and 375 px, and axe-core finds nothing serious or critical.</summary>
    private static async Task CheckPageAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Screenshots);
        foreach (var width in new[] { 1280, 375 })
        {
            await page.SetViewportSizeAsync(width, 900);
            await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, $"{name}-{width}.png"), FullPage = true });
        }

        await page.SetViewportSizeAsync(1280, 900);
        var axe = await page.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{name} ({page.Url}): " + string.Join("; ", serious.Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Html).Take(3))})")));
    }

    private static string TokenOf(HttpClient client) =>
        client.DefaultRequestHeaders.Authorization?.Parameter ?? throw new InvalidOperationException("the client has no token");
}
