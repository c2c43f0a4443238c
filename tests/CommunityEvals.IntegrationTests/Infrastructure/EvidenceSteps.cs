using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CommunityEvals.IntegrationTests.Infrastructure;

/// <summary>Committing a result and settling evidence for it, as the verification tests do again and again.</summary>
public static class EvidenceSteps
{
    /// <summary>Commits one result to <paramref name="path"/> on main and returns its id once the model page shows it.</summary>
    public static async Task<string> CommitResultAsync(this StackFixture stack, StackFixture.Scenario s, string value, string path = ".eval_results/v.yaml")
    {
        using var committed = await s.Owner.CommitAsync("model", s.Model, "main", path, HubCommits.ResultYaml(s.Dataset, "main", value));
        Assert.Equal(HttpStatusCode.OK, committed.StatusCode);
        var result = await Eventually.ValueAsync(async () =>
        {
            using var response = await stack.Anonymous.GetAsync($"/api/models/{s.Model}/eval-results");
            var all = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : default;
            return all.ValueKind == JsonValueKind.Array
                ? all.EnumerateArray().Where(r => r.GetProperty("filename").GetString() == path).Select(r => (JsonElement?)r).FirstOrDefault()
                : null;
        }, "the committed result");
        return result.GetProperty("id").GetString()!;
    }

    /// <summary>Uploads a log and waits until verification has settled it (and every earlier piece); returns the result's verification.</summary>
    public static async Task<JsonElement> UploadAndSettleAsync(this HttpClient uploader, HttpClient reader, string resultId, byte[] log)
    {
        var before = await EvidenceCountAsync(reader, resultId);
        using var uploaded = await UploadAsync(uploader, resultId, log);
        Assert.True(uploaded.StatusCode == HttpStatusCode.Accepted, $"uploading evidence for {resultId}: {(int)uploaded.StatusCode} {await uploaded.Content.ReadAsStringAsync()}");
        Assert.Equal("pending", (await uploaded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        return await SettledAsync(reader, resultId, before + 1);
    }

    /// <summary>The result's verification once it holds <paramref name="expectedEvidence"/> pieces of evidence, none pending.</summary>
    /// <param name="timeout">Verification takes one log at a time: allow for many.</param>
    public static Task<JsonElement> SettledAsync(HttpClient reader, string resultId, int expectedEvidence, TimeSpan? timeout = null) =>
        Eventually.ValueAsync(async () =>
        {
            var verification = await reader.GetFromJsonAsync<JsonElement>($"/api/results/{resultId}/verification");
            var evidence = verification.GetProperty("evidence").EnumerateArray().ToList();
            return evidence.Count == expectedEvidence && evidence.All(e => e.GetProperty("status").GetString() != "pending") ? verification : (JsonElement?)null;
        }, $"the evidence for {resultId} to settle", timeout ?? TimeSpan.FromSeconds(30));

    public static Task<HttpResponseMessage> UploadAsync(HttpClient uploader, string resultId, byte[] log)
    {
        var content = new ByteArrayContent(log);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        return uploader.PostAsync($"/api/results/{resultId}/evidence", content);
    }

    private static async Task<int> EvidenceCountAsync(HttpClient reader, string resultId)
    {
        using var response = await reader.GetAsync($"/api/results/{resultId}/verification");
        return response.IsSuccessStatusCode
            ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("evidence").GetArrayLength()
            : 0;
    }
}
