using CommunityEvals.Ingestion.Accounts;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Messaging;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    public const string ServiceName = "ingestion";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddEventStore(ServiceName, options =>
            {
                // Distinct per service: each service's daemon runs its own projections.
                options.Projections.DaemonLockId = 41_001;
                options.Projections.Add<UserProfileProjection>(ProjectionLifecycle.Inline);
                options.Projections.Snapshot<OrgAccount>(SnapshotLifecycle.Inline);
            })
            .AddSubscriptionWithServices<EventForwarder>(ServiceLifetime.Singleton)
            .AddAsyncDaemon(DaemonMode.HotCold);

        builder.AddEventBus(ServiceName);
    }
}
