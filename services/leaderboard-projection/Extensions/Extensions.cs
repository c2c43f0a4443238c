using CommunityEvals.LeaderboardProjection.Arena;
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

    /// <summary>Events per page the daemon hands a projection (the library's default is 500).</summary>
    public const int PageSize = 2_000;

    /// <summary>Changed documents a rebuild keeps in memory before it writes them.</summary>
    public const int RebuildFlushThreshold = 50_000;

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddEventStore(ServiceName, options =>
            {
                // Distinct per service: each service's daemon runs its own projections.
                options.Projections.DaemonLockId = 41_003;
                options.Projections.Add(new FeedProjection(), ProjectionLifecycle.Async, FeedProjection.ProjectionName);
                // Repo pages, discussions, result records and benchmarks (see Shared/ReadModels.cs).
                options.AddRepoReadModels(ProjectionLifecycle.Async);
                // Boards and the score changes they cause (see Leaderboards/LeaderboardProjection.cs).
                options.AddLeaderboards(ProjectionLifecycle.Async);
                foreach (var projection in options.Projections.All)
                {
                    // Pages of events: bigger pages mean fewer writes of the same document while
                    // catching up or rebuilding; live, a page holds only what is new.
                    projection.Options.BatchSize = PageSize;
                    // Rebuilds of the per-document projections keep each document in memory and
                    // write it once per this many documents changed instead of once per page
                    // (the daemon holds its progress back until they are written).
                    projection.Options.RebuildFlushThreshold = RebuildFlushThreshold;
                }
            })
            .AddAsyncDaemon(DaemonMode.HotCold);

        builder.AddEventBus(ServiceName);

        // What has to know at once that this node's daemon committed a page.
        var commits = new ProjectionCommits();
        builder.Services.AddSingleton(commits);
        builder.Services.ConfigureMarten(options => options.Projections.AsyncListeners.Add(commits));

        // Serialized live boards, dropped whenever the boards change (see Leaderboards/BoardCache.cs).
        builder.AddBoardCache(commits);

        // Score changes: woken readers (SSE), and the one publisher to RabbitMQ.
        builder.Services.AddSingleton<ScoreChangeSignal>();
        builder.Services.AddHostedService<ScoreChangeWatcher>();
        builder.Services.AddSingleton<PublishedChangesJournal>();
        builder.Services.AddHostedService<ScoreChangePublisher>();
        // Arena ratings changes to RabbitMQ (see Arena/ArenaChangePublisher.cs).
        builder.Services.AddHostedService<ArenaChangePublisher>();
    }
}
