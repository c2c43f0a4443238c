using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;

namespace CommunityEvals.IntegrationTests.Files;

/// <summary>
/// Issue 18's access matrix: every route that can show a test set's data x every kind of caller x
/// every kind of repo, each cell checked against ACCESS.md ("Visibility", "Gated test sets", "What a
/// private or gated test set must not leak"). A private repo must answer exactly as a missing one.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class AccessMatrixTests(StackFixture stack)
{
    public enum RepoKind { Public, GatedAuto, GatedManual, Private }

    /// <summary>What a caller may do with a repo: read its data, see it but not its data, or not know it exists.</summary>
    private enum Level { Full, SeeOnly, Missing }

    private sealed record Caller(string Name, HttpClient Client, bool Anonymous);

    private sealed record TestSet(RepoKind Kind, string Org, HttpClient Owner, string Dataset, string Model, string FailingResult, IReadOnlyList<Caller> Callers);

    private static Level Expected(RepoKind kind, string caller) => (kind, caller) switch
    {
        (RepoKind.Public, _) => Level.Full,
        (RepoKind.Private, "owner" or "admin") => Level.Full,
        (RepoKind.Private, _) => Level.Missing,
        (_, "anonymous" or "stranger") => Level.SeeOnly,
        _ => Level.Full,
    };

    [Theory]
    [InlineData(RepoKind.Public)]
    [InlineData(RepoKind.GatedAuto)]
    [InlineData(RepoKind.GatedManual)]
    [InlineData(RepoKind.Private)]
    public async Task Every_route_that_shows_data_answers_each_caller_as_ACCESS_md_says(RepoKind kind)
    {
        TestSet set;
        try
        {
            set = await CreateTestSetAsync(kind);
        }
        catch (Exception exception)
        {
            throw new InvalidOperationException(exception.Message + "\n" + await stack.DescribeAsync(60), exception);
        }

        var cells = new List<string>();
        foreach (var caller in set.Callers)
        {
            var level = Expected(kind, caller.Name);
            async Task Check(string route, Func<Task<string?>> cell)
            {
                var problem = await cell();
                if (problem is not null)
                {
                    cells.Add($"{kind} x {caller.Name} x {route} (expected {level}): {problem}");
                }
            }

            await Check("resolve data file", () => ExpectAsync(caller, $"/datasets/{set.Dataset}/resolve/main/data/test.jsonl", level switch
            {
                Level.Full => (HttpStatusCode.OK, null),
                Level.SeeOnly => (caller.Anonymous ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden, "GatedRepo"),
                _ => (HttpStatusCode.NotFound, "RepoNotFound"),
            }));
            var shown = level == Level.Missing ? (HttpStatusCode.NotFound, "RepoNotFound") : (HttpStatusCode.OK, (string?)null);
            await Check("resolve eval.yaml", () => ExpectAsync(caller, $"/datasets/{set.Dataset}/resolve/main/eval.yaml", shown));
            await Check("HEAD data file", () => ExpectAsync(caller, $"/datasets/{set.Dataset}/resolve/main/data/test.jsonl", level switch
            {
                Level.Full => (HttpStatusCode.OK, null),
                Level.SeeOnly => (caller.Anonymous ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden, "GatedRepo"),
                _ => (HttpStatusCode.NotFound, "RepoNotFound"),
            }, HttpMethod.Head));
            await Check("tree", () => ExpectAsync(caller, $"/api/datasets/{set.Dataset}/tree/main?recursive=true", shown));
            await Check("dataset info", () => ExpectAsync(caller, $"/api/datasets/{set.Dataset}", shown));
            await Check("leaderboard", () => ExpectAsync(caller, $"/api/leaderboards/{set.Dataset}/main", level == Level.Missing ? (HttpStatusCode.NotFound, null) : (HttpStatusCode.OK, null)));
            await Check("board export", () => ExpectAsync(caller, $"/api/leaderboards/{set.Dataset}/main/export?format=csv", level == Level.Missing ? (HttpStatusCode.NotFound, "RepoNotFound") : (HttpStatusCode.OK, null)));
            await Check("benchmark export", () => ExpectAsync(caller, $"/api/datasets/{set.Dataset}/export?format=parquet", level == Level.Missing ? (HttpStatusCode.NotFound, "RepoNotFound") : (HttpStatusCode.OK, null)));
            await Check("arena leaderboard", () => ExpectAsync(caller, $"/api/arena/{set.Dataset}/main/leaderboard", level == Level.Missing ? (HttpStatusCode.NotFound, null) : (HttpStatusCode.OK, null)));
            await Check("failures", () => FailuresAsync(caller, set.FailingResult, level));
            await Check("arena battle", () => ExpectAsync(caller, $"/api/arena/{set.Dataset}/main/battle", caller.Anonymous ? (HttpStatusCode.Unauthorized, null) : level switch
            {
                Level.Full => (HttpStatusCode.OK, null),
                Level.SeeOnly => (HttpStatusCode.Forbidden, "GatedRepo"),
                _ => (HttpStatusCode.NotFound, null),
            }));
            await Check("result page", () => ExpectAsync(caller, $"/api/results/{set.FailingResult}", level == Level.Missing ? (HttpStatusCode.NotFound, null) : (HttpStatusCode.OK, null)));
            await Check("the model's results", async () =>
            {
                var results = await caller.Client.GetFromJsonAsync<JsonElement>($"/api/models/{set.Model}/eval-results");
                var listed = results.EnumerateArray().Any(item => item.GetProperty("id").GetString() == set.FailingResult);
                return listed == (level != Level.Missing) ? null : $"listed: {listed}";
            });
            await Check("datasets list", async () =>
            {
                var listed = await caller.Client.GetFromJsonAsync<JsonElement>($"/api/datasets?author={set.Org}");
                var present = listed.EnumerateArray().Any(item => item.GetProperty("id").GetString() == set.Dataset);
                return present == (level != Level.Missing) ? null : $"listed: {present}";
            });
            if (caller.Anonymous)
            {
                await Check("benchmark page", () => ExpectAsync(caller, $"/datasets/{set.Dataset}", level == Level.Missing ? (HttpStatusCode.NotFound, null) : (HttpStatusCode.OK, null)));
            }
        }

        Assert.True(cells.Count == 0, $"{cells.Count} cells differ from ACCESS.md:\n" + string.Join('\n', cells));

        // The public feed: a private repo's events are not in it; access requests are, without who asked.
        var feed = await stack.FeedAsync();
        if (kind == RepoKind.Private)
        {
            Assert.DoesNotContain(feed, entry => entry.GetProperty("stream").GetString() is { } stream
                && (stream == $"dataset/{set.Dataset}" || stream == $"benchmark/{set.Dataset}"));
        }
        else
        {
            Assert.Contains(feed, entry => entry.GetProperty("stream").GetString() == $"benchmark/{set.Dataset}");
        }

        Assert.DoesNotContain(feed, entry => entry.GetProperty("type").GetString() == "AccessRequested");

        // The event log's export follows the feed's rules.
        var lastRead = feed[^1].GetProperty("sequence").GetInt64();
        var exported = (await stack.Anonymous.GetStringAsync($"/api/events/export?format=ndjson&until={lastRead}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(feed.Select(entry => entry.GetProperty("sequence").GetInt64()), exported);
        var handled = feed.Where(entry => entry.GetProperty("type").GetString() is "AccessRequestHandled" or "AccessGranted"
            && entry.GetProperty("data").GetProperty("repo").GetString() == set.Dataset).ToList();
        Assert.All(handled, entry => Assert.False(entry.GetProperty("data").TryGetProperty("user", out _)));
        if (kind == RepoKind.GatedManual)
        {
            Assert.NotEmpty(handled);
        }

        // A result naming a private benchmark, from someone who may not see it, is refused exactly as
        // one naming a benchmark that does not exist.
        if (kind == RepoKind.Private)
        {
            var stranger = set.Callers.Single(caller => caller.Name == "stranger").Client;
            var model = await stranger.CreateRepoAsync("model", "curious-7b");
            using var naming = await stranger.CommitAsync("model", model, "main", ".eval_results/a.yaml", HubCommits.ResultYaml(set.Dataset, "main", "50"));
            var missing = $"{set.Org}/nothing-here";
            using var unknown = await stranger.CommitAsync("model", model, "main", ".eval_results/a.yaml", HubCommits.ResultYaml(missing, "main", "50"));
            Assert.Equal(unknown.StatusCode, naming.StatusCode);
            Assert.Equal((await unknown.Content.ReadAsStringAsync()).Replace(missing, "X"), (await naming.Content.ReadAsStringAsync()).Replace(set.Dataset, "X"));
        }

        // Score changes: a private benchmark's are published to no one; the others' are public.
        var changes = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/events/changes?benchmark={set.Dataset}");
        var published = changes.GetProperty("changes").GetArrayLength();
        Assert.True(kind == RepoKind.Private ? published == 0 : published > 0, $"{published} score changes of {kind} {set.Dataset} are public");
    }

    /// <summary>
    /// A test set of <paramref name="kind"/>: a dataset with eval.yaml, a card and a data file, two
    /// models with verified all-correct logs (for the arena), and one result whose log failed a sample.
    /// Callers: anonymous, a stranger, a user granted access, the owner, the admin, and a read token of the granted user.
    /// </summary>
    private async Task<TestSet> CreateTestSetAsync(RepoKind kind)
    {
        var prefix = $"acc-{kind.ToString().ToLowerInvariant()}";
        var org = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        var owner = await stack.CreateUserAsync($"{prefix}-own", org);
        using (var created = await owner.Client.PostAsJsonAsync("/api/repos/create",
            new { type = "dataset", name = "bench", organization = org, visibility = kind == RepoKind.Private ? "private" : "public" }))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        var dataset = $"{org}/bench";
        if (kind is RepoKind.GatedAuto or RepoKind.GatedManual)
        {
            await owner.Client.SettingsAsync("dataset", dataset, new { gated = kind == RepoKind.GatedAuto ? "auto" : "manual" });
        }

        using (var committed = await owner.Client.CommitFilesAsync("dataset", dataset, "main",
            [("eval.yaml", Encoding.UTF8.GetBytes(HubCommits.BenchmarkYaml())), ("README.md", "# A test set\n"u8.ToArray())], []))
        {
            Assert.Equal(HttpStatusCode.OK, committed.StatusCode);
        }

        await owner.Client.AddDataFileAsync(dataset, "data/test.jsonl", Encoding.UTF8.GetBytes("{\"question\":\"secret\",\"answer\":\"42\"}\n"));

        var models = new List<string>();
        for (var m = 0; m < 2; m++)
        {
            var model = await owner.Client.CreateRepoAsync("model", $"model-{m}", org);
            models.Add(model);
            var resultId = await CommitResultAsync(owner.Client, model, dataset, ".eval_results/all.yaml", "100");
            var log = InspectLogs.Json(dataset, "main", model, ["C", "C", "C"], [$"Answer one of {m}", $"Answer two of {m}", $"Answer three of {m}"]);
            Assert.Equal("verified", (await owner.Client.UploadAndSettleAsync(owner.Client, resultId, log)).GetProperty("status").GetString());
        }

        var failing = await CommitResultAsync(owner.Client, models[0], dataset, ".eval_results/half.yaml", "50");
        var failingLog = InspectLogs.Json(dataset, "main", models[0], ["C", "I"], ["right", "wrong"]);
        Assert.Equal("verified", (await owner.Client.UploadAndSettleAsync(owner.Client, failing, failingLog)).GetProperty("status").GetString());

        var stranger = await stack.CreateUserAsync($"{prefix}-str");
        var granted = await stack.CreateUserAsync($"{prefix}-grn");
        switch (kind)
        {
            case RepoKind.GatedAuto:
                Assert.Equal("accepted", (await AskAsync(granted.Client, dataset)).GetProperty("status").GetString());
                break;
            case RepoKind.GatedManual:
                Assert.Equal("pending", (await AskAsync(granted.Client, dataset)).GetProperty("status").GetString());
                var pending = await owner.Client.GetFromJsonAsync<JsonElement>($"/api/datasets/{dataset}/user-access-request/pending");
                Assert.Equal(granted.Name, Assert.Single(pending.EnumerateArray()).GetProperty("user").GetProperty("user").GetString());
                using (var handled = await owner.Client.PostAsJsonAsync($"/api/datasets/{dataset}/user-access-request/handle", new { user = granted.Name, status = "accepted" }))
                {
                    Assert.Equal(HttpStatusCode.OK, handled.StatusCode);
                }

                break;
        }

        using var tokenAnswer = await granted.Client.PostAsJsonAsync("/api/settings/tokens", new { displayName = "read only", role = "read" });
        Assert.Equal(HttpStatusCode.Created, tokenAnswer.StatusCode);
        var readToken = (await tokenAnswer.JsonAsync()).GetProperty("token").GetString()!;

        // Reads follow the writes within seconds: wait until the pages know the settings.
        await Eventually.GetAsync(async () =>
        {
            using var info = await owner.Client.GetAsync($"/api/datasets/{dataset}");
            if (!info.IsSuccessStatusCode)
            {
                return null;
            }

            var body = await info.JsonAsync();
            var gated = body.GetProperty("gated");
            var expected = kind switch { RepoKind.GatedAuto => "auto", RepoKind.GatedManual => "manual", _ => null };
            return (expected is null ? gated.ValueKind == JsonValueKind.False : gated.ValueKind == JsonValueKind.String && gated.GetString() == expected)
                && body.GetProperty("private").GetBoolean() == (kind == RepoKind.Private) ? "ready" : null;
        }, $"the settings of {dataset} on its info");

        Caller[] callers =
        [
            new("anonymous", stack.Anonymous, true),
            new("stranger", stranger.Client, false),
            new("granted", granted.Client, false),
            new("owner", owner.Client, false),
            new("admin", stack.Admin, false),
            new("read token", stack.Client(readToken), false),
        ];
        return new TestSet(kind, org, owner.Client, dataset, models[0], failing, callers);
    }

    private static async Task<JsonElement> AskAsync(HttpClient client, string dataset)
    {
        using var asked = await client.PostAsJsonAsync($"/api/datasets/{dataset}/ask-access", new { reason = "to evaluate my model" });
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        return await asked.JsonAsync();
    }

    private async Task<string> CommitResultAsync(HttpClient owner, string model, string dataset, string path, string value)
    {
        using (var committed = await owner.CommitAsync("model", model, "main", path, HubCommits.ResultYaml(dataset, "main", value)))
        {
            Assert.Equal(HttpStatusCode.OK, committed.StatusCode);
        }

        return await Eventually.GetAsync(async () =>
        {
            using var response = await owner.GetAsync($"/api/models/{model}/eval-results");
            return response.IsSuccessStatusCode
                ? (await response.JsonAsync()).EnumerateArray().Where(item => item.GetProperty("filename").GetString() == path)
                    .Select(item => item.GetProperty("id").GetString()).FirstOrDefault()
                : null;
        }, $"the result in {model}/{path}");
    }

    /// <summary>Null when the answer is the expected status (and error code), else what it was.</summary>
    private static async Task<string?> ExpectAsync(Caller caller, string uri, (HttpStatusCode Status, string? Code) expected, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, uri);
        using var answer = await caller.Client.SendAsync(request);
        var code = answer.Headers.TryGetValues("X-Error-Code", out var values) ? values.Single() : null;
        return answer.StatusCode == expected.Status && (expected.Code is null || code == expected.Code)
            ? null
            : $"{(int)answer.StatusCode} {code} {(method == HttpMethod.Head ? "" : Shorten(await answer.Content.ReadAsStringAsync()))}";
    }

    private static async Task<string?> FailuresAsync(Caller caller, string resultId, Level level)
    {
        using var answer = await caller.Client.GetAsync($"/api/results/{resultId}/failures");
        if (level == Level.Missing)
        {
            return answer.StatusCode == HttpStatusCode.NotFound ? null : $"{(int)answer.StatusCode}";
        }

        if (answer.StatusCode != HttpStatusCode.OK)
        {
            return $"{(int)answer.StatusCode} {Shorten(await answer.Content.ReadAsStringAsync())}";
        }

        var item = (await answer.JsonAsync()).GetProperty("items").EnumerateArray().Single();
        var redacted = item.TryGetProperty("redacted", out var flag) && flag.GetBoolean();
        var input = item.TryGetProperty("input", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString() : null;
        var hasScore = item.TryGetProperty("score", out var score) && score.ValueKind == JsonValueKind.String && score.GetString() == "I";
        var answerText = item.TryGetProperty("answer", out var given) && given.ValueKind == JsonValueKind.String;
        // Redacted texts are left out, not written as null.
        var textsPresent = new[] { "input", "target", "answer", "explanation" }.Where(name => item.TryGetProperty(name, out _)).ToList();
        return level == Level.Full
            ? (!redacted && input is not null && hasScore ? null : $"texts missing: redacted {redacted}, input {input}, score {hasScore}")
            : (redacted && input is null && !answerText && hasScore && textsPresent.Count == 0 ? null
                : $"texts shown: redacted {redacted}, input {input}, answer {answerText}, score {hasScore}, members {string.Join(",", textsPresent)}");
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200];
}
