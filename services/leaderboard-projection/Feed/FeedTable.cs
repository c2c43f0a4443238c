using System.Data.Common;
using System.Globalization;
using Npgsql;

namespace CommunityEvals.LeaderboardProjection.Feed;

/// <summary>
/// Where the public feed is kept: one plain row per event in <c>{schema}.feed_events</c> (the
/// service's document schema), written a page of events at a time with one statement. A document
/// per event cost an upsert and a serialised envelope each; this is an insert of the same values.
/// <c>data</c> is <c>jsonb</c> as the documents were, so the feed reads back exactly as before.
/// </summary>
public static class FeedTable
{
    public const string Name = "feed_events";

    public static string QualifiedName(string schema) => $"{schema}.{Name}";

    public static string CreateSql(string schema) =>
        $"create table if not exists {QualifiedName(schema)} (seq bigint primary key, type text not null, stream text not null, actor text, occurred_at timestamptz not null, data jsonb not null)";

    /// <summary>
    /// Finds, for any event, the latest visibility event of its repo: a partial index over the few
    /// <c>RepoCreated</c> and <c>RepoSettingsChanged</c> rows, by stream then position.
    /// </summary>
    public static string VisibilityIndexSql(string schema) =>
        $"create index if not exists {Name}_visibility on {QualifiedName(schema)} (stream, seq) where type in ('RepoCreated', 'RepoSettingsChanged')";

    /// <summary>
    /// The public feed holds an event only if its repo was public when the event was stored
    /// (ACCESS.md "Visibility"): the repo's last visibility event at or before it says so. An event
    /// belongs to the repo of its stream; a benchmark's, an arena vote's and evidence's to the repo
    /// they name. Who asked for access is not public: requests are left out, and a handled request
    /// or a grant shows without its user.
    /// </summary>
    private static string PublicCondition(string schema) =>
        "type <> 'AccessRequested' and coalesce((select (p.data->>'private')::boolean from " + QualifiedName(schema) + " p "
        + "where p.type in ('RepoCreated', 'RepoSettingsChanged') and p.seq <= f.seq and p.stream = case "
        + "when f.stream like 'benchmark/%' then 'dataset/' || substr(f.stream, 11) "
        + "when f.stream like 'evidence/%' then 'model/' || (f.data->>'repo') "
        + "when f.stream like 'arena-voter/%' and f.data ? 'benchmark' then 'dataset/' || (f.data->>'benchmark') "
        + "else f.stream end order by p.seq desc limit 1), false) = false";

    private const string PublicData =
        "case when type in ('AccessRequestHandled', 'AccessGranted') then data - 'user' - 'rejectionReason' else data end";

    /// <summary>Arrays in, one row per element; a page handed out again rewrites its rows with the same values.</summary>
    public static string InsertSql(string schema) =>
        $"insert into {QualifiedName(schema)} (seq, type, stream, actor, occurred_at, data) "
        + "select * from unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[]::timestamptz[], ?::text[]::jsonb[]) "
        + "on conflict (seq) do update set type = excluded.type, stream = excluded.stream, actor = excluded.actor, occurred_at = excluded.occurred_at, data = excluded.data";

    public static async Task<bool> ExistsAsync(Marten.IQuerySession session, string schema, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand("select to_regclass($1) is not null")
        {
            Parameters = { new NpgsqlParameter<string> { TypedValue = QualifiedName(schema) } },
        };
        await using var reader = await session.ExecuteReaderAsync(command, cancellationToken);
        return await reader.ReadAsync(cancellationToken) && reader.GetBoolean(0);
    }

    /// <summary>Up to <paramref name="take"/> entries after <paramref name="after"/>, in order; none while the table does not exist yet.</summary>
    public static Task<List<FeedEntry>> ReadAsync(Marten.IQuerySession session, long after, int take, CancellationToken cancellationToken) =>
        ReadAsync(session, new FeedQuery(After: after), take, cancellationToken);

    /// <summary>Up to <paramref name="take"/> entries that <paramref name="query"/> selects, in its order; none while the table does not exist yet.</summary>
    public static async Task<List<FeedEntry>> ReadAsync(Marten.IQuerySession session, FeedQuery query, int take, CancellationToken cancellationToken)
    {
        var entries = new List<FeedEntry>();
        await foreach (var row in RowsAsync(session, query, take, cancellationToken))
        {
            using var data = System.Text.Json.JsonDocument.Parse(row.Data);
            entries.Add(new FeedEntry
            {
                Id = row.Sequence,
                Type = row.Type,
                Stream = row.Stream,
                Actor = row.Actor,
                OccurredAt = row.OccurredAt,
                Data = data.RootElement.Clone(),
            });
        }

        return entries;
    }

    /// <summary>
    /// The public feed's rows that <paramref name="query"/> selects, in its order, with their data as
    /// JSON text, streamed from one query (<paramref name="take"/> null: all of them); none while the
    /// table does not exist yet.
    /// </summary>
    public static async IAsyncEnumerable<FeedRow> RowsAsync(
        Marten.IQuerySession session, FeedQuery query, int? take, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var schema = session.DocumentStore.Options.DatabaseSchemaName;
        var command = new NpgsqlCommand();
        var conditions = new List<string> { PublicCondition(schema) };
        void Where(string condition, NpgsqlParameter parameter)
        {
            command.Parameters.Add(parameter);
            conditions.Add(condition.Replace("@", $"${command.Parameters.Count}", StringComparison.Ordinal));
        }

        if (query.After > 0)
        {
            Where("seq > @", new NpgsqlParameter<long> { TypedValue = query.After });
        }

        if (query.Before is { } before)
        {
            Where("seq < @", new NpgsqlParameter<long> { TypedValue = before });
        }

        if (query.Until is { } until)
        {
            Where("occurred_at <= @", new NpgsqlParameter<DateTime> { TypedValue = until.UtcDateTime });
        }

        if (query.Stream is { } stream)
        {
            Where("stream = @", new NpgsqlParameter<string> { TypedValue = stream });
        }

        if (query.Types is { Count: > 0 } types)
        {
            Where("type = any(@)", new NpgsqlParameter<string[]> { TypedValue = [.. types] });
        }

        if (query.Commit is { } commit)
        {
            // Commits, pull request openings, updates and merges carry their commit under "commit".
            Where("data->'commit'->>'commitOid' = @", new NpgsqlParameter<string> { TypedValue = commit });
        }

        var limit = "";
        if (take is { } count)
        {
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = count });
            limit = $" limit ${command.Parameters.Count}";
        }

        command.CommandText =
            $"select seq, type, stream, actor, occurred_at, ({PublicData})::text from {QualifiedName(schema)} f"
            + " where " + string.Join(" and ", conditions)
            + $" order by seq {(query.NewestFirst ? "desc" : "asc")}{limit}";
        DbDataReader reader;
        try
        {
            reader = await session.ExecuteReaderAsync(command, cancellationToken);
        }
        catch (Exception exception) when (CommunityEvals.Platform.EventStore.PostgresErrors.IsUndefinedTable(exception))
        {
            // Nothing has been projected yet.
            yield break;
        }

        await using (reader)
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                yield return new FeedRow(
                    reader.GetInt64(0),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    new DateTimeOffset(reader.GetFieldValue<DateTime>(4), TimeSpan.Zero),
                    reader.GetString(5));
            }
        }
    }

    /// <summary>A timestamp as PostgreSQL reads it back exactly (microseconds, UTC).</summary>
    public static string Text(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>Which feed entries to read: after or before a sequence, of one stream, of one commit, of some event types; oldest or newest first.</summary>
/// <param name="Until">Only events stored at or before this time.</param>
public sealed record FeedQuery(
    long After = 0, long? Before = null, string? Stream = null, string? Commit = null, bool NewestFirst = false, IReadOnlyList<string>? Types = null,
    DateTimeOffset? Until = null);

/// <summary>One public feed row as stored: its data as JSON text, for readers that pass it on rather than look inside.</summary>
public sealed record FeedRow(long Sequence, string Type, string Stream, string? Actor, DateTimeOffset OccurredAt, string Data);
