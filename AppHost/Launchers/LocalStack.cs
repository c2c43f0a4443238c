namespace CommunityEvals.AppHost.Launchers;

/// <summary>
/// The whole system on private servers in a scratch directory, for tests and benchmarks:
/// PostgreSQL and RabbitMQ started with the launchers, then the AppHost itself (told to use those
/// servers) running the services, exactly as <c>dotnet run --project AppHost</c> runs them.
/// </summary>
public sealed class LocalStack : IAsyncDisposable
{
    private LocalStack(string root, PostgresServer postgres, RabbitMqServer rabbit, AppHostProcess appHost, string adminToken)
    {
        Root = root;
        Postgres = postgres;
        Rabbit = rabbit;
        AppHost = appHost;
        AdminToken = adminToken;
    }

    public string Root { get; }

    public PostgresServer Postgres { get; }

    public RabbitMqServer Rabbit { get; }

    public AppHostProcess AppHost { get; }

    public string AdminToken { get; }

    public string DatabaseConnectionString => Postgres.ConnectionString(DatabaseName);

    public string BrokerConnectionString => Rabbit.ConnectionString;

    public const string DatabaseName = "evals";

    public static async Task<LocalStack> StartAsync(string adminToken, TimeSpan healthTimeout, IDictionary<string, string>? environment = null)
    {
        var root = Path.Combine(Path.GetTempPath(), $"communityevals-stack-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        var postgresStart = PostgresServer.StartAsync(Path.Combine(root, "postgres"), new PostgresOptions { Fsync = false }, log: null);
        var rabbitStart = RabbitMqServer.StartAsync(Path.Combine(root, "rabbitmq"));
        var postgres = await postgresStart;
        var rabbit = await rabbitStart;
        await postgres.EnsureDatabaseAsync(DatabaseName);

        var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["ConnectionStrings__evals"] = postgres.ConnectionString(DatabaseName),
            ["ConnectionStrings__eventbus"] = rabbit.ConnectionString,
            ["COMMUNITYEVALS_ADMIN_TOKEN"] = adminToken,
        };
        var appHost = AppHostProcess.Start(Path.Combine(root, "apphost"), FreePort.Next(), variables);
        var stack = new LocalStack(root, postgres, rabbit, appHost, adminToken);
        try
        {
            await appHost.WaitHealthyAsync(healthTimeout);
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }

        return stack;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await AppHost.DisposeAsync();
        }
        finally
        {
            await Rabbit.DisposeAsync();
            await Postgres.DisposeAsync();
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // A server may still be flushing; a leftover scratch directory is harmless.
            }
        }
    }
}
