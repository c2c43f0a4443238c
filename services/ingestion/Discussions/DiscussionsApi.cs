using CommunityEvals.Contracts.Events;
using CommunityEvals.Formats;
using CommunityEvals.Ingestion.Accounts;
using CommunityEvals.Ingestion.Benchmarks;
using CommunityEvals.Ingestion.Repos;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Http;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityEvals.Ingestion.Discussions;

/// <summary>Writes to pull requests; reading them is the projection service's job.</summary>
public static class DiscussionsApi
{
    public static IEndpointRouteBuilder MapDiscussionsApi(this IEndpointRouteBuilder app)
    {
        var discussions = app.MapGroup("/api/{kinds:regex(^(models|datasets)$)}/{org}/{name}/discussions/{num:int}");
        discussions.MapPost("/comment", CommentAsync).DescribesBody<CommentRequest>(JsonBody.ContentType);
        discussions.MapPost("/status", ChangeStatusAsync).DescribesBody<StatusRequest>(JsonBody.ContentType);
        discussions.MapPost("/merge", MergeAsync).DescribesOptionalBody<MergeRequest>(JsonBody.ContentType);
        return app;
    }

    public sealed record CommentRequest(string? Comment);

    public sealed record StatusRequest(string? Status, string? Comment);

    public sealed record MergeRequest(string? Comment);

    public sealed record Done(bool Success);

    public static async Task<Results<Ok<Done>, ProblemDocumentResult>> CommentAsync(
        string kinds, string org, string name, int num, HttpRequest request, IDocumentStore store, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<CommentRequest>(request, cancellationToken);
        return await RunAsync(kinds, org, name, request, store, problem, (session, repo, actor) =>
            Task.FromResult(DiscussionDecisions.Decide(new CommentOn(num, body?.Comment ?? ""), repo)), cancellationToken);
    }

    public static async Task<Results<Ok<Done>, ProblemDocumentResult>> ChangeStatusAsync(
        string kinds, string org, string name, int num, HttpRequest request, IDocumentStore store, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<StatusRequest>(request, cancellationToken);
        return await RunAsync(kinds, org, name, request, store, problem, (session, repo, actor) =>
            Task.FromResult(DiscussionDecisions.Decide(new ChangeStatus(num, body?.Status ?? "", body?.Comment), repo, actor)), cancellationToken);
    }

    public static async Task<Results<Ok<Done>, ProblemDocumentResult>> MergeAsync(
        string kinds, string org, string name, int num, HttpRequest request, IDocumentStore store,
        FormatParser parser, BenchmarkCatalogLoader catalogs, CancellationToken cancellationToken)
    {
        // The Hub's clients send an empty body or {"comment": ...}.
        MergeRequest? body = null;
        ProblemDocumentResult? problem = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            (body, problem) = await JsonBody.ReadAsync<MergeRequest>(request, cancellationToken);
        }

        var commitOid = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        return await RunAsync(kinds, org, name, request, store, problem, async (session, repo, actor) =>
        {
            var catalog = await catalogs.LoadAsync(session, cancellationToken);
            var benchmark = repo.Kind == RepoPaths.Dataset
                ? await session.LoadAsync<RegisteredBenchmark>(StreamKeys.Benchmark(repo.Repo), cancellationToken)
                : null;
            return DiscussionDecisions.Decide(new Merge(num, commitOid, body?.Comment), repo, actor, parser, catalog, benchmark);
        }, cancellationToken);
    }

    private static async Task<Results<Ok<Done>, ProblemDocumentResult>> RunAsync(
        string kinds, string org, string name, HttpRequest request, IDocumentStore store, ProblemDocumentResult? bodyProblem,
        Func<IDocumentSession, RepoState, Actor, Task<Decision>> decide, CancellationToken cancellationToken)
    {
        var (actor, problem) = await store.RequireActorAsync(request, bodyProblem, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var kind = RepoPaths.KindFromSegment(kinds)!;
        var stream = StreamKeys.Repo(kind, $"{org}/{name}");
        var (_, refused) = await store.DecideAndCommitAsync(actor!.Caller, async session =>
        {
            await session.LockStreamsAsync(cancellationToken, stream, StreamKeys.Benchmark($"{org}/{name}"));
            if (await session.LoadAsync<RepoState>(stream, cancellationToken) is not { } repo || !actor.Sees(repo))
            {
                return (Decision.RepoNotFound(kind, $"{org}/{name}"), true);
            }

            return (await decide(session, repo, actor), true);
        }, cancellationToken);

        return refused is not null ? refused : TypedResults.Ok(new Done(true));
    }
}
