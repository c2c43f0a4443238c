using CommunityEvals.Contracts.Events;
using CommunityEvals.Ingestion.Accounts;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Http;
using CommunityEvals.Platform.Identity;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityEvals.Ingestion.Repos;

public static class ReposApi
{
    public static IEndpointRouteBuilder MapReposApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/repos").MapPost("/create", CreateRepoAsync).DescribesBody<CreateRepoRequest>(JsonBody.ContentType);
        return app;
    }

    public sealed record CreateRepoRequest(string? Name, string? Organization, string? Type, System.Text.Json.JsonElement Visibility, System.Text.Json.JsonElement Private);

    public sealed record CreatedRepo(string Url, string Id);

    public static async Task<Results<Ok<CreatedRepo>, ProblemDocumentResult>> CreateRepoAsync(
        HttpRequest request, IDocumentStore store, CancellationToken cancellationToken)
    {
        await using var query = store.QuerySession();
        if (await query.LoadActorAsync(request, cancellationToken) is not { } actor)
        {
            return Problems.Unauthorized();
        }

        var (body, problem) = await JsonBody.ReadAsync<CreateRepoRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        // Hub clients may send "org/name" as the name; the part before the slash is the namespace.
        var name = body!.Name ?? "";
        var organization = body.Organization;
        if (name.Split('/') is [var prefix, var rest] && organization is null)
        {
            (organization, name) = (prefix, rest);
        }

        var (isPrivate, invalid) = Access.Visibility.Read(body.Visibility, body.Private);
        if (invalid is not null)
        {
            return Problems.Create(StatusCodes.Status422UnprocessableEntity, "Validation failed", invalid,
                [new ValidationError("request body", null, null, null, "visibility", invalid)]);
        }

        var command = new CreateRepo(body.Type ?? RepoPaths.Model, name, organization, isPrivate ?? false);
        var owner = string.IsNullOrEmpty(organization) ? actor.Name : organization;
        var repoId = $"{owner}/{name}";
        var (_, refused) = await store.DecideAndCommitAsync(actor.Caller, async session =>
        {
            await session.LockStreamsAsync(cancellationToken, StreamKeys.Repo(command.Kind, repoId));
            bool? namespaceIsOrg = Names.IsValid(owner)
                ? await session.LoadAsync<OrgAccount>(StreamKeys.Org(owner), cancellationToken) is not null
                : null;
            var existing = Names.IsValid(owner) && Names.IsValid(name)
                ? await session.LoadAsync<RepoState>(StreamKeys.Repo(command.Kind, repoId), cancellationToken)
                : null;
            return (RepoDecisions.Decide(command, actor, namespaceIsOrg, existing), true);
        }, cancellationToken);

        return refused is not null
            ? refused
            : TypedResults.Ok(new CreatedRepo(RepoUrls.Repo(request, command.Kind, repoId), repoId));
    }
}
