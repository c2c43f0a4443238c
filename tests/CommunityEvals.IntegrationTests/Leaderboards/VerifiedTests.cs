using CommunityEvals.IntegrationTests.Infrastructure;
using static CommunityEvals.IntegrationTests.Leaderboards.Boards;

namespace CommunityEvals.IntegrationTests.Leaderboards;

/// <summary>
/// Verification on the boards (API.md, "Ranking" and "Verification"; EVENTS.md causes
/// <c>verified</c> and <c>contradicted</c>): among equal values the verified result represents a
/// model, <c>verified=true</c> keeps verified rows, and both outcomes are announced as changes.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class VerifiedTests(StackFixture stack)
{
    private HttpClient Anonymous => stack.Anonymous;

    [Fact]
    public async Task Verified_results_win_equal_values_pass_the_verified_filter_and_are_announced()
    {
        var s = await stack.CreateScenarioAsync("lbver");
        var contributor = await stack.CreateUserAsync("lbver-c");
        var a = s.Model;
        var b = await s.Owner.CreateRepoAsync("model", "model-b", s.Org);
        await using var broker = await BrokerScoreChanges.StartAsync(stack.BrokerConnectionString, s.Dataset);
        await using var sse = await SseScoreChanges.OpenAsync(stack.Gateway, $"benchmark={Uri.EscapeDataString(s.Dataset)}");
        var steps = new ScoreChangeSteps(stack, s, [broker, sse]);

        await s.Owner.CommitResultAsync(a, s.Dataset, "75", "a.yaml");
        await steps.ExpectAsync("MainCommitted", a, "1 model-7b null->75 #null->#1 author committed");
        await s.Owner.CommitResultAsync(b, s.Dataset, "75", "b.yaml");
        await steps.ExpectAsync("MainCommitted", b, "1 model-b null->75 #null->#1 author committed");
        // An equal community result: the author's still represents a (nothing changes).
        await contributor.Client.OpenPullRequestAsync(a, s.Dataset, "75");
        var board = await UntilAsync(Anonymous, Native(s.Dataset),
            body => NativeRows(body).Zip(body.GetProperty("rows").EnumerateArray(), (row, json) => $"{row} results={json.GetProperty("resultsCount").GetInt32()}"),
            $"1 {a} 75 author results=2", $"1 {b} 75 author results=1");
        var authorResult = RowOf(board, a).GetProperty("resultId").GetString()!;
        var bResult = RowOf(board, b).GetProperty("resultId").GetString()!;
        Assert.Empty((await GetJsonAsync(Anonymous, Native(s.Dataset, "verified=true"))).GetProperty("rows").EnumerateArray());

        // b's result verified by a matching log: same value and rank, the badge changes.
        var status = await s.Owner.UploadEvidenceAsync(Anonymous, bResult, InspectLogs.Json(s.Dataset, "main", b, "C", "C", "C", "I"));
        Assert.Equal("verified", status);
        await steps.ExpectInStreamAsync("EvidenceVerified", $"evidence/{bResult}", "1 model-b 75->75 #1->#1 author verified verified");
        board = await NativeUntilAsync(Anonymous, s.Dataset, $"1 {a} 75 author", $"1 {b} 75 author");
        Assert.True(RowOf(board, b).GetProperty("verified").GetBoolean());
        Assert.False(RowOf(board, a).GetProperty("verified").GetBoolean());
        var verifiedOnly = await GetJsonAsync(Anonymous, Native(s.Dataset, "verified=true"));
        Assert.Equal([$"1 {b} 75 author"], NativeRows(verifiedOnly));
        Assert.Equal(1, verifiedOnly.GetProperty("total").GetInt32());

        // a's community result verified: among equal values the verified one represents a, before the author's.
        var communityResult = await ResultIdAsync(Anonymous, a, r => r.IsOn("refs/pr/1", 75), "a's pull request result");
        status = await contributor.Client.UploadEvidenceAsync(Anonymous, communityResult, InspectLogs.Json(s.Dataset, "main", a, "C", "I", "C", "C"));
        Assert.Equal("verified", status);
        await steps.ExpectInStreamAsync("EvidenceVerified", $"evidence/{communityResult}", "1 model-7b 75->75 #1->#1 community verified verified");
        board = await NativeUntilAsync(Anonymous, s.Dataset, $"1 {a} 75 community", $"1 {b} 75 author");
        var row = RowOf(board, a);
        Assert.True(row.GetProperty("verified").GetBoolean());
        Assert.Equal(communityResult, row.GetProperty("resultId").GetString());
        Assert.NotEqual(authorResult, communityResult);
        Assert.Equal(2, row.GetProperty("resultsCount").GetInt32());
        var hub = await HubUntilAsync(Anonymous, s.Dataset, $"1 {a} 75 pr=1", $"1 {b} 75");
        Assert.True(hub[0].GetProperty("verified").GetBoolean());
        Assert.Equal([$"1 {a} 75 community", $"1 {b} 75 author"], NativeRows(await GetJsonAsync(Anonymous, Native(s.Dataset, "verified=true"))));
        // Without community results a is left with its unverified author result, which verified=true drops.
        Assert.Equal([$"1 {b} 75 author"], NativeRows(await GetJsonAsync(Anonymous, Native(s.Dataset, "verified=true&community=false"))));
        Assert.Equal([$"1 {a} 75 author", $"1 {b} 75 author"], NativeRows(await GetJsonAsync(Anonymous, Native(s.Dataset, "community=false"))));
    }

    [Fact]
    public async Task A_contradicting_log_disputes_the_row_and_is_announced_as_contradicted()
    {
        var s = await stack.CreateScenarioAsync("lbcontra");
        await using var broker = await BrokerScoreChanges.StartAsync(stack.BrokerConnectionString, s.Dataset);
        await using var sse = await SseScoreChanges.OpenAsync(stack.Gateway, $"benchmark={Uri.EscapeDataString(s.Dataset)}");
        var steps = new ScoreChangeSteps(stack, s, [broker, sse]);
        await s.Owner.CommitResultAsync(s.Model, s.Dataset, "90");
        await steps.ExpectAsync("MainCommitted", s.Model, "1 model-7b null->90 #null->#1 author committed");
        var board = await NativeUntilAsync(Anonymous, s.Dataset, $"1 {s.Model} 90 author");
        var resultId = RowOf(board, s.Model).GetProperty("resultId").GetString()!;
        Assert.False(RowOf(board, s.Model).GetProperty("disputed").GetBoolean());

        // A valid, complete log of this model and task that scores 50, not 90.
        var status = await s.Owner.UploadEvidenceAsync(Anonymous, resultId, InspectLogs.Json(s.Dataset, "main", s.Model, "C", "I"));

        Assert.Equal("contradicted", status);
        await Eventually.ValueAsync(async () =>
            RowOf(await GetJsonAsync(Anonymous, Native(s.Dataset)), s.Model).GetProperty("disputed").GetBoolean() ? (bool?)true : null,
            "the row to be disputed");
        board = await GetJsonAsync(Anonymous, Native(s.Dataset));
        Assert.Equal([$"1 {s.Model} 90 author"], NativeRows(board));
        Assert.False(RowOf(board, s.Model).GetProperty("verified").GetBoolean());
        // EVENTS.md lists 'contradicted' among the causes: the row's disputed badge changed.
        await steps.ExpectInStreamAsync("EvidenceContradicted", $"evidence/{resultId}", "1 model-7b 90->90 #1->#1 author contradicted");
    }
}
