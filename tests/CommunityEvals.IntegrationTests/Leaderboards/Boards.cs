using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;

namespace CommunityEvals.IntegrationTests.Leaderboards;

/// <summary>Reads boards and drives the writes that change them, for the leaderboard scenarios.</summary>
internal static class Boards
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static string Native(string dataset, string query = "", string task = "main") =>
        $"/api/leaderboards/{dataset}/{task}{(query.Length == 0 ? "" : "?" + query)}";

    public static string Hub(string dataset, string query = "") =>
        $"/api/datasets/{dataset}/leaderboard{(query.Length == 0 ? "" : "?" + query)}";

    public static string Number(this JsonElement element) => element.GetDouble().ToString(CultureInfo.InvariantCulture);

    /// <summary>A native row as <c>rank model value origin</c>.</summary>
    public static string Row(JsonElement row) =>
        $"{row.GetProperty("rank").GetInt32()} {row.GetProperty("modelId").GetString()} {row.GetProperty("value").Number()} {row.GetProperty("origin").GetString()}";

    /// <summary>A Hub row as <c>rank model value</c>, then <c>pr=N</c> when it comes from a pull request.</summary>
    public static string HubRow(JsonElement row) =>
        $"{row.GetProperty("rank").GetInt32()} {row.GetProperty("modelId").GetString()} {row.GetProperty("value").Number()}"
        + (row.TryGetProperty("pullRequest", out var pr) && pr.ValueKind != JsonValueKind.Null ? $" pr={pr.GetInt32()}" : "");

    public static IEnumerable<string> NativeRows(JsonElement board) => board.GetProperty("rows").EnumerateArray().Select(Row);

    public static IEnumerable<string> HubRows(JsonElement board) => board.EnumerateArray().Select(HubRow);

    /// <summary>
    /// Polls <paramref name="uri"/> until its summary is <paramref name="expected"/> (reads are eventually
    /// consistent); on timeout fails showing the last answer.
    /// </summary>
    public static async Task<JsonElement> UntilAsync(HttpClient client, string uri, Func<JsonElement, IEnumerable<string>> summarize, params string[] expected)
    {
        var deadline = DateTime.UtcNow + Timeout;
        string last = "(no answer)";
        string[] lastSummary = [];
        while (true)
        {
            using (var response = await client.GetAsync(uri))
            {
                var text = await response.Content.ReadAsStringAsync();
                last = $"{(int)response.StatusCode} {text}";
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var body = JsonDocument.Parse(text).RootElement.Clone();
                    lastSummary = summarize(body).ToArray();
                    if (lastSummary.SequenceEqual(expected))
                    {
                        return body;
                    }
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"GET {uri} never became\n  {string.Join("\n  ", expected)}\nlast summary:\n  {string.Join("\n  ", lastSummary)}\nlast answer: {last}");
            }

            await Task.Delay(100);
        }
    }

    public static Task<JsonElement> NativeUntilAsync(HttpClient client, string dataset, params string[] expected) =>
        UntilAsync(client, Native(dataset), NativeRows, expected);

    public static Task<JsonElement> HubUntilAsync(HttpClient client, string dataset, params string[] expected) =>
        UntilAsync(client, Hub(dataset), HubRows, expected);

    public static async Task<JsonElement> GetJsonAsync(HttpClient client, string uri)
    {
        using var response = await client.GetAsync(uri);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {uri} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The row of one model on a native board.</summary>
    public static JsonElement RowOf(JsonElement board, string model) =>
        board.GetProperty("rows").EnumerateArray().Single(row => row.GetProperty("modelId").GetString() == model);

    /// <summary>Commits one result file (to <c>main</c>, or as a new pull request) and returns the answer; fails on anything but 200.</summary>
    public static async Task<JsonElement> CommitResultAsync(
        this HttpClient client, string model, string dataset, string value, string file = "results.yaml", string? notes = null, bool pullRequest = false, string task = "main")
    {
        using var response = await client.CommitAsync("model", model, "main", $".eval_results/{file}", HubCommits.ResultYaml(dataset, task, value, notes), pullRequest);
        return await SucceededAsync(response, $"committing {value} to {model}{(pullRequest ? " as a pull request" : "")}");
    }

    /// <summary>Opens a pull request with one result; returns its number.</summary>
    public static async Task<int> OpenPullRequestAsync(this HttpClient client, string model, string dataset, string value, string file = "community.yaml", string? notes = null)
    {
        var answer = await client.CommitResultAsync(model, dataset, value, file, notes, pullRequest: true);
        var url = answer.GetProperty("pullRequestUrl").GetString()!;
        return int.Parse(url[(url.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
    }

    public static async Task SetPullRequestStatusAsync(this HttpClient client, string model, int number, string status)
    {
        using var response = await client.PostAsJsonAsync($"/api/models/{model}/discussions/{number}/status", new { status });
        await SucceededAsync(response, $"setting pull request {number} of {model} {status}", json: false);
    }

    public static async Task MergeAsync(this HttpClient client, string model, int number)
    {
        using var response = await client.PostAsJsonAsync($"/api/models/{model}/discussions/{number}/merge", new { });
        await SucceededAsync(response, $"merging pull request {number} of {model}", json: false);
    }

    public static async Task HideAsync(this HttpClient client, string resultId, string reason = "wrong split")
    {
        using var response = await client.PostAsJsonAsync($"/api/results/{resultId}/hide", new { reason });
        await SucceededAsync(response, $"hiding {resultId}", json: false);
    }

    public static async Task UnhideAsync(this HttpClient client, string resultId)
    {
        using var response = await client.PostAsync($"/api/results/{resultId}/unhide", null);
        await SucceededAsync(response, $"unhiding {resultId}", json: false);
    }

    /// <summary>Adds a <c>README.md</c> whose front matter declares a <c>base_model</c>: the model becomes a fine-tune.</summary>
    public static async Task DeclareFineTuneAsync(this HttpClient client, string model, string baseModel)
    {
        using var response = await client.CommitAsync("model", model, "main", "README.md", $"---\nbase_model: {baseModel}\n---\n# A fine-tune\n");
        await SucceededAsync(response, $"committing the card of {model}");
    }

    /// <summary>The id of a model's result (hidden ones included) that <paramref name="match"/> picks, once the read side has it.</summary>
    public static async Task<string> ResultIdAsync(HttpClient client, string model, Func<JsonElement, bool> match, string what)
    {
        var found = await Eventually.ValueAsync(async () =>
        {
            using var response = await client.GetAsync($"/api/models/{model}/eval-results?include_hidden=true");
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            var all = await response.Content.ReadFromJsonAsync<JsonElement>();
            return all.EnumerateArray().Where(match).Select(r => (JsonElement?)r).FirstOrDefault();
        }, what);
        return found.GetProperty("id").GetString()!;
    }

    /// <summary>Uploads a log as evidence for a result and waits until the verification service settled it; returns its status.</summary>
    public static async Task<string> UploadEvidenceAsync(this HttpClient client, HttpClient reader, string resultId, byte[] log) =>
        (await client.UploadAndSettleAsync(reader, resultId, log)).GetProperty("status").GetString()!;

    public static bool IsOn(this JsonElement result, string refName, double value) =>
        result.GetProperty("ref").GetString() == refName && result.GetProperty("data").GetProperty("value").GetDouble() == value;

    private static async Task<JsonElement> SucceededAsync(HttpResponseMessage response, string what, bool json = true)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{what} answered {(int)response.StatusCode}: {text}");
        return json && text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default;
    }
}
