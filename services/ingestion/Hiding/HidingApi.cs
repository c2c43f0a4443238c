using CommunityEvals.Contracts.Events;
using CommunityEvals.Ingestion.Accounts;
using CommunityEvals.Ingestion.Repos;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Http;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityEvals.Ingestion.Hiding;

/// <summary>Which repo stream a result lives in, so hiding can find the repo from a result id alone.</summary>
public sealed class ResultLocation
{
    public string Id { get; set; } = "";

    public string Stream { get; set; } = "";
}

public sealed record HideResult(string ResultId, string Reason);

public sealed record UnhideResult(string ResultId);

public static class HidingDecisions
{
    public const int MaxReasonLength = 2_000;

    public static Decision Decide(HideResult command, RepoState repo, Actor actor)
    {
        if (Refuse(command.ResultId, repo, actor) is { } refused)
        {
            return refused;
        }

        if (string.IsNullOrWhiteSpace(command.Reason) || command.Reason.Length > MaxReasonLength)
        {
            return Decision.Reject(RejectionKind.Invalid, $"reason is required: public text of at most {MaxReasonLength} characters");
        }

        return repo.HiddenResults.Contains(command.ResultId)
            ? Decision.Accept()
            : Decision.Accept(new PendingEvent(StreamKeys.Repo(repo.Kind, repo.Repo), new ResultHidden(repo.Repo, command.ResultId, command.Reason.Trim()), repo.Version));
    }

    public static Decision Decide(UnhideResult command, RepoState repo, Actor actor)
    {
        if (Refuse(command.ResultId, repo, actor) is { } refused)
        {
            return refused;
        }

        return repo.HiddenResults.Contains(command.ResultId)
            ? Decision.Accept(new PendingEvent(StreamKeys.Repo(repo.Kind, repo.Repo), new ResultUnhidden(repo.Repo, command.ResultId), repo.Version))
            : Decision.Accept();
    }

    private static Decision? Refuse(string resultId, RepoState repo, Actor actor) =>
        !repo.HasResult(resultId) ? Decision.Reject(RejectionKind.NotFound, $"result {resultId} does not exist")
        : !actor.Owns(repo) ? Decision.Reject(RejectionKind.Forbidden, $"only the owner of {repo.Repo} may hide or unhide its results")
        : null;
}

public static class HidingApi
{
    public static IEndpointRouteBuilder MapHidingApi(this IEndpointRouteBuilder app)
    {
        var result = app.MapGroup("/api/results/{id}");
        result.MapPost("/hide", HideAsync).DescribesBody<HideRequest>(JsonBody.ContentType);
        result.MapPost("/unhide", UnhideAsync);
        return app;
    }

    public sealed record HideRequest(string? Reason);

    public sealed record HidingState(string Id, bool Hidden, string? HiddenReason);

    public static async Task<Results<Ok<HidingState>, ProblemDocumentResult>> HideAsync(
        string id, HttpRequest request, IDocumentStore store, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<HideRequest>(request, cancellationToken);
        var reason = body?.Reason ?? "";
        var refused = await RunAsync(id, request, store, problem, (repo, actor) => HidingDecisions.Decide(new HideResult(id, reason), repo, actor), cancellationToken);
        return refused is not null ? refused : TypedResults.Ok(new HidingState(id, true, reason.Trim()));
    }

    public static async Task<Results<Ok<HidingState>, ProblemDocumentResult>> UnhideAsync(
        string id, HttpRequest request, IDocumentStore store, CancellationToken cancellationToken)
    {
        var refused = await RunAsync(id, request, store, null, (repo, actor) => HidingDecisions.Decide(new UnhideResult(id), repo, actor), cancellationToken);
        return refused is not null ? refused : TypedResults.Ok(new HidingState(id, false, null));
    }

    private static async Task<ProblemDocumentResult?> RunAsync(
        string id, HttpRequest request, IDocumentStore store, ProblemDocumentResult? bodyProblem,
        Func<RepoState, Actor, Decision> decide, CancellationToken cancellationToken)
    {
        var (actor, problem) = await store.RequireActorAsync(request, bodyProblem, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var (_, refused) = await store.DecideAndCommitAsync(actor!.Caller, async session =>
        {
            var location = await session.LoadAsync<ResultLocation>(id, cancellationToken);
            if (location is not null)
            {
                await session.LockStreamsAsync(cancellationToken, location.Stream);
            }

            var repo = location is null ? null : await session.LoadAsync<RepoState>(location.Stream, cancellationToken);
            return (repo is null || !actor!.Sees(repo) ? Decision.Reject(RejectionKind.NotFound, $"result {id} does not exist") : decide(repo, actor), true);
        }, cancellationToken);
        return refused;
    }
}
