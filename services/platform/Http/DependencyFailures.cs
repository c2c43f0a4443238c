using Npgsql;

namespace CommunityEvals.Platform.Http;

/// <summary>
/// Tells a dependency that cannot be reached right now (PostgreSQL or RabbitMQ down, restarting, or
/// refusing connections) from everything else. Such a failure is neither the caller's fault nor a bug
/// of ours: it is answered 503 with <c>Retry-After</c> (<see cref="ProblemMiddleware"/>), and the same
/// request succeeds once the dependency is back. Only connection-level failures count: an error the
/// database raises about a statement or its data (a constraint, a syntax error, a conflict) is not one.
/// </summary>
public static class DependencyFailures
{
    /// <summary>
    /// Server errors that say the server, not the statement, is the problem: class 08 (connection
    /// exception), the server shutting down or crashed (57P01, 57P02), still starting (57P03), or out of
    /// connection slots (53300).
    /// </summary>
    private static readonly HashSet<string> UnavailableServerStates =
    [
        PostgresErrorCodes.AdminShutdown,
        PostgresErrorCodes.CrashShutdown,
        PostgresErrorCodes.CannotConnectNow,
        PostgresErrorCodes.TooManyConnections,
    ];

    public const string Database = "the database";

    public const string Broker = "the message broker";

    /// <summary>
    /// The dependency out of reach (<see cref="Database"/> or <see cref="Broker"/>) when <paramref name="exception"/>,
    /// or one it wraps (Marten and MassTransit wrap the drivers'), says one is; else null.
    /// </summary>
    public static string? UnavailableDependency(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is AggregateException aggregate)
            {
                return aggregate.InnerExceptions.Select(UnavailableDependency).FirstOrDefault(name => name is not null);
            }

            if (Unreachable(current) is { } name)
            {
                return name;
            }
        }

        return null;
    }

    private static string? Unreachable(Exception exception) => exception switch
    {
        PostgresException server when server.SqlState.StartsWith("08", StringComparison.Ordinal) || UnavailableServerStates.Contains(server.SqlState) => Database,
        PostgresException => null,
        // Raised by the driver, not the server: the socket failed, was refused or timed out (including
        // the wait for a pooled connection), which Npgsql calls transient.
        NpgsqlException { IsTransient: true } => Database,
        MassTransit.ConnectionException
            or RabbitMQ.Client.Exceptions.BrokerUnreachableException
            or RabbitMQ.Client.Exceptions.ConnectFailureException
            or RabbitMQ.Client.Exceptions.AlreadyClosedException => Broker,
        _ => null,
    };
}
