using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;

namespace CommunityEvals.IntegrationTests.Files;

/// <summary>Uploads data files the way Hub clients do: preupload, LFS batch, PUT to the href, commit with lfsFile.</summary>
public static class DataFileSteps
{
    public static string Sha256Of(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The LFS batch answer for one object.</summary>
    public static async Task<JsonElement> BatchAsync(this HttpClient client, string dataset, string sha256, long size, string? refName = "main")
    {
        var body = JsonSerializer.Serialize(new
        {
            operation = "upload",
            transfers = new[] { "basic", "multipart" },
            hash_algo = "sha_256",
            @ref = refName is null ? null : new { name = refName },
            objects = new[] { new { oid = sha256, size } },
        });
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.git-lfs+json");
        using var response = await client.PostAsync($"/datasets/{dataset}.git/info/lfs/objects/batch", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"batch answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("objects")[0].Clone();
    }

    /// <summary>Sends the bytes to the href the batch gave (without a token, as clients do); no href means already stored.</summary>
    public static async Task UploadAsync(this HttpClient client, string dataset, string sha256, Func<HttpContent> content, long size, string? refName = "main")
    {
        var item = await client.BatchAsync(dataset, sha256, size, refName);
        if (!item.TryGetProperty("actions", out var actions))
        {
            Assert.False(item.TryGetProperty("error", out var error), $"batch refused the object: {error}");
            return;
        }

        using var anonymous = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        using var body = content();
        using var response = await anonymous.PutAsync(actions.GetProperty("upload").GetProperty("href").GetString(), body);
        Assert.True(response.IsSuccessStatusCode, $"upload answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    public static async Task<HttpResponseMessage> CommitUploadedAsync(
        this HttpClient client, string dataset, string revision, IEnumerable<(string Path, string Sha256, long Size)> files, bool createPullRequest = false)
    {
        var lines = new List<string> { JsonSerializer.Serialize(new { key = "header", value = new { summary = "Add data" } }) };
        lines.AddRange(files.Select(file => JsonSerializer.Serialize(new
        {
            key = "lfsFile",
            value = new { path = file.Path, algo = "sha256", oid = file.Sha256, size = file.Size },
        })));
        using var content = new StringContent(string.Join('\n', lines), Encoding.UTF8, "application/x-ndjson");
        return await client.PostAsync($"/api/datasets/{dataset}/commit/{Uri.EscapeDataString(revision)}{(createPullRequest ? "?create_pr=1" : "")}", content);
    }

    /// <summary>Uploads and commits one data file to main; returns the commit id.</summary>
    public static async Task<string> AddDataFileAsync(this HttpClient owner, string dataset, string path, byte[] bytes)
    {
        var sha = Sha256Of(bytes);
        await owner.UploadAsync(dataset, sha, () => new ByteArrayContent(bytes), bytes.Length);
        using var committed = await owner.CommitUploadedAsync(dataset, "main", [(path, sha, bytes.LongLength)]);
        var answer = await committed.Content.ReadAsStringAsync();
        Assert.True(committed.IsSuccessStatusCode, $"commit answered {(int)committed.StatusCode}: {answer}");
        return JsonDocument.Parse(answer).RootElement.GetProperty("commitOid").GetString()!;
    }

    public static async Task<JsonElement> SettingsAsync(this HttpClient owner, string kind, string repo, object settings)
    {
        using var response = await owner.PutAsJsonAsync($"/api/{kind}s/{repo}/settings", settings);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"settings answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
