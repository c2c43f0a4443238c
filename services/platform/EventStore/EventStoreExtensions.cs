using System.Text.Json;
using CommunityEvals.Contracts.Events;
using CommunityEvals.Platform.Telemetry;
using JasperFx;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Weasel.Core;

namespace CommunityEvals.Platform.EventStore;

public static class EventStoreExtensions
{
    /// <summary>The connection string every service reads, named as the AppHost's database resource.</summary>
    public const string DatabaseName = "evals";

    /// <summary>All services share one event log in this schema; documents live in a schema per service.</summary>
    public const string EventSchema = "events";

    /// <summary>
    /// Registers Marten against the shared event store. <paramref name="documentSchema"/> keeps a
    /// service's own documents apart from the others'.
    /// </summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddEventStore(
        this IHostApplicationBuilder builder,
        string documentSchema,
        Action<StoreOptions>? configure = null)
    {
        var connectionString = ConnectionString(builder.Configuration)
            ?? throw new InvalidOperationException(
                $"ConnectionStrings:{DatabaseName} is not set; start the service through the AppHost.");

        builder.Services.AddHealthChecks().AddNpgSql(connectionString, name: "database");

        // Daemons wake when events are appended rather than at their next poll (see AppendWakeup.cs);
        // EventStore:WakeOnAppend=false leaves them polling only, for what-if measurements.
        if (builder.Configuration.GetValue("EventStore:WakeOnAppend", defaultValue: true))
        {
            builder.Services.AddSingleton(services => new AppendWakeup(connectionString, services.GetRequiredService<ILogger<AppendWakeup>>()));
            builder.Services.AddHostedService(services => services.GetRequiredService<AppendWakeup>());
            builder.Services.ConfigureMarten((services, options) => options.Projections.Wakeup = services.GetRequiredService<AppendWakeup>());
        }

        return builder.Services.AddMarten(options =>
        {
            options.Connection(connectionString);
            options.DatabaseSchemaName = documentSchema;
            options.Events.DatabaseSchemaName = EventSchema;
            options.Events.StreamIdentity = StreamIdentity.AsString;
            options.Events.MetadataConfig.UserNameEnabled = true;
            // Where an event came from in the traces: the W3C traceparent of its request.
            options.Events.MetadataConfig.HeadersEnabled = true;
            // The patched lock library cannot share a multiplexed data source; without this the
            // async daemon never takes its lock and projections silently stand still.
            options.Events.UseAdvisoryLockTransaction = true;
            // Reads must follow writes within a second or two (API.md): poll for new events often.
            options.Projections.FastPollingTime = TimeSpan.FromMilliseconds(100);
            options.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(250);
            // A failed append leaves a hole in the sequence that the daemon waits out before it
            // moves past; writers take turns per stream (LockStreamsAsync) so holes are rare and
            // appends commit quickly, which makes a shorter wait than the 3 s default safe.
            options.Projections.StaleSequenceThreshold = TimeSpan.FromSeconds(1);
            // A gap that no transaction will ever fill (PostgreSQL lost its sequences' cached values in
            // a crash) would otherwise hold every daemon for good: the transactions each service keeps
            // open for its daemon locks count as appenders that might still fill it. No append of ours
            // stays uncommitted for 10 s.
            options.Projections.SkipStaleGapsDespiteLiveTransactionsAfter = TimeSpan.FromSeconds(10);
            options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
            options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
            options.Events.AddEventTypes(EventCatalog.All);
            options.Listeners.Add(new AppendNotifier());
            options.Listeners.Add(new TraceStamper());
            AccountDocuments.Configure(options);
            configure?.Invoke(options);
        });
    }

    /// <summary>
    /// How long opening a connection may take, the wait for a free pooled one included (Npgsql's default
    /// is 15 s). A database that is down refuses at once; this bounds the rest, so that a request that
    /// needs the database is answered 503 (<see cref="Http.DependencyFailures"/>) well within 10 s.
    /// </summary>
    public const int ConnectTimeoutSeconds = 5;

    /// <summary>The database's connection string as every service uses it: the AppHost's, with <see cref="ConnectTimeoutSeconds"/>; null when not set.</summary>
    public static string? ConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString(DatabaseName) is { } given
            ? new NpgsqlConnectionStringBuilder(given) { Timeout = ConnectTimeoutSeconds }.ConnectionString
            : null;

    /// <summary>The JSON shape of an event in the public feed and in forwarded messages.</summary>
    public static readonly JsonSerializerOptions PublicJson = new(JsonSerializerDefaults.Web);

    public static JsonElement ToPublicJson(this IEvent @event) =>
        JsonSerializer.SerializeToElement(@event.Data, @event.EventType, PublicJson);
}
