using CommunityEvals.LeaderboardProjection.Feed;
using CommunityEvals.LeaderboardProjection.Leaderboards;
using CommunityEvals.LeaderboardProjection.ScoreChanges;
using CommunityEvals.LeaderboardProjection.Shared;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Messaging;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    public const string ServiceName = "projection";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddEventStore(ServiceName, options =>
            {
                // Distinct per service: each service's daemon runs its own projections.
                options.Projections.DaemonLockId = 41_003;
                options.Projections.Add(new FeedProjection(), ProjectionLifecycle.Async);
                // Repo pages, discussions, result records and benchmarks (see Shared/ReadModels.cs).
                options.AddRepoReadModels(ProjectionLifecycle.Async);
                // Boards and the score changes they cause (see Leaderboards/LeaderboardProjection.cs).
                options.AddLeaderboards(ProjectionLifecycle.Async);
            })
            .AddAsyncDaemon(DaemonMode.HotCold);

        builder.AddEventBus(ServiceName);

        // Serialized live boards, dropped whenever the boards change (see Leaderboards/BoardCache.cs).
        builder.AddBoardCache();

        // Score changes: woken readers (SSE), and the one publisher to RabbitMQ.
        builder.Services.AddSingleton<ScoreChangeSignal>();
        builder.Services.AddHostedService<ScoreChangeWatcher>();
        builder.Services.AddHostedService<ScoreChangePublisher>();
    }
}
