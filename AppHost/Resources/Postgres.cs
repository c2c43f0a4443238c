using System.Globalization;
using Aspire.Hosting.Publishing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CommunityEvals.AppHost.Resources;

/// <summary>
/// A PostgreSQL 15 server run from the machine's own installation by <c>postgres.sh</c>, with its cluster
/// under the data directory. Aspire's own <c>AddPostgres</c> needs a container runtime, which this
/// machine does not have; in the manifest the server is the same postgres container it would write.
/// </summary>
public sealed class LocalPostgresResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";
    public const string UserName = "postgres";
    public const int ContainerPort = 5432;

    public ParameterResource Password { get; } = password;

    public EndpointReference Endpoint => new(this, EndpointName);

    public List<LocalPostgresDatabaseResource> Databases { get; } = [];

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={Endpoint.Property(EndpointProperty.IPV4Host)};Port={Endpoint.Property(EndpointProperty.Port)};Username={UserName};Password={Password}");
}

/// <summary>A database on a <see cref="LocalPostgresResource"/>, created when the server is first ready.</summary>
public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresResource>, IResourceWithConnectionString
{
    public string DatabaseName { get; } = databaseName;

    public LocalPostgresResource Parent { get; } = parent;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}

public static class LocalPostgresExtensions
{
    /// <summary>
    /// One server and no replicas or archive: the write-ahead log only has to recover a crash, so a table
    /// created and filled in one transaction (the projection rebuild's new tables) is synced at commit
    /// instead of written to the log row by row.
    /// </summary>
    public static readonly string[] Settings = ["max_connections=200", "wal_level=minimal", "max_wal_senders=0"];

    /// <summary>
    /// The server, its cluster in <c>&lt;data-dir&gt;/postgres</c> and its password in
    /// <c>&lt;data-dir&gt;/secrets/&lt;name&gt;-password</c>. <c>--postgres-fsync off</c> trades crash safety
    /// for speed (throwaway test data only).
    /// </summary>
    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(this IDistributedApplicationBuilder builder, string name)
    {
        var passwordName = $"{name}-password";
        var cluster = Path.Combine(builder.DataDirectory(), name);
        var passwordFile = Path.Combine(builder.DataDirectory(), "secrets", passwordName);
        builder.RefuseLostSecret(passwordFile, Path.Combine(cluster, "data"));
        var password = builder.AddLocalSecret(passwordName, passwordFile, generateInManifest: true);
        var server = new LocalPostgresResource(name, Path.Combine(builder.AppHostDirectory, "Resources", "postgres.sh"), builder.AppHostDirectory, password.Resource);

        var resource = builder.AddResource(server)
            .WithEnvironment("POSTGRES_PASSWORD", password)
            .WithManifestPublishingCallback(context => WriteManifest(context, server));
        if (builder.ExecutionContext.IsPublishMode)
        {
            return resource.WithEndpoint(LocalPostgresResource.EndpointName, endpoint => endpoint.TargetPort = LocalPostgresResource.ContainerPort);
        }

        var port = LocalRun.FreePort();
        var fsync = !string.Equals(builder.Configuration["postgres-fsync"], "off", StringComparison.OrdinalIgnoreCase);
        string[] options =
        [
            "-p", port.ToString(CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1",
            "-c", "unix_socket_directories=",
            .. Settings.SelectMany(setting => new[] { "-c", setting }),
            .. fsync ? Array.Empty<string>() : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
        ];

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(server, async (_, cancellationToken) =>
            connectionString = await server.ConnectionStringExpression.GetValueAsync(cancellationToken));
        builder.Eventing.Subscribe<ResourceReadyEvent>(server, async (ready, cancellationToken) =>
        {
            await CreateDatabasesAsync(connectionString!, server.Databases, cancellationToken);
            // Aspire passes a parent's state on to its children for containers only; the databases'
            // health checks start once they are running.
            var notifications = ready.Services.GetRequiredService<ResourceNotificationService>();
            foreach (var database in server.Databases)
            {
                await notifications.PublishUpdateAsync(database, state => state with { State = KnownResourceStates.Running, StartTimeStamp = DateTime.UtcNow });
            }
        });
        builder.Eventing.Subscribe<ResourceStoppedEvent>(server, async (stopped, _) =>
        {
            var notifications = stopped.Services.GetRequiredService<ResourceNotificationService>();
            foreach (var database in server.Databases)
            {
                await notifications.PublishUpdateAsync(database, state => state with { State = KnownResourceStates.Finished, StopTimeStamp = DateTime.UtcNow });
            }
        });
        var check = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(_ => connectionString + ";Database=postgres", name: check);

        return resource
            .WithEndpoint(LocalPostgresResource.EndpointName, endpoint =>
            {
                endpoint.Port = port;
                endpoint.TargetPort = port;
                endpoint.IsProxied = false;
                endpoint.UriScheme = "tcp";
            })
            .WithArgs([cluster, .. options])
            .WithHealthCheck(check);
    }

    /// <summary>A database on the server (created when missing once the server is ready), healthy when it answers.</summary>
    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(this IResourceBuilder<LocalPostgresResource> server, string name)
    {
        var builder = server.ApplicationBuilder;
        var database = new LocalPostgresDatabaseResource(name, name, server.Resource);
        server.Resource.Databases.Add(database);

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(database, async (_, cancellationToken) =>
            connectionString = await database.ConnectionStringExpression.GetValueAsync(cancellationToken));
        var check = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(_ => connectionString!, name: check);

        return builder.AddResource(database)
            .WithManifestPublishingCallback(context =>
            {
                context.Writer.WriteString("type", "value.v0");
                context.WriteConnectionString(database);
            })
            .WithHealthCheck(check);
    }

    private static async Task CreateDatabasesAsync(string connectionString, IEnumerable<LocalPostgresDatabaseResource> databases, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString + ";Database=postgres;Pooling=false");
        await connection.OpenAsync(cancellationToken);
        foreach (var database in databases)
        {
            await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = $1", connection) { Parameters = { new() { Value = database.DatabaseName } } };
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                await using var create = new NpgsqlCommand($"create database \"{database.DatabaseName}\"", connection);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    /// <summary>The postgres container a deployment runs instead, as Aspire's own <c>AddPostgres</c> describes it.</summary>
    private static void WriteManifest(ManifestPublishingContext context, LocalPostgresResource server)
    {
        var writer = context.Writer;
        writer.WriteString("type", "container.v0");
        context.WriteConnectionString(server);
        writer.WriteString("image", "docker.io/library/postgres:15");
        writer.WriteStartArray("args");
        foreach (var setting in Settings)
        {
            writer.WriteStringValue("-c");
            writer.WriteStringValue(setting);
        }

        writer.WriteEndArray();
        writer.WriteStartObject("env");
        writer.WriteString("POSTGRES_HOST_AUTH_METHOD", "scram-sha-256");
        writer.WriteString("POSTGRES_INITDB_ARGS", "--auth-host=scram-sha-256 --auth-local=scram-sha-256");
        writer.WriteString("POSTGRES_USER", LocalPostgresResource.UserName);
        writer.WriteString("POSTGRES_PASSWORD", server.Password.ValueExpression);
        writer.WriteEndObject();
        context.WriteBindings(server);
    }
}
