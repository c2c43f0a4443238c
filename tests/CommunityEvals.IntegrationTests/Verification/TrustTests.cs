using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;
using CommunityEvals.IntegrationTests.Leaderboards;

namespace CommunityEvals.IntegrationTests.Verification;

/// <summary>
/// A result shows verified only while some evidence proves the value it has now, and every view
/// (the board, eval-results, the Hub's model info, the result by id, the verification route and
/// the score changes) tells the same.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class TrustTests(StackFixture stack)
{
    private static readonly string[] ThreeOfFour = ["C", "C", "C", "I"];

    [Fact]
    public async Task A_recommitted_value_is_judged_again_in_every_view()
    {
        var s = await stack.CreateScenarioAsync("rejudge");
        var resultId = await stack.CommitResultAsync(s, "75");
        Assert.Equal("verified", (await s.Owner.UploadAndSettleAsync(stack.Anonymous, resultId, InspectLogs.Json(s.Dataset, "main", s.Model, ThreeOfFour))).GetProperty("status").GetString());
        await ViewsAgreeAsync(s, resultId, "verified", verified: true, disputed: false);
        await using var sse = await SseScoreChanges.OpenAsync(stack.Gateway, $"benchmark={Uri.EscapeDataString(s.Dataset)}");

        await s.Owner.CommitResultAsync(s.Model, s.Dataset, "50", "v.yaml");

        await ViewsAgreeAsync(s, resultId, "contradicted", verified: false, disputed: true);
        var verification = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/results/{resultId}/verification");
        Assert.Equal(JsonValueKind.Null, verification.GetProperty("verifyToken").ValueKind);
        var committed = (await sse.WaitForCountAsync(1, what: "the re-commit's score change")).First(c => c.Cause == "committed");
        Assert.Equal(50, committed.Value);
        Assert.False(committed.Verified);

        await s.Owner.CommitResultAsync(s.Model, s.Dataset, "75.0", "v.yaml");

        await ViewsAgreeAsync(s, resultId, "verified", verified: true, disputed: false);
        var token = (await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/results/{resultId}/verification")).GetProperty("verifyToken").GetString()!;
        var claims = JsonDocument.Parse(Base64Url(token.Split('.')[1])).RootElement;
        Assert.Equal("75.0", claims.GetProperty("value").ToString());
    }

    [Fact]
    public async Task A_token_binds_its_value_and_a_changed_value_is_no_longer_token_verified()
    {
        var s = await stack.CreateScenarioAsync("tokenbind");
        var resultId = await stack.CommitResultAsync(s, "75");
        var token = (await s.Owner.UploadAndSettleAsync(stack.Anonymous, resultId, InspectLogs.Json(s.Dataset, "main", s.Model, ThreeOfFour))).GetProperty("verifyToken").GetString()!;
        using (var signed = await s.Owner.CommitAsync("model", s.Model, "main", ".eval_results/signed.yaml", HubCommits.ResultYaml(s.Dataset, "main", "75") + $"  verifyToken: {token}\n"))
        {
            Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        }

        var signedId = await Boards.ResultIdAsync(stack.Anonymous, s.Model, r => r.GetProperty("filename").GetString() == ".eval_results/signed.yaml", "the signed result");
        // A token is verification's own signature on this value: it counts as verified. (The board
        // shows the model's other result of 75, verified by evidence: the tie goes to the earlier.)
        await ViewsAgreeAsync(s, signedId, "verified", verified: true, disputed: false, onBoard: false);

        using (var changed = await s.Owner.CommitAsync("model", s.Model, "main", ".eval_results/signed.yaml", HubCommits.ResultYaml(s.Dataset, "main", "76") + $"  verifyToken: {token}\n"))
        {
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
            Assert.Contains("value", (await changed.JsonAsync()).GetProperty("warnings")[0].GetString());
        }

        await ViewsAgreeAsync(s, signedId, "none", verified: false, disputed: false, onBoard: false);
    }

    [Fact]
    public async Task A_merged_pull_request_carries_its_evidence_to_the_main_result()
    {
        var s = await stack.CreateScenarioAsync("carry");
        var contributor = await stack.CreateUserAsync("carrier");
        var number = await contributor.Client.OpenPullRequestAsync(s.Model, s.Dataset, "75", "community.yaml");
        var proposedId = await Boards.ResultIdAsync(stack.Anonymous, s.Model, r => r.GetProperty("pullRequest").ValueKind == JsonValueKind.Number, "the proposed result");
        Assert.Equal("verified", await contributor.Client.UploadEvidenceAsync(stack.Anonymous, proposedId, InspectLogs.Json(s.Dataset, "main", s.Model, ThreeOfFour)));

        await s.Owner.MergeAsync(s.Model, number);

        var mainId = await Boards.ResultIdAsync(stack.Anonymous, s.Model, r => r.GetProperty("ref").GetString() == "main", "the merged result on main");
        Assert.NotEqual(proposedId, mainId);
        await ViewsAgreeAsync(s, mainId, "verified", verified: true, disputed: false);
        var carried = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/results/{mainId}/verification");
        Assert.NotEqual(JsonValueKind.Null, carried.GetProperty("verifyToken").ValueKind);
        var failures = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/results/{mainId}/failures");
        Assert.Equal(1, failures.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task The_result_route_reports_each_status_as_eval_results_and_the_board_do()
    {
        var s = await stack.CreateScenarioAsync("statuses");
        var none = await stack.CommitResultAsync(s, "75", ".eval_results/none.yaml");
        await ViewsAgreeAsync(s, none, "none", verified: false, disputed: false, onBoard: false);

        var rejected = await stack.CommitResultAsync(s, "75", ".eval_results/rejected.yaml");
        await s.Owner.UploadAndSettleAsync(stack.Anonymous, rejected, Encoding.UTF8.GetBytes("not a log"));
        await ViewsAgreeAsync(s, rejected, "rejected", verified: false, disputed: false, onBoard: false);

        var contradicted = await stack.CommitResultAsync(s, "75", ".eval_results/contradicted.yaml");
        await s.Owner.UploadAndSettleAsync(stack.Anonymous, contradicted, InspectLogs.Json(s.Dataset, "main", s.Model, ["C", "I"]));
        await ViewsAgreeAsync(s, contradicted, "contradicted", verified: false, disputed: true, onBoard: false);

        // A log of 60,000 samples takes verification a few seconds: long enough to see it pending.
        var pending = await stack.CommitResultAsync(s, "75", ".eval_results/pending.yaml");
        var big = InspectLogs.Json(s.Dataset, "main", s.Model, Enumerable.Range(0, 60_000).Select(i => i % 4 == 3 ? "I" : "C").ToArray());
        using (var uploaded = await EvidenceSteps.UploadAsync(s.Owner, pending, big))
        {
            Assert.Equal(HttpStatusCode.Accepted, uploaded.StatusCode);
        }

        var seenPending = false;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var (byId, inList) = (await ResultViewAsync(pending), await EvalResultAsync(s, pending));
            if (Status(byId) == "pending" && Status(inList) == "pending")
            {
                seenPending = true;
                Assert.False(byId.GetProperty("verified").GetBoolean());
                Assert.False(inList.GetProperty("verified").GetBoolean());
                break;
            }

            if (Status(byId) == "verified")
            {
                break;
            }

            await Task.Delay(50);
        }

        Assert.True(seenPending, "the result by id and eval-results never both said pending while the log was verified");
        await EvidenceSteps.SettledAsync(stack.Anonymous, pending, 1);
        await ViewsAgreeAsync(s, pending, "verified", verified: true, disputed: false, onBoard: false);
    }

    [Fact]
    public async Task History_holds_every_event_that_touched_the_result_with_actor_and_time()
    {
        var s = await stack.CreateScenarioAsync("history");
        var contributor = await stack.CreateUserAsync("historian");
        var number = await contributor.Client.OpenPullRequestAsync(s.Model, s.Dataset, "75", "community.yaml");
        var resultId = await Boards.ResultIdAsync(stack.Anonymous, s.Model, r => r.GetProperty("pullRequest").ValueKind == JsonValueKind.Number, "the proposed result");
        await contributor.Client.UploadEvidenceAsync(stack.Anonymous, resultId, Encoding.UTF8.GetBytes("not a log"));
        await contributor.Client.UploadEvidenceAsync(stack.Anonymous, resultId, InspectLogs.Json(s.Dataset, "main", s.Model, ["C", "I"]));
        await contributor.Client.UploadEvidenceAsync(stack.Anonymous, resultId, InspectLogs.Json(s.Dataset, "main", s.Model, ThreeOfFour));
        using (var comment = await s.Owner.PostAsJsonAsync($"/api/results/{resultId}/failures/s4/comments", new { comment = "the target looks wrong" }))
        {
            Assert.Equal(HttpStatusCode.OK, comment.StatusCode);
        }

        await s.Owner.HideAsync(resultId, "wrong split");
        await s.Owner.SetPullRequestStatusAsync(s.Model, number, "closed");

        string[] expected =
        [
            "PullRequestOpened", "EvidenceSubmitted", "EvidenceRejected", "EvidenceSubmitted", "EvidenceContradicted",
            "EvidenceSubmitted", "EvidenceVerified", "FailureCommented", "ResultHidden", "PullRequestClosed",
        ];
        var history = await Eventually.ValueAsync(async () =>
        {
            var entries = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/results/{resultId}/history");
            return entries.EnumerateArray().Select(e => e.GetProperty("type").GetString()).SequenceEqual(expected) ? entries : (JsonElement?)null;
        }, "the whole history");

        Assert.All(history.EnumerateArray(), entry =>
        {
            Assert.False(string.IsNullOrEmpty(entry.GetProperty("actor").GetString()), entry.ToString());
            Assert.True(entry.GetProperty("occurredAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-10), entry.ToString());
        });
        var actors = history.EnumerateArray().Select(e => (e.GetProperty("type").GetString(), e.GetProperty("actor").GetString())).ToList();
        Assert.Contains(("EvidenceSubmitted", contributor.Name), actors);
        Assert.Contains(("EvidenceVerified", "verification"), actors);
        Assert.Contains(("FailureCommented", s.OwnerName), actors);
        var commented = history.EnumerateArray().Single(e => e.GetProperty("type").GetString() == "FailureCommented");
        Assert.Equal("the target looks wrong", commented.GetProperty("data").GetProperty("comment").GetString());
    }

    [Fact]
    public async Task Failures_carry_their_comments()
    {
        var s = await stack.CreateScenarioAsync("comments");
        var resultId = await stack.CommitResultAsync(s, "75");
        await s.Owner.UploadAndSettleAsync(stack.Anonymous, resultId, InspectLogs.Json(s.Dataset, "main", s.Model, ThreeOfFour));
        var commenter = await stack.CreateUserAsync("commenter");
        using (var first = await commenter.Client.PostAsJsonAsync($"/api/results/{resultId}/failures/s4/comments", new { comment = "the target looks wrong" }))
        using (var second = await s.Owner.PostAsJsonAsync($"/api/results/{resultId}/failures/s4/comments", new { comment = "agreed, fixing the dataset" }))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        var failure = Assert.Single((await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/results/{resultId}/failures")).GetProperty("items").EnumerateArray());
        var comments = failure.GetProperty("comments").EnumerateArray().ToList();
        Assert.Equal([commenter.Name, s.OwnerName], comments.Select(c => c.GetProperty("author").GetString()));
        Assert.Equal(["the target looks wrong", "agreed, fixing the dataset"], comments.Select(c => c.GetProperty("comment").GetString()));
        Assert.All(comments, c => Assert.True(c.GetProperty("createdAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-10)));
    }

    [Fact]
    public async Task Stderr_on_the_board_is_in_the_board_scale()
    {
        var s = await stack.CreateScenarioAsync("stderr");
        var resultId = await stack.CommitResultAsync(s, "75");
        var verification = await s.Owner.UploadAndSettleAsync(stack.Anonymous, resultId, InspectLogs.Json(s.Dataset, "main", s.Model, ThreeOfFour));
        var fraction = verification.GetProperty("evidence")[0].GetProperty("recomputed").GetProperty("stderr").GetDouble();
        Assert.True(fraction is > 0 and < 1, $"recomputed stderr {fraction}");

        var row = await Eventually.ValueAsync(async () =>
        {
            var board = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/leaderboards/{s.Dataset}/main");
            var first = board.GetProperty("rows").EnumerateArray().FirstOrDefault();
            return first.ValueKind == JsonValueKind.Object && first.TryGetProperty("stderr", out _) ? first : (JsonElement?)null;
        }, "the board's stderr");
        Assert.Equal(100 * fraction, row.GetProperty("stderr").GetDouble(), 9);
    }

    /// <summary>Every view of one result, until they all say the same and what is expected.</summary>
    private async Task ViewsAgreeAsync(StackFixture.Scenario s, string resultId, string status, bool verified, bool disputed, bool onBoard = true)
    {
        string last = "";
        try
        {
            await Eventually.ValueAsync(async () =>
            {
                var byId = await ResultViewAsync(resultId);
                var inList = await EvalResultAsync(s, resultId);
                var hub = (await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/models/{s.Model}?expand=evalResults")).GetProperty("evalResults")
                    .EnumerateArray().Single(r => r.GetProperty("filename").GetString() == inList.GetProperty("filename").GetString()
                        && (r.TryGetProperty("pullRequest", out var n) ? n.GetInt32() : (int?)null) == (inList.GetProperty("pullRequest").ValueKind == JsonValueKind.Number ? inList.GetProperty("pullRequest").GetInt32() : null));
                var row = onBoard
                    ? (await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/leaderboards/{s.Dataset}/main")).GetProperty("rows").EnumerateArray()
                        .FirstOrDefault(r => r.GetProperty("resultId").GetString() == resultId)
                    : default;
                last = $"by id {byId}\neval-results {inList}\nhub {hub}\nboard row {row}";
                var agree = Status(byId) == status && Status(inList) == status
                    && byId.GetProperty("verified").GetBoolean() == verified && inList.GetProperty("verified").GetBoolean() == verified && hub.GetProperty("verified").GetBoolean() == verified
                    && byId.GetProperty("disputed").GetBoolean() == disputed && inList.GetProperty("disputed").GetBoolean() == disputed
                    && (!onBoard || (row.ValueKind == JsonValueKind.Object && row.GetProperty("verified").GetBoolean() == verified && row.GetProperty("disputed").GetBoolean() == disputed));
                return agree ? true : (bool?)null;
            }, $"every view of {resultId} to say {status}, verified {verified}, disputed {disputed}", TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"the views of {resultId} did not agree on {status}/{verified}/{disputed}:\n{last}");
        }
    }

    private Task<JsonElement> ResultViewAsync(string resultId) => stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/results/{resultId}");

    private async Task<JsonElement> EvalResultAsync(StackFixture.Scenario s, string resultId) =>
        (await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/models/{s.Model}/eval-results")).EnumerateArray()
            .Single(r => r.GetProperty("id").GetString() == resultId);

    private static string? Status(JsonElement view) => view.GetProperty("verification").GetProperty("status").GetString();

    private static string Base64Url(string text) =>
        Encoding.UTF8.GetString(Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/').PadRight(text.Length + (4 - text.Length % 4) % 4, '=')));
}
