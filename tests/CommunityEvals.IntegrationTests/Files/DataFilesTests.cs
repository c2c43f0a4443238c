using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;

namespace CommunityEvals.IntegrationTests.Files;

/// <summary>ACCESS.md "Files in repos": data files in dataset repos, and the Hub's file routes, through the gateway.</summary>
[Collection(StackCollection.Name)]
public sealed class DataFilesTests(StackFixture stack)
{
    [Fact]
    public async Task A_data_file_uploaded_through_lfs_is_served_by_resolve_raw_tree_and_paths_info()
    {
        var s = await stack.CreateScenarioAsync("files");
        var bytes = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 2_000).Select(i => $"{{\"question\":\"q{i}\",\"answer\":\"{i}\"}}\n")));
        var sha = DataFileSteps.Sha256Of(bytes);

        // preupload marks data files lfs, and the card and eval.yaml regular.
        using (var preupload = await s.Owner.PostAsJsonAsync($"/api/datasets/{s.Dataset}/preupload/main",
            new { files = new[] { new { path = "data/test.jsonl", size = bytes.Length, sample = "" }, new { path = "README.md", size = 10, sample = "" } } }))
        {
            var modes = (await preupload.JsonAsync()).GetProperty("files").EnumerateArray()
                .ToDictionary(file => file.GetProperty("path").GetString()!, file => file.GetProperty("uploadMode").GetString());
            Assert.Equal("lfs", modes["data/test.jsonl"]);
            Assert.Equal("regular", modes["README.md"]);
        }

        var commit = await s.Owner.AddDataFileAsync(s.Dataset, "data/test.jsonl", bytes);
        // Once stored, the batch asks for nothing more.
        Assert.False((await s.Owner.BatchAsync(s.Dataset, sha, bytes.Length)).TryGetProperty("actions", out _));

        foreach (var action in new[] { "resolve", "raw" })
        {
            using var whole = await stack.Anonymous.GetAsync($"/datasets/{s.Dataset}/{action}/main/data/test.jsonl");
            Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
            Assert.Equal(bytes, await whole.Content.ReadAsByteArrayAsync());
            Assert.Equal($"\"{sha}\"", whole.Headers.ETag?.Tag);
            Assert.Equal(bytes.Length, whole.Content.Headers.ContentLength);
            Assert.Equal(commit, whole.Headers.GetValues("X-Repo-Commit").Single());
        }

        using (var first = new HttpRequestMessage(HttpMethod.Get, $"/datasets/{s.Dataset}/resolve/main/data/test.jsonl"))
        {
            first.Headers.Range = new RangeHeaderValue(0, 0);
            using var answer = await stack.Anonymous.SendAsync(first);
            Assert.Equal(HttpStatusCode.PartialContent, answer.StatusCode);
            Assert.Equal($"bytes 0-0/{bytes.Length}", answer.Content.Headers.ContentRange?.ToString());
            Assert.Equal(bytes[..1], await answer.Content.ReadAsByteArrayAsync());
            Assert.Equal($"\"{sha}\"", answer.Headers.ETag?.Tag);
        }

        using (var middle = new HttpRequestMessage(HttpMethod.Get, $"/datasets/{s.Dataset}/resolve/{commit}/data/test.jsonl"))
        {
            middle.Headers.Range = new RangeHeaderValue(1_000, 1_999);
            using var answer = await stack.Anonymous.SendAsync(middle);
            Assert.Equal(HttpStatusCode.PartialContent, answer.StatusCode);
            Assert.Equal(bytes[1_000..2_000], await answer.Content.ReadAsByteArrayAsync());
        }

        using (var again = new HttpRequestMessage(HttpMethod.Get, $"/datasets/{s.Dataset}/resolve/main/data/test.jsonl"))
        {
            again.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{sha}\""));
            using var answer = await stack.Anonymous.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, answer.StatusCode);
        }

        using (var beyond = new HttpRequestMessage(HttpMethod.Get, $"/datasets/{s.Dataset}/resolve/main/data/test.jsonl"))
        {
            beyond.Headers.Range = new RangeHeaderValue(bytes.Length + 10, bytes.Length + 20);
            using var answer = await stack.Anonymous.SendAsync(beyond);
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, answer.StatusCode);
        }

        using (var head = new HttpRequestMessage(HttpMethod.Head, $"/datasets/{s.Dataset}/resolve/main/data/test.jsonl"))
        {
            using var answer = await stack.Anonymous.SendAsync(head);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal(bytes.Length, answer.Content.Headers.ContentLength);
            Assert.Equal($"\"{sha}\"", answer.Headers.ETag?.Tag);
            Assert.Empty(await answer.Content.ReadAsByteArrayAsync());
        }

        // eval.yaml, from the commit's event, through the same route.
        using (var definition = await stack.Anonymous.GetAsync($"/datasets/{s.Dataset}/resolve/main/eval.yaml"))
        {
            Assert.Equal(HttpStatusCode.OK, definition.StatusCode);
            Assert.Contains("leaderboard:", await definition.Content.ReadAsStringAsync());
        }

        await AssertErrorCodeAsync($"/datasets/{s.Dataset}/resolve/main/data/missing.jsonl", "EntryNotFound");
        await AssertErrorCodeAsync($"/datasets/{s.Dataset}/resolve/not-a-branch/data/test.jsonl", "RevisionNotFound");
        await AssertErrorCodeAsync($"/datasets/{s.Org}/no-such-dataset/resolve/main/data/test.jsonl", "RepoNotFound");

        var root = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/datasets/{s.Dataset}/tree/main");
        Assert.Equal(new[] { "data", "eval.yaml" }, root.EnumerateArray().Select(entry => entry.GetProperty("path").GetString()!).ToArray());
        Assert.Equal("directory", root[0].GetProperty("type").GetString());
        var folder = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/datasets/{s.Dataset}/tree/main/data");
        var file = Assert.Single(folder.EnumerateArray());
        Assert.Equal("data/test.jsonl", file.GetProperty("path").GetString());
        Assert.Equal(sha, file.GetProperty("oid").GetString());
        Assert.Equal(bytes.Length, file.GetProperty("size").GetInt64());
        var recursive = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/datasets/{s.Dataset}/tree/main?recursive=true");
        Assert.Contains(recursive.EnumerateArray(), entry => entry.GetProperty("path").GetString() == "data/test.jsonl");
        var encoded = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/datasets/{s.Dataset}/tree/main/data%2F");
        Assert.Single(encoded.EnumerateArray());

        using var pathsInfo = await stack.Anonymous.PostAsJsonAsync($"/api/datasets/{s.Dataset}/paths-info/main",
            new { paths = new[] { "data/test.jsonl", "eval.yaml", "nothing.txt" } });
        var infos = (await pathsInfo.JsonAsync()).EnumerateArray().ToList();
        Assert.Equal(new[] { "data/test.jsonl", "eval.yaml" }, infos.Select(entry => entry.GetProperty("path").GetString()!).Order().ToArray());
        using var pathsForm = await stack.Anonymous.PostAsync($"/api/datasets/{s.Dataset}/paths-info/main",
            new FormUrlEncodedContent([new("paths", "data/test.jsonl")]));
        Assert.Equal(sha, (await pathsForm.JsonAsync())[0].GetProperty("oid").GetString());
    }

    [Fact]
    public async Task Data_files_in_a_pull_request_and_inline_data_files_are_read_at_their_revision()
    {
        var s = await stack.CreateScenarioAsync("files-pr");
        var stranger = await stack.CreateUserAsync("files-pr-other");
        var bytes = Encoding.UTF8.GetBytes("id,question\n1,two plus two\n");
        var sha = DataFileSteps.Sha256Of(bytes);
        await stranger.Client.UploadAsync(s.Dataset, sha, () => new ByteArrayContent(bytes), bytes.Length, refName: null);
        using var opened = await stranger.Client.CommitUploadedAsync(s.Dataset, "main", [("data/extra.csv", sha, bytes.LongLength)], createPullRequest: true);
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);

        using (var onPr = await stack.Anonymous.GetAsync($"/datasets/{s.Dataset}/resolve/refs%2Fpr%2F1/data/extra.csv"))
        {
            Assert.Equal(HttpStatusCode.OK, onPr.StatusCode);
            Assert.Equal(bytes, await onPr.Content.ReadAsByteArrayAsync());
        }

        await AssertErrorCodeAsync($"/datasets/{s.Dataset}/resolve/main/data/extra.csv", "EntryNotFound");

        // A small data file may also come inline, as a regular file line.
        var inline = Encoding.UTF8.GetBytes("{\"q\":\"inline\"}\n");
        using (var committed = await s.Owner.CommitFilesAsync("dataset", s.Dataset, "main", [("data/inline.jsonl", inline)], []))
        {
            Assert.Equal(HttpStatusCode.OK, committed.StatusCode);
        }

        using var read = await stack.Anonymous.GetAsync($"/datasets/{s.Dataset}/resolve/main/data/inline.jsonl");
        Assert.Equal(inline, await read.Content.ReadAsByteArrayAsync());
        Assert.Equal($"\"{DataFileSteps.Sha256Of(inline)}\"", read.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task Bad_paths_oversized_files_and_bytes_that_do_not_match_are_refused_and_change_nothing()
    {
        var s = await stack.CreateScenarioAsync("files-bad");
        foreach (var path in new[] { "../escape.txt", "data/.git/config", "/rooted.txt" })
        {
            using var refused = await s.Owner.CommitFilesAsync("dataset", s.Dataset, "main", [(path, "x"u8.ToArray())], []);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        }

        // Model repos keep only their listed paths.
        using (var modelData = await s.Owner.CommitFilesAsync("model", s.Model, "main", [("data/test.jsonl", "x"u8.ToArray())], []))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, modelData.StatusCode);
        }

        var tooLarge = await s.Owner.BatchAsync(s.Dataset, new string('a', 64), 64L * 1024 * 1024 + 1);
        Assert.Equal(413, tooLarge.GetProperty("error").GetProperty("code").GetInt32());
        Assert.False(tooLarge.TryGetProperty("actions", out _));

        // Bytes other than the batch was told: refused, nothing stored, and a commit naming them is refused.
        var promised = Encoding.UTF8.GetBytes("the promised bytes");
        var sha = DataFileSteps.Sha256Of(promised);
        var item = await s.Owner.BatchAsync(s.Dataset, sha, promised.Length);
        var href = item.GetProperty("actions").GetProperty("upload").GetProperty("href").GetString()!;
        using (var anonymous = new HttpClient())
        using (var wrong = await anonymous.PutAsync(href, new ByteArrayContent(Encoding.UTF8.GetBytes("other bytes, same size"[..promised.Length]))))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, wrong.StatusCode);
        }

        using (var forged = await new HttpClient().PutAsync(href[..^4] + "AAAA", new ByteArrayContent(promised)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        }

        using var naming = await s.Owner.CommitUploadedAsync(s.Dataset, "main", [("data/test.jsonl", sha, promised.LongLength)]);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, naming.StatusCode);
        Assert.Contains("upload it first", await naming.Content.ReadAsStringAsync());
        await AssertErrorCodeAsync($"/datasets/{s.Dataset}/resolve/main/data/test.jsonl", "EntryNotFound");
    }

    private async Task AssertErrorCodeAsync(string uri, string code)
    {
        using var answer = await stack.Anonymous.GetAsync(uri);
        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Equal(code, answer.Headers.GetValues("X-Error-Code").Single());
    }
}
