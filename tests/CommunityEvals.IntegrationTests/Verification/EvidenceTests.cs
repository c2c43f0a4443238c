using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;

namespace CommunityEvals.IntegrationTests.Verification;

/// <summary>Evidence uploaded through the gateway is verified by the verification service, asynchronously.</summary>
[Collection(StackCollection.Name)]
public sealed class EvidenceTests(StackFixture stack)
{
    [Fact]
    public async Task A_matching_log_verifies_the_result_signs_a_token_and_publishes_its_failures()
    {
        var s = await stack.CreateScenarioAsync("verify");
        var resultId = await stack.CommitResultAsync(s, "75");

        var verification = await s.Owner.UploadAndSettleAsync(stack.Anonymous, resultId, InspectLogs.Json(s.Dataset, "main", s.Model, ["C", "C", "C", "I"]));

        Assert.Equal("verified", verification.GetProperty("status").GetString());
        var evidence = Assert.Single(verification.GetProperty("evidence").EnumerateArray());
        Assert.All(evidence.GetProperty("checks").EnumerateArray(), check => Assert.True(check.GetProperty("ok").GetBoolean(), check.ToString()));
        Assert.Equal(0.75, evidence.GetProperty("recomputed").GetProperty("value").GetDouble(), 9);
        Assert.Equal(4, evidence.GetProperty("recomputed").GetProperty("samples").GetInt32());
        var token = verification.GetProperty("verifyToken").GetString()!;
        Assert.Equal(3, token.Split('.').Length);
        var jwks = await stack.Anonymous.GetFromJsonAsync<JsonElement>("/.well-known/jwks.json");
        Assert.NotEmpty(jwks.GetProperty("keys").EnumerateArray());

        var failures = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/results/{resultId}/failures");
        Assert.Equal(1, failures.GetProperty("total").GetInt32());
        var failure = Assert.Single(failures.GetProperty("items").EnumerateArray());
        Assert.Equal("s4", failure.GetProperty("sampleId").GetString());
        using var comment = await s.Owner.PostAsJsonAsync($"/api/results/{resultId}/failures/s4/comments", new { comment = "the target looks wrong" });
        Assert.Equal(HttpStatusCode.OK, comment.StatusCode);

        // The badge reaches the model page and the board.
        await Eventually.ValueAsync(async () =>
        {
            var results = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/models/{s.Model}/eval-results");
            var board = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/leaderboards/{s.Dataset}/main");
            return results[0].GetProperty("verified").GetBoolean() && board.GetProperty("rows")[0].GetProperty("verified").GetBoolean()
                ? (bool?)true : null;
        }, "the verified badge on the model page and the board");
    }

    [Fact]
    public async Task A_signed_token_verifies_an_item_at_commit_and_a_tampered_one_only_warns()
    {
        var s = await stack.CreateScenarioAsync("token");
        var resultId = await stack.CommitResultAsync(s, "75");
        var verification = await s.Owner.UploadAndSettleAsync(stack.Anonymous, resultId, InspectLogs.Json(s.Dataset, "main", s.Model, ["C", "C", "C", "I"]));
        var token = verification.GetProperty("verifyToken").GetString()!;
        var tampered = token[..^4] + (token[^4..] == "AAAA" ? "BBBB" : "AAAA");
        string Item(string value, string verifyToken) =>
            HubCommits.ResultYaml(s.Dataset, "main", value) + $"  verifyToken: {verifyToken}\n";

        using var good = await s.Owner.CommitAsync("model", s.Model, "main", ".eval_results/signed.yaml", Item("75", token));
        using var bad = await s.Owner.CommitAsync("model", s.Model, "main", ".eval_results/tampered.yaml", Item("75", tampered));
        using var otherValue = await s.Owner.CommitAsync("model", s.Model, "main", ".eval_results/other.yaml", Item("76", token));

        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.False((await good.JsonAsync()).TryGetProperty("warnings", out var none) && none.ValueKind == JsonValueKind.Array && none.GetArrayLength() > 0);
        Assert.Contains("verifyToken", (await bad.JsonAsync()).GetProperty("warnings")[0].GetString());
        Assert.Contains("value", (await otherValue.JsonAsync()).GetProperty("warnings")[0].GetString());
        var results = await Eventually.ValueAsync(async () =>
        {
            var all = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/models/{s.Model}/eval-results");
            return all.GetArrayLength() == 4 ? all : (JsonElement?)null;
        }, "the four results");
        bool Verified(string file) => results.EnumerateArray().Single(r => r.GetProperty("filename").GetString() == file).GetProperty("verified").GetBoolean();
        Assert.True(Verified(".eval_results/signed.yaml"));
        Assert.False(Verified(".eval_results/tampered.yaml"));
        Assert.False(Verified(".eval_results/other.yaml"));
    }

    [Fact]
    public async Task A_valid_log_that_disagrees_contradicts_and_junk_is_rejected_without_changing_the_result()
    {
        var s = await stack.CreateScenarioAsync("contra");
        var resultId = await stack.CommitResultAsync(s, "90");

        var junk = await s.Owner.UploadAndSettleAsync(stack.Anonymous, resultId, Encoding.UTF8.GetBytes("this is not an Inspect log"));
        Assert.Equal("rejected", junk.GetProperty("status").GetString());
        Assert.Contains(junk.GetProperty("evidence")[0].GetProperty("checks").EnumerateArray(),
            check => check.GetProperty("name").GetString() == "readable" && !check.GetProperty("ok").GetBoolean());

        var otherModel = await s.Owner.UploadAndSettleAsync(stack.Anonymous, resultId, InspectLogs.Json(s.Dataset, "main", $"{s.Org}/someone-else", ["C", "I"]));
        Assert.Equal("rejected", otherModel.GetProperty("status").GetString());

        var disagreeing = await s.Owner.UploadAndSettleAsync(stack.Anonymous, resultId, InspectLogs.Json(s.Dataset, "main", s.Model, ["C", "I"]));
        Assert.Equal("contradicted", disagreeing.GetProperty("status").GetString());
        var value = disagreeing.GetProperty("evidence").EnumerateArray().Single(e => e.GetProperty("status").GetString() == "contradicted")
            .GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "value");
        Assert.False(value.GetProperty("ok").GetBoolean());

        await Eventually.ValueAsync(async () =>
        {
            var results = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/models/{s.Model}/eval-results");
            var board = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/leaderboards/{s.Dataset}/main");
            return results[0].GetProperty("disputed").GetBoolean() && !results[0].GetProperty("verified").GetBoolean()
                && board.GetProperty("rows")[0].GetProperty("disputed").GetBoolean() ? (bool?)true : null;
        }, "the disputed flag on the model page and the board");
    }

    [Fact]
    public async Task Evidence_for_an_unknown_result_is_404_and_anonymous_uploads_401()
    {
        using var unknown = await stack.Admin.PostAsync("/api/results/0000000000000000/evidence", new ByteArrayContent([1, 2, 3]));
        using var anonymous = await stack.Anonymous.PostAsync("/api/results/0000000000000000/evidence", new ByteArrayContent([1, 2, 3]));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
