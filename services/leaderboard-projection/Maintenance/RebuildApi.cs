using System.Diagnostics;
using CommunityEvals.Platform.Http;
using CommunityEvals.Platform.Identity;
using JasperFx.Events.Daemon;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityEvals.LeaderboardProjection.Maintenance;

/// <summary>
/// Rebuilds every read model of this service from the event log (admin only), all projections
/// side by side. Each is torn down and replayed by the running daemon, which pauses that
/// projection meanwhile; the score-change log is kept (see <see cref="Leaderboards.LeaderboardReadModels"/>),
/// so nothing is published twice.
/// </summary>
public static class RebuildApi
{
    public static IEndpointRouteBuilder MapRebuildApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/admin/projections").MapPost("/rebuild", RebuildAsync);
        return app;
    }

    public sealed record RebuiltProjection(string Name, double Seconds);

    public sealed record RebuildReport(IReadOnlyList<RebuiltProjection> Rebuilt);

    public static async Task<Results<Ok<RebuildReport>, ProblemDocumentResult>> RebuildAsync(
        HttpRequest request, Marten.Events.Daemon.Coordination.IProjectionCoordinator coordinator, Marten.IDocumentStore store, CancellationToken cancellationToken)
    {
        switch (Caller.From(request))
        {
            case null:
                return Problems.Unauthorized();
            case { IsAdmin: false }:
                return Problems.Forbidden("Only the admin may rebuild projections.");
        }

        var daemon = coordinator.DaemonForMainDatabase();
        var shards = daemon.CurrentAgents().Select(agent => agent.Name).ToList();
        var names = shards.Select(shard => shard.Name).Distinct().Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "Not the active node",
                "This instance does not run the projections right now (another instance holds them); retry.");
        }

        await EventLogStatistics.RefreshAsync(store, cancellationToken);
        // Side by side: each projection reads the log on its own, and together they keep both
        // cores busy where one after another leaves the machine half idle (eng/bench.sh rebuild).
        var rebuilt = await Task.WhenAll(names.Select(async name =>
        {
            var clock = Stopwatch.StartNew();
            try
            {
                await daemon.RebuildProjectionAsync(name, TimeSpan.FromMinutes(30), cancellationToken);
            }
            finally
            {
                // The daemon stops the projection's continuous agents to rebuild it and does not start them
                // again (jasperfx#535): without this the projection would stop following the log for good.
                var running = daemon.CurrentAgents()
                    .Where(agent => agent.Status == JasperFx.AgentStatus.Running)
                    .Select(agent => agent.Name.Identity)
                    .ToHashSet(StringComparer.Ordinal);
                foreach (var shard in shards.Where(shard => shard.Name == name && !running.Contains(shard.Identity)))
                {
                    await daemon.StartAgentAsync(shard, CancellationToken.None);
                }
            }

            return new RebuiltProjection(name, Math.Round(clock.Elapsed.TotalSeconds, 3));
        }));

        return TypedResults.Ok(new RebuildReport(rebuilt));
    }
}
