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
    public static async Task<List<FeedEntry>> ReadAsync(Marten.IQuerySession session, long after, int take, CancellationToken cancellationToken)
    {
        var schema = session.DocumentStore.Options.DatabaseSchemaName;
        var command = new NpgsqlCommand(
            $"select seq, type, stream, actor, occurred_at, data::text from {QualifiedName(schema)} where seq > $1 order by seq limit $2")
        {
            Parameters =
            {
                new NpgsqlParameter<long> { TypedValue = after },
                new NpgsqlParameter<int> { TypedValue = take },
            },
        };
        var entries = new List<FeedEntry>();
        try
        {
            await using var reader = await session.ExecuteReaderAsync(command, cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                entries.Add(Read(reader));
            }
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UndefinedTable)
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
