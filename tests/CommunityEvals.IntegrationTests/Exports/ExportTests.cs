using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;
using DuckDB.NET.Data;

namespace CommunityEvals.IntegrationTests.Exports;

/// <summary>
/// Issue 19's exports through the gateway, read back by a second reader: DuckDB (its own C++ CSV and
/// Parquet readers, not the libraries that wrote them), compared with the JSON board and the feed.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ExportTests(StackFixture stack)
{
    [Fact]
    public async Task A_board_exports_as_csv_json_and_parquet_with_every_column_of_the_json_board()
    {
        var s = await stack.CreateScenarioAsync("export");
        var rival = await s.Owner.CreateRepoAsync("model", "rival-7b", s.Org);
        var source = $"""
            - dataset:
                id: {s.Dataset}
                task_id: main
              value: 71.5
              notes: "=HYPERLINK(\"http://evil\")"
              source:
                name: Model card
                url: https://example.org/card
            """;
        using (var first = await s.Owner.CommitAsync("model", s.Model, "main", ".eval_results/a.yaml", source))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var community = await stack.CreateUserAsync("export-community");
        using (var second = await community.Client.CommitAsync("model", rival, "main", ".eval_results/b.yaml", HubCommits.ResultYaml(s.Dataset, "main", "80.25"), createPullRequest: true))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        var board = await Eventually.ValueAsync(async () =>
        {
            // The board is a projection of the commits: a moment behind them, 404 until the first is folded.
            using var answer = await stack.Anonymous.GetAsync($"/api/leaderboards/{s.Dataset}/main?limit=1000");
            if (!answer.IsSuccessStatusCode)
            {
                return null;
            }

            var view = await answer.Content.ReadFromJsonAsync<JsonElement>();
            return view.GetProperty("rows").GetArrayLength() == 2 ? view : (JsonElement?)null;
        }, "both rows on the board");
        var expected = board.GetProperty("rows").EnumerateArray().Select(row => (
            Rank: row.GetProperty("rank").GetInt32(),
            Model: row.GetProperty("modelId").GetString()!,
            Value: row.GetProperty("value").GetDouble(),
            Verified: row.GetProperty("verified").GetBoolean(),
            Origin: row.GetProperty("origin").GetString()!,
            ResultId: row.GetProperty("resultId").GetString()!,
            UpdatedAt: row.GetProperty("updatedAt").GetDateTimeOffset().ToUniversalTime())).ToList();

        var json = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/leaderboards/{s.Dataset}/main/export?format=json");
        Assert.Equal(expected, json.EnumerateArray().Select(row => (
            row.GetProperty("rank").GetInt32(), row.GetProperty("model").GetString()!, row.GetProperty("value").GetDouble(),
            row.GetProperty("verified").GetBoolean(), row.GetProperty("origin").GetString()!, row.GetProperty("resultId").GetString()!,
            row.GetProperty("updatedAt").GetDateTimeOffset().ToUniversalTime())).ToList());

        foreach (var format in new[] { "csv", "parquet" })
        {
            var path = await DownloadAsync($"/api/leaderboards/{s.Dataset}/main/export?format={format}", format);
            var rows = Read(format == "csv" ? $"read_csv('{path}', header = true)" : $"read_parquet('{path}')",
                "select rank, model, value, verified, origin, result_id, updated_at, benchmark, task, source_name, source_url, notes, stderr, disputed from {0} order by rank");
            Assert.Equal(expected.Select(row => (row.Rank, row.Model, row.Value, row.Verified, row.Origin, row.ResultId)),
                rows.Select(row => (Convert.ToInt32(row[0], CultureInfo.InvariantCulture), (string)row[1]!, Convert.ToDouble(row[2], CultureInfo.InvariantCulture),
                    (bool)row[3]!, (string)row[4]!, (string)row[5]!)));
            Assert.Equal(expected.Select(row => row.UpdatedAt.UtcDateTime), rows.Select(row => Utc(row[6]!)));
            Assert.All(rows, row => Assert.Equal((s.Dataset, "main"), ((string)row[7]!, (string)row[8]!)));
            var withSource = rows.Single(row => (string)row[1]! == s.Model);
            Assert.Equal(("Model card", "https://example.org/card"), ((string)withSource[9]!, (string)withSource[10]!));
            Assert.Contains("HYPERLINK", (string)withSource[11]!);
            Assert.Null(rows.Single(row => (string)row[1]! == rival)[9]);
            if (format == "csv")
            {
                // A note a spreadsheet would run as a formula is escaped.
                Assert.False(((string)withSource[11]!).StartsWith('='));
            }
        }

        // Cacheable: the same export answers 304 to its ETag.
        using var tagged = await stack.Anonymous.GetAsync($"/api/leaderboards/{s.Dataset}/main/export?format=parquet");
        using var again = new HttpRequestMessage(HttpMethod.Get, $"/api/leaderboards/{s.Dataset}/main/export?format=parquet");
        again.Headers.IfNoneMatch.Add(tagged.Headers.ETag!);
        using var notModified = await stack.Client(null).SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        // Every task of the benchmark, and the board as it stood before the community's result.
        var all = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/datasets/{s.Dataset}/export?format=json");
        Assert.Equal(2, all.GetArrayLength());
        var before = expected.Single(row => row.Model == s.Model).UpdatedAt.AddMilliseconds(1);
        var past = await stack.Anonymous.GetFromJsonAsync<JsonElement>(
            $"/api/leaderboards/{s.Dataset}/main/export?format=json&as_of={Uri.EscapeDataString(before.ToString("O", CultureInfo.InvariantCulture))}");
        Assert.Equal(new[] { s.Model }, past.EnumerateArray().Select(row => row.GetProperty("model").GetString()!).ToArray());

        using var badFormat = await stack.Anonymous.GetAsync($"/api/leaderboards/{s.Dataset}/main/export?format=xlsx");
        Assert.Equal(HttpStatusCode.BadRequest, badFormat.StatusCode);
        using var noTask = await stack.Anonymous.GetAsync($"/api/leaderboards/{s.Dataset}/nope/export");
        Assert.Equal(HttpStatusCode.NotFound, noTask.StatusCode);
    }

    [Fact]
    public async Task The_event_log_exports_as_ndjson_and_parquet_resumable_by_after_and_bounded_by_until()
    {
        var s = await stack.CreateScenarioAsync("export-log");
        for (var i = 0; i < 3; i++)
        {
            using var committed = await s.Owner.CommitAsync("model", s.Model, "main", $".eval_results/r{i}.yaml", HubCommits.ResultYaml(s.Dataset, "main", $"{50 + i}"));
            Assert.Equal(HttpStatusCode.OK, committed.StatusCode);
        }

        var stream = Uri.EscapeDataString($"model/{s.Model}");
        var ours = await Eventually.GetAsync(async () =>
        {
            var page = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/events?stream={stream}&limit=100");
            var events = page.GetProperty("events").EnumerateArray().ToList();
            return events.Count == 4 ? events : null;
        }, "the model's four events in the feed");
        var first = ours[0].GetProperty("sequence").GetInt64();
        var last = ours[^1].GetProperty("sequence").GetInt64();

        // NDJSON from just before the model's first event to its last: the feed's entries, in order, data as stored.
        var lines = (await stack.Anonymous.GetStringAsync($"/api/events/export?format=ndjson&after={first - 1}&until={last}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var feed = await stack.Anonymous.GetFromJsonAsync<JsonElement>($"/api/events?after={first - 1}&limit=1000");
        var feedIds = feed.GetProperty("events").EnumerateArray().Select(entry => entry.GetProperty("sequence").GetInt64()).Where(id => id <= last).ToList();
        Assert.Equal(feedIds, lines.Select(line => line.GetProperty("sequence").GetInt64()).ToList());
        var committedLine = lines.First(line => line.GetProperty("stream").GetString() == $"model/{s.Model}" && line.GetProperty("type").GetString() == "MainCommitted");
        Assert.Equal(s.Dataset, committedLine.GetProperty("data").GetProperty("commit").GetProperty("results")[0].GetProperty("datasetId").GetString());

        // Resumed after the second of them: the rest only.
        var resumed = (await stack.Anonymous.GetStringAsync($"/api/events/export?format=ndjson&after={ours[1].GetProperty("sequence").GetInt64()}&until={last}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(feedIds.Where(id => id > ours[1].GetProperty("sequence").GetInt64()), resumed);

        var parquet = await DownloadAsync($"/api/events/export?format=parquet&after={first - 1}&until={last}", "parquet");
        var rows = Read($"read_parquet('{parquet}')", "select sequence, type, stream, data from {0} order by sequence");
        Assert.Equal(feedIds, rows.Select(row => Convert.ToInt64(row[0], CultureInfo.InvariantCulture)).ToList());
        Assert.Equal(lines.Select(line => line.GetProperty("data").GetRawText()),
            rows.Select(row => JsonDocument.Parse((string)row[3]!).RootElement.GetRawText()));

        using var bad = await stack.Anonymous.GetAsync("/api/events/export?format=csv");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var badAfter = await stack.Anonymous.GetAsync("/api/events/export?after=-3");
        Assert.Equal(HttpStatusCode.BadRequest, badAfter.StatusCode);
    }

    private async Task<string> DownloadAsync(string uri, string extension)
    {
        using var response = await stack.Anonymous.GetAsync(uri);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{uri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        var path = Path.Combine(Path.GetTempPath(), $"export-{Guid.NewGuid():N}.{extension}");
        await File.WriteAllBytesAsync(path, await response.Content.ReadAsByteArrayAsync());
        return path;
    }

    /// <summary>The rows DuckDB reads from <paramref name="source"/> with <paramref name="select"/> (<c>{0}</c> is the source).</summary>
    private static List<object?[]> Read(string source, string select)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = string.Format(CultureInfo.InvariantCulture, select, source);
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    private static DateTime Utc(object value) => value switch
    {
        DateTime time => DateTime.SpecifyKind(time, DateTimeKind.Utc),
        DateTimeOffset time => time.UtcDateTime,
        string text => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture).UtcDateTime,
        _ => throw new InvalidOperationException($"not a time: {value.GetType()}"),
    };
}
