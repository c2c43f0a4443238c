using System.Diagnostics;
using CommunityEvals.LeaderboardProjection.Leaderboards;
using CommunityEvals.Platform.Http;
using CommunityEvals.Platform.Identity;
using JasperFx.Events.Daemon;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityEvals.LeaderboardProjection.Maintenance;

/// <summary>
/// Rebuilds every read model of this service from the event log (admin only), in one pass over
/// the log (<see cref="OnePassRebuild"/>) while the projection coordinator is paused. Readers
/// see the old read models until the new ones are committed; the score-change log is kept, so
/// nothing is published twice.
/// </summary>
public static class RebuildApi
{
    public static IEndpointRouteBuilder MapRebuildApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/admin/projections").MapPost("/rebuild", RebuildAsync);
        return app;
    }

    public sealed record RebuildReport(IReadOnlyList<string> Projections, long Through, long Events, int Documents, double Seconds);

    public static async Task<Results<Ok<RebuildReport>, ProblemDocumentResult>> RebuildAsync(
        HttpRequest request, Marten.Events.Daemon.Coordination.IProjectionCoordinator coordinator, Marten.IDocumentStore store, BoardCache boardCache, CancellationToken cancellationToken)
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
        if (shards.Count == 0)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "Not the active node",
                "This instance does not run the projections right now (another instance holds them); retry.");
        }

        var clock = Stopwatch.StartNew();
        // The chunks are read as the daemon reads its pages: without fresh statistics PostgreSQL may sort the whole log for each.
        await EventLogStatistics.RefreshAsync(store, cancellationToken);
        // Paused, the coordinator stops this node's agents and does not start them again on its own
        // (as it would a stopped agent within seconds), and keeps the lock another node would take over with.
        await coordinator.PauseAsync();
        OnePassRebuild.Outcome outcome;
        try
        {
            // The agents are stopped, so none has gone past the mark: started again, they go on from it.
            outcome = await OnePassRebuild.RunAsync(store, [.. shards.Select(shard => shard.Identity)], daemon.Tracker.HighWaterMark, cancellationToken);
        }
        finally
        {
            await coordinator.ResumeAsync();
            boardCache.Invalidate();
        }

        return TypedResults.Ok(new RebuildReport(
            [.. shards.Select(shard => shard.Name).Distinct().Order(StringComparer.Ordinal)],
            outcome.Through, outcome.Events, outcome.Documents, Math.Round(clock.Elapsed.TotalSeconds, 3)));
    }
}
