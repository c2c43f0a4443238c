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
        var schema = session.DocumentStore.Options.DatabaseSchemaName;
        var command = new NpgsqlCommand();
        var conditions = new List<string>();
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

        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = take });
        command.CommandText =
            $"select seq, type, stream, actor, occurred_at, data::text from {QualifiedName(schema)}"
            + (conditions.Count > 0 ? " where " + string.Join(" and ", conditions) : "")
            + $" order by seq {(query.NewestFirst ? "desc" : "asc")} limit ${command.Parameters.Count}";
        var entries = new List<FeedEntry>();
        try
        {
            await using var reader = await session.ExecuteReaderAsync(command, cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                entries.Add(Read(reader));
            }
        }
        catch (Exception exception) when (CommunityEvals.Platform.EventStore.PostgresErrors.IsUndefinedTable(exception))
        {
            // Nothing has been projected yet.
        }

        return entries;
    }

    private static FeedEntry Read(DbDataReader reader)
    {
        using var data = System.Text.Json.JsonDocument.Parse(reader.GetString(5));
        return new FeedEntry
        {
            Id = reader.GetInt64(0),
            Type = reader.GetString(1),
            Stream = reader.GetString(2),
            Actor = reader.IsDBNull(3) ? null : reader.GetString(3),
            OccurredAt = new DateTimeOffset(reader.GetFieldValue<DateTime>(4), TimeSpan.Zero),
            Data = data.RootElement.Clone(),
        };
    }

    /// <summary>A timestamp as PostgreSQL reads it back exactly (microseconds, UTC).</summary>
    public static string Text(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>Which feed entries to read: after or before a sequence, of one stream, of one commit, of some event types; oldest or newest first.</summary>
public sealed record FeedQuery(long After = 0, long? Before = null, string? Stream = null, string? Commit = null, bool NewestFirst = false, IReadOnlyList<string>? Types = null);
