using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;
using Npgsql;
using static CommunityEvals.IntegrationTests.Leaderboards.Boards;

namespace CommunityEvals.IntegrationTests.Leaderboards;

/// <summary>
/// EVENTS.md: read models are projections of the events and can be rebuilt from them at any time
/// with the same outcome; replaying or rebuilding never publishes a change twice.
/// The rebuild is asked for with <c>POST /api/admin/projections/rebuild</c> (admin).
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ProjectionRebuildTests(StackFixture stack)
{
    public const string RebuildRoute = "/api/admin/projections/rebuild";

    [Fact]
    public async Task Rebuilding_the_projections_gives_the_same_boards_row_for_row_and_sends_no_change_twice()
    {
        var s = await stack.CreateScenarioAsync("lbrebuild");
        var contributor = await stack.CreateUserAsync("lbrebuild-c");
        await using var broker = await BrokerScoreChanges.StartAsync(stack.BrokerConnectionString, s.Dataset);
        var a = s.Model;
        var b = await s.Owner.CreateRepoAsync("model", "model-b", s.Org);
        var c = await s.Owner.CreateRepoAsync("model", "model-c", s.Org);
        var d = await s.Owner.CreateRepoAsync("model", "model-d", s.Org);
        var e = await s.Owner.CreateRepoAsync("model", "model-e", s.Org);

        // A history with every kind of change: commits, a fine-tune, pull requests open, closed and
        // merged, a hidden result, a tie and a dispute.
        await s.Owner.CommitResultAsync(a, s.Dataset, "70");
        await s.Owner.CommitResultAsync(b, s.Dataset, "80");
        await s.Owner.DeclareFineTuneAsync(b, $"{s.Org}/model-7b");
        await contributor.Client.OpenPullRequestAsync(c, s.Dataset, "75");
        var closed = await contributor.Client.OpenPullRequestAsync(a, s.Dataset, "90", "closed.yaml");
        await contributor.Client.SetPullRequestStatusAsync(a, closed, "closed");
        await s.Owner.CommitResultAsync(d, s.Dataset, "60");
        var merged = await contributor.Client.OpenPullRequestAsync(d, s.Dataset, "65", "merged.yaml");
        await s.Owner.MergeAsync(d, merged);
        await s.Owner.CommitResultAsync(e, s.Dataset, "80", "e.yaml");
        await Task.Delay(300);
        var middle = DateTimeOffset.UtcNow;
        await Task.Delay(300);
        await s.Owner.CommitResultAsync(e, s.Dataset, "72", "e2.yaml"); // disputes e's 80
        await contributor.Client.OpenPullRequestAsync(a, s.Dataset, "71", "open.yaml");
        var hidden = await ResultIdAsync(stack.Anonymous, d, r => r.IsOn("main", 60), "d's first result");
        await s.Owner.HideAsync(hidden);
        // Last, a row that moves no other: once its change is on the broker, every earlier one is (they are sent in order).
        var f = await s.Owner.CreateRepoAsync("model", "model-f", s.Org);
        await s.Owner.CommitResultAsync(f, s.Dataset, "10");

        await NativeUntilAsync(stack.Anonymous, s.Dataset,
            $"1 {b} 80 author",
            $"1 {e} 80 author",
            $"3 {c} 75 community",
            $"4 {a} 71 community",
            $"5 {d} 65 author",
            $"6 {f} 10 author");
        var views = new[]
        {
            Native(s.Dataset),
            Native(s.Dataset, "community=false"),
            Native(s.Dataset, "limit=2&offset=1"),
            Native(s.Dataset, $"as_of={middle.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)}"),
            Hub(s.Dataset),
            Hub(s.Dataset, "base_model=false"),
        };
        var before = new Dictionary<string, string>();
        foreach (var view in views)
        {
            before[view] = (await GetJsonAsync(stack.Anonymous, view)).GetRawText();
        }

        var history = await Eventually.GetAsync(async () =>
        {
            await Task.Yield();
            var changes = broker.Changes;
            return changes.Any(change => change.ModelId == f) ? changes : null;
        }, "the last change before the rebuild on the broker");
        Assert.Equal(f, history[^1].ModelId);

        // The stored board is emptied first: the rebuild must work it out again from the log.
        var stored = await StoredBoardAsync(s.Dataset, emptyIt: true);
        Assert.NotEqual(stored, await StoredBoardAsync(s.Dataset));
        var requestedAt = await DatabaseNowAsync();
        using var rebuild = await stack.Admin.PostAsync(RebuildRoute, null);
        var answer = await rebuild.Content.ReadAsStringAsync();
        Assert.True(rebuild.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted or HttpStatusCode.NoContent,
            $"POST {RebuildRoute} answered {(int)rebuild.StatusCode}: {answer}");

        // Once rebuilt (at once, or soon after a 202), every view is the same, byte for byte.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        Dictionary<string, string> after;
        while (true)
        {
            after = [];
            foreach (var view in views)
            {
                using var response = await stack.Anonymous.GetAsync(view);
                after[view] = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }

            if (views.All(view => after[view] == $"200 {before[view]}") || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(250);
        }

        foreach (var view in views)
        {
            Assert.Equal($"200 {before[view]}", after[view]);
        }

        // It was rebuilt, not left alone: the stored board is whole again. The change log was kept
        // as it was published, not written again.
        Assert.Equal(stored, await StoredBoardAsync(s.Dataset));
        var (_, changesWritten) = await LastWrittenAsync(s.Dataset);
        Assert.True(changesWritten < requestedAt, $"the stored changes were written again at {changesWritten:O}, after the rebuild was asked for at {requestedAt:O}");

        // The change log is the same: SSE replays it from the start with the same ids and content.
        await using (var replay = await SseScoreChanges.OpenAsync(stack.Gateway,
                         $"benchmark={Uri.EscapeDataString(s.Dataset)}&after={history[0].Sequence - 1}"))
        {
            Assert.Equal(history, await replay.WaitForCountAsync(history.Count, what: "the rebuilt change log"));
        }

        // Nothing was published again: the next message on the broker is the next change.
        var g = await s.Owner.CreateRepoAsync("model", "model-g", s.Org);
        await s.Owner.CommitResultAsync(g, s.Dataset, "5");
        var all = await broker.WaitForCountAsync(history.Count + 1, what: "the change after the rebuild");
        var next = Assert.Single(all.Skip(history.Count));
        Assert.Equal(g, next.ModelId);
        Assert.Equal(7, next.Rank);
        Assert.Equal("committed", next.Cause);
        Assert.Equal($"{next.Sequence}.1", next.Id);
    }

    /// <summary>
    /// The rebuild folds the log in one pass with the projections' own rules rather than through the
    /// daemon (see OnePassRebuild): every document it writes must be the one the live projections
    /// wrote, and the feed must hold the same entries.
    /// </summary>
    [Fact]
    public async Task A_rebuild_writes_every_read_model_exactly_as_the_live_projections_did()
    {
        var s = await stack.CreateScenarioAsync("rbdocs");
        var contributor = await stack.CreateUserAsync("rbdocs-c");
        var other = await s.Owner.CreateRepoAsync("model", "model-o", s.Org);
        await s.Owner.CommitResultAsync(s.Model, s.Dataset, "70");
        await s.Owner.DeclareFineTuneAsync(other, $"{s.Org}/model-7b");
        await s.Owner.CommitResultAsync(other, s.Dataset, "64", "o.yaml");
        var closed = await contributor.Client.OpenPullRequestAsync(s.Model, s.Dataset, "90", "closed.yaml");
        using (var comment = await stack.Admin.PostAsJsonAsync($"/api/models/{s.Model}/discussions/{closed}/comment", new { comment = "which harness?" }))
        {
            Assert.Equal(HttpStatusCode.OK, comment.StatusCode);
        }

        await contributor.Client.SetPullRequestStatusAsync(s.Model, closed, "closed");
        await contributor.Client.SetPullRequestStatusAsync(s.Model, closed, "open");
        await contributor.Client.SetPullRequestStatusAsync(s.Model, closed, "closed");
        var merged = await contributor.Client.OpenPullRequestAsync(other, s.Dataset, "66", "merged.yaml");
        await s.Owner.MergeAsync(other, merged);
        await contributor.Client.OpenPullRequestAsync(s.Model, s.Dataset, "71", "open.yaml");
        var hidden = await ResultIdAsync(stack.Anonymous, s.Model, r => r.IsOn("main", 70), "the model's first result");
        await s.Owner.HideAsync(hidden);
        await s.Owner.UnhideAsync(hidden);
        await s.Owner.HideAsync(hidden);
        await s.Owner.CommitResultAsync(s.Model, s.Dataset, "72", "second.yaml");

        await WaitForProjectionsAsync();
        var before = await ReadModelsAsync(s.Org);
        Assert.Contains(before, row => row.StartsWith("mt_doc_discussion ", StringComparison.Ordinal));
        Assert.Contains(before, row => row.StartsWith("mt_doc_resultrecord ", StringComparison.Ordinal));
        Assert.Contains(before, row => row.StartsWith("mt_doc_leaderboardboard ", StringComparison.Ordinal));
        Assert.Contains(before, row => row.StartsWith("feed_events ", StringComparison.Ordinal));

        // Worked out from the log, not left as found: a page and a board altered, a result record
        // gone, a discussion that no event made.
        await using (var connection = new NpgsqlConnection(stack.DatabaseConnectionString))
        {
            await connection.OpenAsync();
            await using var damage = new NpgsqlCommand(
                """
                update projection.mt_doc_repopage set data = jsonb_set(data, '{owner}', '"someone-else"') where id = @page;
                update projection.mt_doc_leaderboardboard set data = jsonb_set(data, '{entries}', '[]') where data->>'datasetId' = @dataset;
                delete from projection.mt_doc_resultrecord where id = @hidden;
                insert into projection.mt_doc_discussion (id, data, mt_dotnet_type)
                    select id || '-stray', data, mt_dotnet_type from projection.mt_doc_discussion where data::text like @org limit 1;
                """,
                connection);
            damage.Parameters.AddWithValue("page", $"model/{s.Model}");
            damage.Parameters.AddWithValue("dataset", s.Dataset);
            damage.Parameters.AddWithValue("hidden", hidden);
            damage.Parameters.AddWithValue("org", $"%{s.Org}%");
            await damage.ExecuteNonQueryAsync();
        }

        var damaged = await ReadModelsAsync(s.Org);
        Assert.Equal(3, before.Except(damaged).Count());
        Assert.Equal(3, damaged.Except(before).Count());
        var schemaBefore = await ReadModelSchemaAsync();
        Assert.Contains(schemaBefore, row => row.StartsWith("index mt_doc_discussion ", StringComparison.Ordinal));

        using var rebuild = await stack.Admin.PostAsync(RebuildRoute, null);
        Assert.True(rebuild.IsSuccessStatusCode, $"POST {RebuildRoute} answered {(int)rebuild.StatusCode}: {await rebuild.Content.ReadAsStringAsync()}");
        await WaitForProjectionsAsync();
        var after = await ReadModelsAsync(s.Org);

        Assert.Equal(before, after);
        // The rebuild fills new tables and puts them in the old ones' places: same columns, keys and
        // index names (Marten would otherwise see a schema to migrate), nothing left beside them.
        Assert.Equal(schemaBefore, await ReadModelSchemaAsync());
    }

    /// <summary>The read-model schema's tables, columns, constraints and indexes, a line each, in order.</summary>
    private async Task<List<string>> ReadModelSchemaAsync()
    {
        await using var connection = new NpgsqlConnection(stack.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            select 'column ' || table_name || ' ' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
                from information_schema.columns where table_schema = 'projection'
            union all
            select 'constraint ' || t.relname || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid)
                from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_namespace n on n.oid = t.relnamespace where n.nspname = 'projection'
            union all
            select 'index ' || tablename || ' ' || indexname || ' ' || indexdef from pg_indexes where schemaname = 'projection'
            order by 1
            """,
            connection);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    /// <summary>
    /// A rebuild stores the changes of every event after the change log's last set (a first build
    /// stores them all): they must be the ones the live projection stored, id for id.
    /// </summary>
    [Fact]
    public async Task A_rebuild_stores_the_changes_the_log_lacks_as_the_live_projection_did()
    {
        var s = await stack.CreateScenarioAsync("rbchanges");
        var contributor = await stack.CreateUserAsync("rbchanges-c");
        var other = await s.Owner.CreateRepoAsync("model", "model-o", s.Org);
        await s.Owner.CommitResultAsync(s.Model, s.Dataset, "70");
        await s.Owner.CommitResultAsync(other, s.Dataset, "75", "o.yaml");
        var pr = await contributor.Client.OpenPullRequestAsync(s.Model, s.Dataset, "80", "pr.yaml");
        await contributor.Client.SetPullRequestStatusAsync(s.Model, pr, "closed");
        await s.Owner.CommitResultAsync(other, s.Dataset, "70", "o.yaml");
        await WaitForProjectionsAsync();

        await using var connection = new NpgsqlConnection(stack.DatabaseConnectionString);
        await connection.OpenAsync();
        long first;
        await using (var command = new NpgsqlCommand("select min(seq_id) from events.mt_events where stream_id like @org", connection))
        {
            command.Parameters.AddWithValue("org", $"%{s.Org}%");
            first = (long)(await command.ExecuteScalarAsync())!;
        }

        var stored = await ChangeSetsFromAsync(connection, first);
        Assert.True(stored.Count >= 4, $"only {stored.Count} change sets stored for the scenario");
        await using (var delete = new NpgsqlCommand("delete from projection.mt_doc_scorechangeset where id >= @first", connection))
        {
            delete.Parameters.AddWithValue("first", first);
            await delete.ExecuteNonQueryAsync();
        }

        using var rebuild = await stack.Admin.PostAsync(RebuildRoute, null);
        Assert.True(rebuild.IsSuccessStatusCode, $"POST {RebuildRoute} answered {(int)rebuild.StatusCode}: {await rebuild.Content.ReadAsStringAsync()}");

        Assert.Equal(stored, await ChangeSetsFromAsync(connection, first));
    }

    private static async Task<List<string>> ChangeSetsFromAsync(NpgsqlConnection connection, long first)
    {
        await using var command = new NpgsqlCommand("select id, data::text from projection.mt_doc_scorechangeset where id >= @first order by id", connection);
        command.Parameters.AddWithValue("first", first);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add($"{reader.GetInt64(0)} {reader.GetString(1)}");
        }

        return rows;
    }

    /// <summary>
    /// The rebuild stops the projections and folds the log up to the daemon's mark; events appended
    /// meanwhile are the agents' once they start again. None may be lost or published twice.
    /// </summary>
    [Fact]
    public async Task Commits_made_while_a_rebuild_runs_reach_the_board_and_the_broker_once()
    {
        var s = await stack.CreateScenarioAsync("rbbusy");
        await using var broker = await BrokerScoreChanges.StartAsync(stack.BrokerConnectionString, s.Dataset);
        var models = new List<string> { s.Model };
        for (var index = 1; index < 8; index++)
        {
            models.Add(await s.Owner.CreateRepoAsync("model", $"model-{index}", s.Org));
        }

        await s.Owner.CommitResultAsync(models[0], s.Dataset, "10");
        await WaitForProjectionsAsync();

        // Commits one after another (each waits for its answer) for as long as the rebuild runs, then
        // one more round: every model's last value is the highest it had.
        var rebuilding = stack.Admin.PostAsync(RebuildRoute, null);
        var committed = new List<(string Model, int Value)>();
        async Task CommitAsync(string model)
        {
            var value = 11 + committed.Count;
            await s.Owner.CommitResultAsync(model, s.Dataset, $"{value}");
            committed.Add((model, value));
        }

        while (!rebuilding.IsCompleted)
        {
            await CommitAsync(models[committed.Count % models.Count]);
        }

        foreach (var model in models)
        {
            await CommitAsync(model);
        }

        using var rebuild = await rebuilding;
        Assert.True(rebuild.IsSuccessStatusCode, $"POST {RebuildRoute} answered {(int)rebuild.StatusCode}: {await rebuild.Content.ReadAsStringAsync()}");
        var last = models.Select(model => (Model: model, Value: committed.Last(commit => commit.Model == model).Value)).OrderByDescending(row => row.Value).ToList();
        await NativeUntilAsync(stack.Anonymous, s.Dataset, [.. last.Select((row, index) => $"{index + 1} {row.Model} {row.Value} author")]);

        // Every commit's new value reached RabbitMQ, and no change was sent twice.
        var changes = await Eventually.GetAsync(async () =>
        {
            await Task.Yield();
            var all = broker.Changes;
            return committed.All(commit => all.Any(change => change.ModelId == commit.Model && change.Value == commit.Value)) ? all : null;
        }, $"the changes of all {committed.Count} commits on the broker", TimeSpan.FromSeconds(30));
        await Task.Delay(500);
        changes = broker.Changes;
        Assert.Equal(changes.Count, changes.Select(change => change.Id).Distinct().Count());
        Assert.All(committed, commit => Assert.Single(changes, change => change.ModelId == commit.Model && change.Value == commit.Value && change.PreviousValue != commit.Value));
    }

    /// <summary>Every document of the read models, and every feed entry, that names the org: table, id and JSON, in order.</summary>
    private async Task<List<string>> ReadModelsAsync(string org)
    {
        string[] tables = ["mt_doc_repopage", "mt_doc_discussion", "mt_doc_resultrecord", "mt_doc_benchmarkdocument", "mt_doc_leaderboardmodel", "mt_doc_leaderboardboard"];
        var sql = string.Join(" union all ", tables.Select(table => $"select '{table}' as t, id::text as id, data::text as data from projection.{table} where data::text like @org"))
            + " union all select 'feed_events', seq::text, concat_ws(' ', type, stream, actor, occurred_at, data::text) from projection.feed_events where stream like @org or data::text like @org"
            + " order by 1, 2";
        await using var connection = new NpgsqlConnection(stack.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("org", $"%{org}%");
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add($"{reader.GetString(0)} {reader.GetString(1)} {reader.GetString(2)}");
        }

        return rows;
    }

    /// <summary>Until every projection of the leaderboard service has folded every event there is.</summary>
    private async Task WaitForProjectionsAsync()
    {
        await Eventually.ValueAsync(async () =>
        {
            await using var connection = new NpgsqlConnection(stack.DatabaseConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                """
                select count(*) from events.mt_event_progression
                where name = any(@shards) and last_seq_id >= (select max(seq_id) from events.mt_events)
                """, connection);
            string[] shards = ["Feed:All", "RepoPages:All", "Discussions:All", "ResultRecords:All", "Benchmarks:All", "Boards:All"];
            command.Parameters.AddWithValue("shards", shards);
            return (long)(await command.ExecuteScalarAsync())! == shards.Length ? (bool?)true : null;
        }, "every projection to fold the whole log", TimeSpan.FromSeconds(60));
    }

    private async Task<DateTimeOffset> DatabaseNowAsync()
    {
        await using var connection = new NpgsqlConnection(stack.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select now()", connection);
        return new DateTimeOffset((DateTime)(await command.ExecuteScalarAsync())!, TimeSpan.Zero);
    }

    /// <summary>The stored board document's JSON; with <paramref name="emptyIt"/>, its entries are then taken away.</summary>
    private async Task<string> StoredBoardAsync(string dataset, bool emptyIt = false)
    {
        await using var connection = new NpgsqlConnection(stack.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select data::text from projection.mt_doc_leaderboardboard where id = @board"
            + (emptyIt ? "; update projection.mt_doc_leaderboardboard set data = jsonb_set(data, '{entries}', '[]') where id = @board" : ""),
            connection);
        command.Parameters.AddWithValue("board", $"benchmark/{dataset}");
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>When the projection last wrote the benchmark's board document, and the latest write among its stored changes.</summary>
    private async Task<(DateTimeOffset Board, DateTimeOffset Changes)> LastWrittenAsync(string dataset)
    {
        await using var connection = new NpgsqlConnection(stack.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            select (select mt_last_modified from projection.mt_doc_leaderboardboard where id = @board),
                   (select max(mt_last_modified) from projection.mt_doc_scorechangeset
                    where data->'changes' @> jsonb_build_array(jsonb_build_object('benchmark', @dataset::text)))
            """, connection);
        command.Parameters.AddWithValue("board", $"benchmark/{dataset}");
        command.Parameters.AddWithValue("dataset", dataset);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (
            reader.IsDBNull(0) ? DateTimeOffset.MinValue : reader.GetFieldValue<DateTimeOffset>(0),
            reader.IsDBNull(1) ? DateTimeOffset.MinValue : reader.GetFieldValue<DateTimeOffset>(1));
    }

    [Fact]
    public async Task Only_the_admin_may_rebuild()
    {
        var user = await stack.CreateUserAsync("lbrebuild-u");

        using var anonymous = await stack.Anonymous.PostAsync(RebuildRoute, null);
        using var signedIn = await user.Client.PostAsync(RebuildRoute, null);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, signedIn.StatusCode);
    }
}
