using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;
using CommunityEvals.IntegrationTests.Leaderboards;

namespace CommunityEvals.IntegrationTests.Web;

/// <summary>
/// What a reader finds around the boards: the home page's order, filters and recent activity, the
/// page a commit's <c>commitUrl</c> opens, a board's history of changes, a dataset card, and only
/// the controls the visitor may use on a pull request; with the API routes behind them.
/// </summary>
public sealed partial class WebPagesTests
{
    [Fact]
    public async Task The_home_page_puts_benchmarks_with_more_results_first_filters_by_card_language_and_shows_recent_activity()
    {
        var language = $"x{Guid.NewGuid():N}"[..10];
        var busy = await stack.CreateScenarioAsync("busy");
        var quiet = await stack.CreateScenarioAsync("quiet");
        await CommitCardAsync(busy, $"---\nlanguage: [{language}, en]\ntags: [community-made]\ntask_categories: [question-answering]\nlicense: cc-by-4.0\n---\n# Busy\n");
        await stack.CommitResultAsync(busy, "61");
        var second = await busy.Owner.CreateRepoAsync("model", "model-13b", busy.Org);
        await busy.Owner.CommitResultAsync(second, busy.Dataset, "64");

        var listed = await Eventually.GetAsync(async () =>
        {
            var all = await Boards.GetJsonAsync(stack.Anonymous, "/api/benchmarks");
            var ids = all.EnumerateArray().Select(b => b.GetProperty("id").GetString()).ToList();
            var entry = all.EnumerateArray().SingleOrDefault(b => b.GetProperty("id").GetString() == busy.Dataset);
            return entry.ValueKind == JsonValueKind.Object && entry.GetProperty("results").GetInt32() == 2 ? ids : null;
        }, "two results counted on the busy benchmark");
        Assert.True(listed.IndexOf(busy.Dataset) < listed.IndexOf(quiet.Dataset), "more results come first");

        var byLanguage = await Boards.GetJsonAsync(stack.Anonymous, $"/api/benchmarks?language={language}");
        var only = Assert.Single(byLanguage.EnumerateArray());
        Assert.Equal(busy.Dataset, only.GetProperty("id").GetString());
        Assert.Equal([language, "en"], only.GetProperty("languages").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(["main"], only.GetProperty("tasks").EnumerateArray().Select(t => t.GetString()));
        // The Hub's list carries the card's language and tags as the Hub does.
        var hub = await Boards.GetJsonAsync(stack.Anonymous, $"/api/datasets?filter=language:{language}");
        Assert.Equal(busy.Dataset, Assert.Single(hub.EnumerateArray()).GetProperty("id").GetString());
        Assert.Contains("community-made", Assert.Single(hub.EnumerateArray()).GetProperty("tags").EnumerateArray().Select(t => t.GetString()));

        // ACCESS.md "Discovering test sets": the same through language= and tags=, and the card's facts in the answer.
        var byParameters = await Boards.GetJsonAsync(stack.Anonymous, $"/api/datasets?filter=benchmark&language={language}&tags=community-made,question-answering-not-a-tag");
        Assert.Empty(byParameters.EnumerateArray());
        byParameters = await Boards.GetJsonAsync(stack.Anonymous, $"/api/datasets?filter=benchmark&language={language}&tags=community-made");
        var found = Assert.Single(byParameters.EnumerateArray());
        Assert.Contains("task_categories:question-answering", found.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Contains("license:cc-by-4.0", found.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        var card = found.GetProperty("cardData");
        Assert.Equal([language, "en"], card.GetProperty("language").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal("cc-by-4.0", card.GetProperty("license").GetString());
        Assert.Equal(["question-answering"], card.GetProperty("task_categories").EnumerateArray().Select(l => l.GetString()));
        Assert.Contains(busy.Dataset, (await Boards.GetJsonAsync(stack.Anonymous, "/api/datasets?search=Test%20benchmark")).EnumerateArray().Select(d => d.GetProperty("id").GetString()));

        var home = await PageAsync($"/?language={language}");
        var table = home[..home.IndexOf("Recent activity", StringComparison.Ordinal)];
        Assert.Contains($"href=\"/datasets/{busy.Dataset}\"", table);
        Assert.DoesNotContain($"href=\"/datasets/{quiet.Dataset}\"", table);
        Assert.Contains($"<option value=\"{language}\" selected=\"selected\">", home);

        var latest = await Boards.GetJsonAsync(stack.Anonymous, "/api/events?order=desc&limit=3");
        var sequences = latest.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(sequences.OrderDescending(), sequences);
        var older = await Boards.GetJsonAsync(stack.Anonymous, $"/api/events?order=desc&limit=3&before={latest.GetProperty("next").GetInt64()}");
        Assert.All(older.GetProperty("events").EnumerateArray(), e => Assert.True(e.GetProperty("sequence").GetInt64() < sequences[^1]));

        var activity = await PageAsync("/", until: html => html.Contains("Recent activity", StringComparison.Ordinal));
        Assert.Contains("<ol class=\"timeline\">", activity);
        var feed = await PageAsync("/events");
        Assert.Contains("data-poll", feed);
    }

    [Fact]
    public async Task Dataset_info_and_the_model_list_answer_in_the_Hubs_shapes()
    {
        var s = await stack.CreateScenarioAsync("hubinfo");
        await CommitCardAsync(s, "---\nlanguage: [yo]\nlicense: mit\n---\n# Info\n");
        await stack.CommitResultAsync(s, "50");

        var dataset = await Eventually.ValueAsync(async () =>
        {
            var answer = await Boards.GetJsonAsync(stack.Anonymous, $"/api/datasets/{s.Dataset}");
            return answer.GetProperty("siblings").GetArrayLength() == 2 ? answer : (JsonElement?)null;
        }, "the dataset's two files");
        Assert.Equal(s.Dataset, dataset.GetProperty("id").GetString());
        Assert.Equal(["README.md", "eval.yaml"], dataset.GetProperty("siblings").EnumerateArray().Select(f => f.GetProperty("rfilename").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal("mit", dataset.GetProperty("cardData").GetProperty("license").GetString());
        Assert.Equal("Test benchmark", dataset.GetProperty("cardData").GetProperty("pretty_name").GetString());
        Assert.Contains("benchmark", dataset.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.False(dataset.GetProperty("private").GetBoolean());
        var sha = dataset.GetProperty("sha").GetString()!;
        Assert.Equal(sha, (await Boards.GetJsonAsync(stack.Anonymous, $"/api/datasets/{s.Dataset}/revision/main")).GetProperty("sha").GetString());

        using (var missing = await stack.Anonymous.GetAsync($"/api/datasets/{s.Org}/no-such-dataset"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Equal("RepoNotFound", missing.Headers.GetValues("X-Error-Code").Single());
        }

        using (var noRevision = await stack.Anonymous.GetAsync($"/api/datasets/{s.Dataset}/revision/{new string('0', 40)}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, noRevision.StatusCode);
            Assert.Equal("RevisionNotFound", noRevision.Headers.GetValues("X-Error-Code").Single());
        }

        var models = await Boards.GetJsonAsync(stack.Anonymous, $"/api/models?author={s.Org}");
        var model = Assert.Single(models.EnumerateArray());
        Assert.Equal(s.Model, model.GetProperty("id").GetString());
        Assert.Equal(s.Model, model.GetProperty("modelId").GetString());
        Assert.Single((await Boards.GetJsonAsync(stack.Anonymous, $"/api/models?search={s.Org}&limit=1")).EnumerateArray());
        using var badLimit = await stack.Anonymous.GetAsync("/api/models?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
    }

    [Fact]
    public async Task A_commit_url_opens_a_page_with_the_commits_files_and_results()
    {
        var s = await stack.CreateScenarioAsync("commitpage");
        var answer = await s.Owner.CommitResultAsync(s.Model, s.Dataset, "72.25", file: "mine.yaml");
        var commitUrl = new Uri(answer.GetProperty("commitUrl").GetString()!);
        var oid = answer.GetProperty("commitOid").GetString()!;

        var found = await Eventually.GetAsync(async () =>
        {
            var events = (await Boards.GetJsonAsync(stack.Anonymous, $"/api/events?stream={Uri.EscapeDataString($"model/{s.Model}")}&commit={oid}"))
                .GetProperty("events").EnumerateArray().ToList();
            return events.Count > 0 ? events : null;
        }, "the commit in the public feed");
        Assert.Equal("MainCommitted", Assert.Single(found).GetProperty("type").GetString());

        var page = await PageAsync(commitUrl.PathAndQuery);
        Assert.Contains(".eval_results/mine.yaml", page);
        Assert.Contains("72.25", page);
        Assert.Contains(oid, page);
        Assert.Contains($"href=\"/datasets/{s.Dataset}\"", page);
        Assert.Contains("href=\"/results/", page);

        var benchmarkCommit = (await Boards.GetJsonAsync(stack.Anonymous, $"/api/events?stream={Uri.EscapeDataString($"dataset/{s.Dataset}")}&limit=10"))
            .GetProperty("events").EnumerateArray().First(e => e.GetProperty("type").GetString() == "MainCommitted")
            .GetProperty("data").GetProperty("commit").GetProperty("commitOid").GetString();
        Assert.Contains("eval.yaml", await PageAsync($"/datasets/{s.Dataset}/commit/{benchmarkCommit}"));

        using var anonymous = new HttpClient { BaseAddress = stack.Gateway };
        using var missing = await anonymous.GetAsync($"/{s.Model}/commit/{new string('0', 40)}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task The_history_page_lists_every_move_of_the_boards_rows_and_the_api_pages_them()
    {
        var s = await stack.CreateScenarioAsync("changes");
        await stack.CommitResultAsync(s, "40");
        await s.Owner.CommitResultAsync(s.Model, s.Dataset, "55");

        var changes = await Eventually.GetAsync(async () =>
        {
            var page = await Boards.GetJsonAsync(stack.Anonymous, $"/api/events/changes?benchmark={s.Dataset}");
            var list = page.GetProperty("changes").EnumerateArray().ToList();
            return list.Count == 2 ? list : null;
        }, "two changes of the board");
        Assert.Equal([null, 40.0], changes.Select(c => c.GetProperty("previousValue").ValueKind == JsonValueKind.Null ? (double?)null : c.GetProperty("previousValue").GetDouble()));
        Assert.Equal([40.0, 55.0], changes.Select(c => c.GetProperty("value").GetDouble()));

        var first = await Boards.GetJsonAsync(stack.Anonymous, $"/api/events/changes?benchmark={s.Dataset}&limit=1");
        var next = first.GetProperty("next").GetString()!;
        Assert.Equal(changes[0].GetProperty("id").GetString(), next);
        var rest = await Boards.GetJsonAsync(stack.Anonymous, $"/api/events/changes?benchmark={s.Dataset}&after={next}");
        Assert.Equal(changes[1].GetProperty("id").GetString(), Assert.Single(rest.GetProperty("changes").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("next").ValueKind);

        using (var bad = await stack.Anonymous.GetAsync("/api/events/changes?after=yesterday"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        var history = await PageAsync($"/datasets/{s.Dataset}/history");
        Assert.Contains("entered at 40 (rank 1)", history);
        Assert.Contains("40 → 55, rank 1 → 1", history);
    }

    [Fact]
    public async Task A_dataset_repo_without_eval_yaml_is_a_page_that_says_so_and_shows_its_card_safely()
    {
        var owner = await stack.CreateUserAsync("cardowner");
        var dataset = await owner.Client.CreateRepoAsync("dataset", "notes");
        using (var committed = await owner.Client.CommitAsync("dataset", dataset, "main", "README.md",
            "---\nlanguage: en\n---\n# Field notes\n\n[run me](javascript:alert(1)) <script>alert(2)</script>\n"))
        {
            Assert.Equal(HttpStatusCode.OK, committed.StatusCode);
        }

        var page = await PageAsync($"/datasets/{dataset}", until: html => html.Contains("Field notes", StringComparison.Ordinal));
        Assert.Contains("not a benchmark yet", page);
        Assert.Contains("<h3", page);
        Assert.DoesNotContain("javascript:", page);
        Assert.DoesNotContain("<script>alert", page);
    }

    [Fact]
    public async Task A_pull_request_page_offers_merge_to_owners_and_close_to_its_author_only()
    {
        var s = await stack.CreateScenarioAsync("prcontrols");
        var contributor = await stack.CreateUserAsync("proposer");
        var stranger = await stack.CreateUserAsync("stranger");
        var number = await contributor.Client.OpenPullRequestAsync(s.Model, s.Dataset, "66.5");
        var path = $"/{s.Model}/discussions/{number}";

        await PageAsync(path);
        var asAuthor = await SignedInPageAsync(path, contributor.Token);
        Assert.Contains(">Close</button>", asAuthor);
        Assert.DoesNotContain("Merge into main", asAuthor);
        Assert.Contains("66.5", asAuthor);
        Assert.Contains($"href=\"/{s.Model}/commit/", asAuthor);

        var asStranger = await SignedInPageAsync(path, stranger.Token);
        Assert.DoesNotContain(">Close</button>", asStranger);
        Assert.DoesNotContain("Merge into main", asStranger);
        Assert.Contains(">Comment</button>", asStranger);

        var ownerToken = await OwnerTokenAsync(s);
        var asOwner = await SignedInPageAsync(path, ownerToken);
        Assert.Contains(">Close</button>", asOwner);
        Assert.Contains("Merge into main", asOwner);
    }

    /// <summary>A page as a signed-in browser gets it: the session cookie the sign-in form would have set.</summary>
    private async Task<string> SignedInPageAsync(string path, string token)
    {
        using var browser = new HttpClient { BaseAddress = stack.Gateway };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", $"ce_token={token}");
        using var response = await browser.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {html[..Math.Min(500, html.Length)]}");
        return html;
    }

    /// <summary>The scenario owner's token, as the Authorization header of their client carries it.</summary>
    private static Task<string> OwnerTokenAsync(StackFixture.Scenario s) =>
        Task.FromResult(s.Owner.DefaultRequestHeaders.Authorization!.Parameter!);

    private static async Task CommitCardAsync(StackFixture.Scenario s, string card)
    {
        using var committed = await s.Owner.CommitAsync("dataset", s.Dataset, "main", "README.md", card);
        Assert.Equal(HttpStatusCode.OK, committed.StatusCode);
    }
}
