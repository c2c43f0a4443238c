using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Messaging;
using CommunityEvals.Verification.Inbox;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    public const string ServiceName = "verification";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddEventStore(ServiceName, options => options.Projections.DaemonLockId = 41_002);
        builder.AddEventBus(ServiceName, bus => bus.AddConsumer<EventCommittedConsumer>());
    }
}
