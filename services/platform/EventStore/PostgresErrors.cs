using Npgsql;

namespace CommunityEvals.Platform.EventStore;

public static class PostgresErrors
{
    /// <summary>
    /// A table not created yet (tables made on first write are read before it), as Npgsql reports it or
    /// as Marten wraps that (its sessions' readers do).
    /// </summary>
    public static bool IsUndefinedTable(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UndefinedTable }
        || exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UndefinedTable };
}
