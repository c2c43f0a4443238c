using CommunityEvals.LeaderboardProjection.Arena;
using CommunityEvals.LeaderboardProjection.Benchmarks;
using CommunityEvals.LeaderboardProjection.Discussions;
using CommunityEvals.LeaderboardProjection.Models;
using CommunityEvals.LeaderboardProjection.Results;
using JasperFx.Events.Projections;
using Marten;

namespace CommunityEvals.LeaderboardProjection.Shared;

/// <summary>The read models of repos, pull requests, results, benchmarks and the arena, and their indexes.</summary>
public static class ReadModels
{
    /// <param name="lifecycle">Async in the service (the daemon runs them); Inline lets a test fold events at once.</param>
    public static void AddRepoReadModels(this StoreOptions options, ProjectionLifecycle lifecycle = ProjectionLifecycle.Async)
    {
        options.Projections.Add(new RepoPageProjection(), lifecycle);
        options.Projections.Add(new DiscussionProjection(), lifecycle);
        options.Projections.Add(new ResultRecordProjection(), lifecycle);
        options.Projections.Add(new BenchmarkProjection(), lifecycle);
        // The arena's votes per task and the admin's exclusions of voters (see Arena/ArenaDocuments.cs).
        options.Projections.Add(new ArenaBoardProjection(), lifecycle);
        options.Projections.Add(new ArenaVoterProjection(), lifecycle);

        // Discussion lists are read per repo; the dataset list reads dataset repos.
        options.Schema.For<Discussion>().Index(discussion => discussion.RepoKey);
        options.Schema.For<RepoPage>().Index(page => page.Kind).Index(page => page.Private);
    }
}
