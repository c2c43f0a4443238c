using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CommunityEvals.Contracts.Events;
using CommunityEvals.Formats;
using CommunityEvals.LeaderboardProjection.Benchmarks;
using CommunityEvals.LeaderboardProjection.Leaderboards;
using CommunityEvals.Platform.Http;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

using CommunityEvals.LeaderboardProjection.Shared;

namespace CommunityEvals.LeaderboardProjection.Arena;

/// <summary>The arena's read side (ARENA.md): ratings with intervals per task and dimension, and the public vote log.</summary>
public static class ArenaApi
{
    public const int BootstrapRounds = 1_000;

    public const int MaxVotesPage = 1_000;

    public static IEndpointRouteBuilder MapArenaApi(this IEndpointRouteBuilder app)
    {
        var task = app.MapGroup("/api/arena/{org}/{name}/{taskId}");
        task.MapGet("/leaderboard", GetLeaderboardAsync);
        task.MapGet("/votes", GetVotesAsync);
        return app;
    }

    public sealed record Method(string Model, int Scale, int Base, string Prior, string Ties, int BootstrapRounds, double Interval);

    public sealed record ArenaRow(int Rank, string ModelId, double Rating, double Lower, double Upper, int Votes, int Wins, int Losses, int Ties);

    public sealed record ArenaLeaderboard(
        string Benchmark,
        string Task,
        string Dimension,
        DateTimeOffset? AsOf,
        DateTimeOffset ComputedAt,
        int Votes,
        Method Method,
        IReadOnlyList<ArenaRow> Rows,
        long? IntervalsAsOfVote);

    public static readonly Method TheMethod = new("bradley-terry", 400, 10, "one tie vs 1000", "half", BootstrapRounds, 0.95);

    public static async Task<Results<Ok<ArenaLeaderboard>, StatusCodeHttpResult, ProblemDocumentResult>> GetLeaderboardAsync(
        string org, string name, string taskId, string? dimension, HttpContext context, IQuerySession session, CancellationToken cancellationToken)
    {
        var benchmarkId = $"{org}/{name}";
        taskId = Uri.UnescapeDataString(taskId);
        var (chosen, problem) = await DimensionAsync(session, benchmarkId, taskId, dimension, context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        DateTimeOffset? asOf = null;
        if (context.Request.Query["as_of"].FirstOrDefault() is { Length: > 0 } asOfText)
        {
            if (LeaderboardsApi.ParseTime(asOfText) is not { } parsed)
            {
                return Problems.BadRequest("'as_of' must be an ISO-8601 time, e.g. 2026-03-01T12:00:00Z.");
            }

            asOf = parsed.ToUniversalTime();
        }

        var board = await session.LoadAsync<ArenaBoard>(ArenaBoard.Key(benchmarkId, taskId), cancellationToken);
        var excluded = await ExcludedVotersAsync(session, cancellationToken);
        var counted = (board?.Votes ?? [])
            .Where(vote => vote.Dimension == chosen!.Id && (asOf is null || vote.OccurredAt <= asOf) && vote.ExcludedBecause(excluded.Contains(vote.Voter)) is null)
            .ToList();
        var key = ArenaRatings.Key(benchmarkId, taskId, chosen!.Id, asOf, counted, excluded);
        var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32]}\"";
        context.Response.Headers.ETag = etag;
        if (LeaderboardsApi.Matches(context.Request.Headers.IfNoneMatch, etag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Ok(ArenaRatings.For(benchmarkId, taskId, chosen.Id, asOf, counted, excluded));
    }

    public sealed record VoteEntry(
        long Sequence,
        string BattleId,
        string SampleId,
        string Dimension,
        IReadOnlyList<string> Models,
        string Winner,
        string Voter,
        bool Counted,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ExcludedBecause,
        DateTimeOffset OccurredAt);

    public sealed record VotesPage(IReadOnlyList<VoteEntry> Votes, long? Next);

    public static async Task<Results<Ok<VotesPage>, ProblemDocumentResult>> GetVotesAsync(
        string org, string name, string taskId, string? after, string? limit, HttpRequest request, IQuerySession session, CancellationToken cancellationToken)
    {
        var benchmarkId = $"{org}/{name}";
        taskId = Uri.UnescapeDataString(taskId);
        long afterSequence = 0;
        if (after is not null && (!long.TryParse(after, out afterSequence) || afterSequence < 0))
        {
            return Problems.BadRequest("'after' must be a non-negative integer sequence number.");
        }

        var pageSize = 100;
        if (limit is not null && (!int.TryParse(limit, out pageSize) || pageSize < 1 || pageSize > MaxVotesPage))
        {
            return Problems.BadRequest($"'limit' must be an integer from 1 to {MaxVotesPage}.");
        }

        var (_, problem) = await DimensionAsync(session, benchmarkId, taskId, null, request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var board = await session.LoadAsync<ArenaBoard>(ArenaBoard.Key(benchmarkId, taskId), cancellationToken);
        var excluded = await ExcludedVotersAsync(session, cancellationToken);
        var votes = (board?.Votes ?? []).Where(vote => vote.Sequence > afterSequence).Take(pageSize + 1).ToList();
        var page = votes.Take(pageSize).Select(vote =>
        {
            var because = vote.ExcludedBecause(excluded.Contains(vote.Voter));
            return new VoteEntry(vote.Sequence, vote.BattleId, vote.SampleId, vote.Dimension, [vote.ModelA, vote.ModelB], vote.Winner, vote.Voter,
                because is null, because, vote.OccurredAt);
        }).ToList();
        return TypedResults.Ok(new VotesPage(page, votes.Count > pageSize ? page[^1].Sequence : null));
    }

    /// <summary>The task's dimension asked for (the first when none is), or why there is none: 404 for an unknown benchmark, task or dimension.</summary>
    private static async Task<(ArenaDimension? Dimension, ProblemDocumentResult? Problem)> DimensionAsync(
        IQuerySession session, string benchmarkId, string taskId, string? dimension, HttpRequest request, CancellationToken cancellationToken)
    {
        if (await session.IsHiddenFromAsync("dataset", benchmarkId, request, cancellationToken))
        {
            return (null, Problems.RepoNotFound("dataset", benchmarkId));
        }

        var benchmark = await session.LoadAsync<BenchmarkDocument>(StreamKeys.Benchmark(benchmarkId), cancellationToken);
        if (benchmark is null)
        {
            return (null, Problems.NotFound($"{benchmarkId} is not a registered benchmark"));
        }

        if (!benchmark.TaskIds().Contains(taskId))
        {
            return (null, Problems.NotFound($"{benchmarkId} has no task '{taskId}'"));
        }

        var dimensions = ArenaDimension.FromDefinition(benchmark.Definition);
        var chosen = string.IsNullOrEmpty(dimension) ? dimensions[0] : dimensions.FirstOrDefault(d => d.Id == dimension);
        return chosen is null
            ? (null, Problems.NotFound($"{benchmarkId} task '{taskId}' has no arena dimension '{dimension}'; dimensions: {string.Join(", ", dimensions.Select(d => d.Id))}"))
            : (chosen, null);
    }

    public static async Task<HashSet<string>> ExcludedVotersAsync(IQuerySession session, CancellationToken cancellationToken) =>
        [.. (await session.Query<ArenaVoterStatus>().Where(status => status.Excluded).ToListAsync(cancellationToken)).Select(status => status.Id)];
}
