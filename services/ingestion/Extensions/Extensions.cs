using CommunityEvals.Formats;
using CommunityEvals.Ingestion.Accounts;
using CommunityEvals.Ingestion.Benchmarks;
using CommunityEvals.Ingestion.Commits;
using CommunityEvals.Ingestion.Files;
using CommunityEvals.Ingestion.Hiding;
using CommunityEvals.Ingestion.Repos;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Messaging;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    public const string ServiceName = "ingestion";

    public static void AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.AddEventStore(ServiceName, options =>
            {
                // Distinct per service: each service's daemon runs its own projections.
                options.Projections.DaemonLockId = 41_001;
                options.Projections.Add<UserProfileProjection>(ProjectionLifecycle.Inline);
                options.Projections.Snapshot<OrgAccount>(SnapshotLifecycle.Inline);
                options.Projections.Snapshot<RepoState>(SnapshotLifecycle.Inline);
                options.Projections.Snapshot<RegisteredBenchmark>(SnapshotLifecycle.Inline);
                options.Projections.Add<ResultLocationProjection>(ProjectionLifecycle.Inline);
            })
            .AddSubscriptionWithServices<EventForwarder>(ServiceLifetime.Singleton)
            .AddAsyncDaemon(DaemonMode.HotCold);

        builder.AddEventBus(ServiceName);

        var formats = builder.Configuration.GetSection("Formats").Get<FormatOptions>() ?? new FormatOptions();
        builder.Services.AddSingleton(new FormatParser(formats));
        builder.Services.AddSingleton<BenchmarkCatalogLoader>();
        builder.Services.AddSingleton<TrustedKeys>();
        builder.Services.AddHttpClient(TrustedKeys.VerificationClient, client => client.BaseAddress = new Uri("http://verification"));
        builder.Services.Configure<CommitLimits>(builder.Configuration.GetSection("Limits"));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);
        builder.Services.AddSingleton(BlobStore.FromConnectionString(EventStoreExtensions.ConnectionString(builder.Configuration)!, ServiceName));
        builder.Services.AddSingleton(UploadTickets.FromConfiguration(builder.Configuration));
        builder.Services.AddSingleton(TimeProvider.System);
    }
}
