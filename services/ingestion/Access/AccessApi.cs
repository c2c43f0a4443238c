using System.Text.Json;
using CommunityEvals.Contracts.Events;
using CommunityEvals.Ingestion.Accounts;
using CommunityEvals.Ingestion.Repos;
using CommunityEvals.Platform.Access;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Http;
using CommunityEvals.Platform.Identity;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityEvals.Ingestion.Access;

/// <summary>Repo settings and gated access (ACCESS.md "Visibility", "Gated test sets"), in the Hub's shapes.</summary>
public static class AccessApi
{
    public static IEndpointRouteBuilder MapAccessApi(this IEndpointRouteBuilder app)
    {
        app.MapPut("/api/{kinds:regex(^(models|datasets)$)}/{org}/{name}/settings", ChangeSettingsAsync).DescribesBody<SettingsRequest>(JsonBody.ContentType);
        var dataset = app.MapGroup("/api/datasets/{org}/{name}");
        dataset.MapPost("/ask-access", AskAccessAsync).DescribesOptionalBody<AskAccessRequest>(JsonBody.ContentType);
        dataset.MapGet("/user-access-request/{status:regex(^(pending|accepted|rejected)$)}", ListRequestsAsync);
        dataset.MapPost("/user-access-request/handle", HandleRequestAsync).DescribesBody<HandleRequest>(JsonBody.ContentType);
        dataset.MapPost("/user-access-request/grant", GrantAsync).DescribesBody<GrantRequest>(JsonBody.ContentType);
        return app;
    }

    public sealed record AccessRequestUser(string User, string Fullname);

    public sealed record AccessRequestItem(AccessRequestUser User, string Status, string Timestamp, string? Reason, string? RejectionReason);

    public sealed record AskAccessAnswer(string Status);

    public sealed record Empty;

    public sealed record HandleRequest(string? User, string? Status, string? RejectionReason);

    public sealed record GrantRequest(string? User);

    public sealed record AskAccessRequest(string? Reason);

    /// <summary>Fields kept as JSON: each may be a string, a boolean or missing (Undefined), and is checked by hand.</summary>
    public sealed record SettingsRequest(JsonElement Visibility, JsonElement Private, JsonElement Gated);

    public static async Task<Results<Ok<Empty>, ProblemDocumentResult>> ChangeSettingsAsync(
        string kinds, string org, string name, HttpRequest request, IDocumentStore store, CancellationToken cancellationToken)
    {
        var (body, bad) = await JsonBody.ReadAsync<SettingsRequest>(request, cancellationToken);
        var (actor, problem) = await store.RequireActorAsync(request, bad, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var (command, invalid) = ReadSettings(body!);
        if (invalid is not null)
        {
            return Problems.Create(StatusCodes.Status422UnprocessableEntity, "Validation failed", invalid,
                [new ValidationError("request body", null, null, null, null, invalid)]);
        }

        return await DecideAsync(store, actor!, RepoPaths.KindFromSegment(kinds)!, $"{org}/{name}",
            repo => AccessDecisions.Decide(command!, repo, actor!), cancellationToken);
    }

    /// <summary>
    /// The settings body: <c>visibility</c> ("public"/"private", what current clients send) or
    /// <c>private</c> (older clients), and <c>gated</c> (false, "auto", "manual").
    /// </summary>
    public static (ChangeSettings? Command, string? Problem) ReadSettings(SettingsRequest body)
    {
        var (isPrivate, problem) = Visibility.Read(body.Visibility, body.Private);
        if (problem is not null)
        {
            return (null, problem);
        }

        var gated = body.Gated;
        if (gated.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return (new ChangeSettings(isPrivate, null, ChangesGating: false), null);
        }

        return gated.ValueKind switch
        {
            JsonValueKind.False => (new ChangeSettings(isPrivate, null, ChangesGating: true), null),
            JsonValueKind.String when gated.GetString() is Gating.Auto or Gating.Manual => (new ChangeSettings(isPrivate, gated.GetString(), ChangesGating: true), null),
            _ => (null, "gated must be false, \"auto\" or \"manual\""),
        };
    }

    public static async Task<Results<Ok<AskAccessAnswer>, ProblemDocumentResult>> AskAccessAsync(
        string org, string name, HttpRequest request, IDocumentStore store, CancellationToken cancellationToken)
    {
        var (body, bad) = request.ContentLength is 0 or null && !request.Headers.ContentType.Any()
            ? (new AskAccessRequest(null), null)
            : await JsonBody.ReadAsync<AskAccessRequest>(request, cancellationToken);
        var (actor, problem) = await store.RequireActorAsync(request, bad, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var repoId = $"{org}/{name}";
        var refused = await DecideAsync(store, actor!, RepoPaths.Dataset, repoId,
            repo => AccessDecisions.Decide(new AskAccess(body!.Reason), repo, actor!), cancellationToken);
        if (refused.Result is ProblemDocumentResult failed)
        {
            return failed;
        }

        await using var session = store.QuerySession();
        var repo = await session.LoadAsync<RepoState>(StreamKeys.Repo(RepoPaths.Dataset, repoId), cancellationToken);
        return TypedResults.Ok(new AskAccessAnswer(repo?.Access.Request(actor!.Name)?.Status ?? Gating.Pending));
    }

    public static async Task<Results<Ok<List<AccessRequestItem>>, ProblemDocumentResult>> ListRequestsAsync(
        string org, string name, string status, HttpRequest request, IDocumentStore store, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        if (await session.LoadActorAsync(request, cancellationToken) is not { } actor)
        {
            return Problems.Unauthorized();
        }

        var repoId = $"{org}/{name}";
        if (await session.LoadVisibleRepoAsync(RepoPaths.Dataset, repoId, actor, cancellationToken) is not { } repo)
        {
            return Problems.RepoNotFound(RepoPaths.Dataset, repoId);
        }

        if (AccessDecisions.OwnerOnly(repo, actor)?.Rejection is { } rejection)
        {
            return rejection.ToProblem();
        }

        var items = repo.Access.Requests
            .Where(item => item.Status == status)
            .OrderBy(item => item.UpdatedAt)
            .Select(item => new AccessRequestItem(
                new AccessRequestUser(item.User, item.User),
                item.Status,
                item.UpdatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
                item.Reason,
                item.RejectionReason))
            .ToList();
        return TypedResults.Ok(items);
    }

    public static async Task<Results<Ok<Empty>, ProblemDocumentResult>> HandleRequestAsync(
        string org, string name, HttpRequest request, IDocumentStore store, CancellationToken cancellationToken)
    {
        var (body, bad) = await JsonBody.ReadAsync<HandleRequest>(request, cancellationToken);
        var (actor, problem) = await store.RequireActorAsync(request, bad, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (Required(("user", body!.User), ("status", body.Status)) is { } missing)
        {
            return missing;
        }

        return await DecideAsync(store, actor!, RepoPaths.Dataset, $"{org}/{name}",
            repo => AccessDecisions.Decide(new HandleAccessRequest(body.User!, body.Status!, body.RejectionReason), repo, actor!), cancellationToken);
    }

    public static async Task<Results<Ok<Empty>, ProblemDocumentResult>> GrantAsync(
        string org, string name, HttpRequest request, IDocumentStore store, CancellationToken cancellationToken)
    {
        var (body, bad) = await JsonBody.ReadAsync<GrantRequest>(request, cancellationToken);
        var (actor, problem) = await store.RequireActorAsync(request, bad, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (Required(("user", body!.User)) is { } missing)
        {
            return missing;
        }

        bool userExists;
        await using (var session = store.QuerySession())
        {
            userExists = Names.IsValid(body.User!) && await session.LoadAsync<UserProfile>(body.User!, cancellationToken) is not null;
        }

        return await DecideAsync(store, actor!, RepoPaths.Dataset, $"{org}/{name}",
            repo => AccessDecisions.DecideGrant(body.User!, userExists, repo, actor!), cancellationToken);
    }

    /// <summary>A 422 naming the first of <paramref name="fields"/> that is missing or empty; null when all are there.</summary>
    private static ProblemDocumentResult? Required(params (string Name, string? Value)[] fields) =>
        fields.FirstOrDefault(field => string.IsNullOrEmpty(field.Value)) is { Name: { } name }
            ? Problems.Create(StatusCodes.Status422UnprocessableEntity, "Validation failed", $"{name} is required",
                [new ValidationError("request body", null, null, null, name, $"{name} is required")])
            : null;

    /// <summary>Decides on the repo's current state (a missing repo is answered as missing) and appends.</summary>
    private static async Task<Results<Ok<Empty>, ProblemDocumentResult>> DecideAsync(
        IDocumentStore store, Actor actor, string kind, string repoId, Func<RepoState, Decision> decide, CancellationToken cancellationToken)
    {
        var stream = StreamKeys.Repo(kind, repoId);
        var (_, refused) = await store.DecideAndCommitAsync(actor.Caller, async session =>
        {
            await session.LockStreamsAsync(cancellationToken, stream);
            var repo = await session.LoadAsync<RepoState>(stream, cancellationToken);
            var decision = repo is null
                ? Decision.RepoNotFound(kind, repoId)
                : decide(repo);
            return (decision, true);
        }, cancellationToken);
        return refused is not null ? refused : TypedResults.Ok(new Empty());
    }
}

/// <summary>How clients say whether a repo is private: <c>visibility</c> now, <c>private</c> before.</summary>
public static class Visibility
{
    /// <summary>The privacy the body asks for (null: not said), or why the body is wrong.</summary>
    public static (bool? Private, string? Problem) Read(JsonElement visibility, JsonElement flag)
    {
        bool? isPrivate = null;
        if (flag.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
        {
            if (flag.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return (null, "private must be true or false");
            }

            isPrivate = flag.GetBoolean();
        }

        if (visibility.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
        {
            var said = visibility.ValueKind == JsonValueKind.String ? visibility.GetString() : null;
            if (said is not ("public" or "private"))
            {
                return (null, "visibility must be \"public\" or \"private\"");
            }

            if (isPrivate is { } earlier && earlier != (said == "private"))
            {
                return (null, "visibility and private disagree");
            }

            isPrivate = said == "private";
        }

        return (isPrivate, null);
    }
}
