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

    public static async Task<long> TotalAsync(StackFixture stack)
    {
        await using var connection = new NpgsqlConnection(stack.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select count(*) from events.mt_events", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
