using Npgsql;

namespace CommunityEvals.IntegrationTests.Infrastructure;

/// <summary>Reads the event log itself, the source of truth, to prove what was (not) appended.</summary>
public static class EventStoreProbe
{
    public static async Task<long> CountAsync(StackFixture stack, string stream)
    {
        await using var connection = new NpgsqlConnection(stack.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select count(*) from events.mt_events where stream_id = @stream", connection);
        command.Parameters.AddWithValue("stream", stream);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>How many events of <paramref name="eventType"/> (the record's name) the stream holds.</summary>
    public static async Task<long> CountAsync(StackFixture stack, string stream, string eventType)
    {
        await using var connection = new NpgsqlConnection(stack.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select count(*) from events.mt_events where stream_id = @stream and type = @type", connection);
        command.Parameters.AddWithValue("stream", stream);
        command.Parameters.AddWithValue("type", StoredName(eventType));
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Marten stores an event type under its name in snake case (<c>PullRequestOpened</c>: <c>pull_request_opened</c>).</summary>
    private static string StoredName(string eventType) =>
        string.Concat(eventType.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));

    public static async Task<long> TotalAsync(StackFixture stack)
    {
        await using var connection = new NpgsqlConnection(stack.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select count(*) from events.mt_events", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
