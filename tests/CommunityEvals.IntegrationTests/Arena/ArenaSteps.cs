using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;

namespace CommunityEvals.IntegrationTests.Arena;

/// <summary>An arena to vote in: a benchmark, models with verified logs that hold their answers, and how to battle and vote.</summary>
public static class ArenaSteps
{
    public sealed record ArenaScenario(StackFixture.Scenario Scenario, IReadOnlyList<string> Models)
    {
        public string Dataset => Scenario.Dataset;

        public string BattlePath => $"/api/arena/{Dataset}/main/battle";

        public string LeaderboardPath => $"/api/arena/{Dataset}/main/leaderboard";

        public string VotesPath => $"/api/arena/{Dataset}/main/votes";
    }

    /// <summary>
    /// A benchmark with <paramref name="models"/> models of the scenario's org, each with a result of 100
    /// verified by a log of <paramref name="samples"/> samples, every one correct, whose answers
    /// <paramref name="answer"/> writes (model index, sample index).
    /// </summary>
    public static async Task<ArenaScenario> CreateArenaAsync(this StackFixture stack, string prefix, int models, int samples,
        Func<int, int, string>? answer = null, string? arenaSection = null)
    {
        var s = await stack.CreateScenarioAsync(prefix);
        if (arenaSection is not null)
        {
            using var updated = await s.Owner.CommitAsync("dataset", s.Dataset, "main", "eval.yaml", HubCommits.BenchmarkYaml("main", "[0, 100]", true) + arenaSection);
            Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        }

        answer ??= (m, i) => $"Answer {i + 1}, in style {m + 1}: the reply is yes.";
        var names = new List<string> { s.Model };
        for (var m = 1; m < models; m++)
        {
            names.Add(await s.Owner.CreateRepoAsync("model", $"contender-{m}", s.Org));
        }

        for (var m = 0; m < names.Count; m++)
        {
            using var committed = await s.Owner.CommitAsync("model", names[m], "main", ".eval_results/v.yaml", HubCommits.ResultYaml(s.Dataset, "main", "100"));
            Assert.Equal(HttpStatusCode.OK, committed.StatusCode);
            var resultId = await Eventually.GetAsync(async () =>
            {
                using var response = await stack.Anonymous.GetAsync($"/api/models/{names[m]}/eval-results");
                var all = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : default;
                return all.ValueKind == JsonValueKind.Array ? all.EnumerateArray().Select(r => r.GetProString("id")).FirstOrDefault() : null;
            }, $"the result of {names[m]}");
            var index = m;
            var log = InspectLogs.Json(s.Dataset, "main", names[m], [.. Enumerable.Repeat("C", samples)], [.. Enumerable.Range(0, samples).Select(i => answer(index, i))]);
            var verification = await s.Owner.UploadAndSettleAsync(stack.Anonymous, resultId, log);
            Assert.Equal("verified", verification.GetProperty("status").GetString());
        }

        return new ArenaScenario(s, names);
    }

    private static string? GetProString(this JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.GetString() : null;

    /// <summary>A battle for the caller, once the boards list every model (eligibility is read from them).</summary>
    public static async Task<JsonElement> BattleAsync(this HttpClient voter, ArenaScenario arena, string? dimension = null)
    {
        var path = arena.BattlePath + (dimension is null ? "" : $"?dimension={dimension}");
        return await Eventually.ValueAsync(async () =>
        {
            using var response = await voter.GetAsync(path);
            return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<JsonElement>() : (JsonElement?)null;
        }, $"a battle on {arena.Dataset}");
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> VoteAsync(this HttpClient voter, string battleId, string winner)
    {
        using var response = await voter.PostAsJsonAsync($"/api/arena/battles/{Uri.EscapeDataString(battleId)}/vote", new { winner });
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default);
    }

    /// <summary>Votes once the battle is old enough to count (ARENA.md: 2 seconds after it was served).</summary>
    public static async Task<JsonElement> VoteInTimeAsync(this HttpClient voter, JsonElement battle, string winner)
    {
        var wait = battle.GetProperty("expiresAt").GetDateTimeOffset() - TimeSpan.FromHours(1) + TimeSpan.FromSeconds(2.2) - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        var (status, body) = await voter.VoteAsync(battle.GetProperty("battleId").GetString()!, winner);
        Assert.True(status == HttpStatusCode.OK, $"vote: {(int)status} {body}");
        return body;
    }
}
