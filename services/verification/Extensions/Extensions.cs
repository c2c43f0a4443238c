using CommunityEvals.Evidence;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Messaging;
using CommunityEvals.Verification.Arena;
using CommunityEvals.Verification.Evidence;
using CommunityEvals.Verification.Inbox;
using JasperFx.Events.Projections;
using Marten;
using MassTransit;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    public const string ServiceName = "verification";

    public static void AddApplicationServices(this WebApplicationBuilder builder)
    {
        builder.AddEventStore(ServiceName, options =>
        {
            options.Projections.DaemonLockId = 41_002;
            options.Projections.Snapshot<ResultVerification>(SnapshotLifecycle.Inline);
            // Failures are read by the evidence that published them (a merge carries evidence to a new result).
            options.Schema.For<FailureSample>().Index(failure => failure.EvidenceId);
        });
        // One message at a time: facts must be kept in the order the log wrote them, and a
        // verification that failed for a passing reason (the database) is tried again.
        builder.AddEventBus(ServiceName, bus => bus.AddConsumer<EventCommittedConsumer>(consumer =>
        {
            consumer.ConcurrentMessageLimit = 1;
            consumer.UseMessageRetry(retry => retry.Intervals(500, 2_000, 5_000));
        }));

        // Evidence and signing keys live under the service's data directory and survive restarts.
        var dataDirectory = builder.Configuration["COMMUNITYEVALS_DATA_DIR"]
            ?? Path.Combine(AppContext.BaseDirectory, "data");
        builder.Services.AddSingleton(new EvidenceStorage(Path.Combine(dataDirectory, "evidence")));
        builder.Services.AddSingleton<IVerifyKeyStore>(_ => DirectoryVerifyKeyStore.Open(Path.Combine(dataDirectory, "keys")));
        builder.Services.AddSingleton<VerifyTokenSigner>();
        builder.Services.AddSingleton<EvidenceProcessor>();
        builder.Services.AddSingleton(BattleTickets.FromConfiguration(builder.Configuration));
        builder.Services.AddSingleton(TimeProvider.System);
        // The arena serves battles only between models whose results may count: the projection's public board says which.
        builder.Services.AddHttpClient(ArenaApi.ProjectionClient, client => client.BaseAddress = new Uri("http://leaderboard-projection"));
        builder.Services.Configure<EvidenceLimits>(builder.Configuration.GetSection("Limits"));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);
    }
}
