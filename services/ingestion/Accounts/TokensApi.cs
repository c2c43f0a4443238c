using CommunityEvals.Contracts.Events;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Http;
using CommunityEvals.Platform.Identity;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityEvals.Ingestion.Accounts;

/// <summary>
/// A user's named tokens (ACCESS.md "Tokens"): listed without their secret, created with the secret
/// shown once, revoked by their user or the admin. Revoking deletes the stored hash, so the gateway's
/// next lookup finds nothing; its cache keeps an answer for less than a second.
/// </summary>
public static class TokensApi
{
    public static IEndpointRouteBuilder MapTokensApi(this IEndpointRouteBuilder app)
    {
        var own = app.MapGroup("/api/settings/tokens").RequireAuthorization(GatewayAuthentication.Policies.User);
        own.MapGet("", ListAsync);
        // A retry must not show the secret again (nor may the idempotency store keep it).
        own.MapPost("", CreateAsync).ShownOnce().DescribesBody<CreateTokenRequest>(JsonBody.ContentType);
        own.MapDelete("/{id}", RevokeOwnAsync);

        app.MapGroup("/api/users/{user}/tokens").RequireAuthorization(GatewayAuthentication.Policies.Admin)
            .MapDelete("/{id}", RevokeAnyAsync);
        return app;
    }

    public sealed record TokenInfo(string Id, string DisplayName, string Role, DateTimeOffset CreatedAt);

    public sealed record CreatedToken(string Id, string DisplayName, string Role, DateTimeOffset CreatedAt, string Token);

    public sealed record CreateTokenRequest(string? DisplayName, string? Role);

    public static async Task<Ok<List<TokenInfo>>> ListAsync(HttpRequest request, IQuerySession session, CancellationToken cancellationToken)
    {
        var caller = Caller.From(request)!;
        var tokens = await session.Query<AccessToken>()
            .Where(token => token.User == caller.Name)
            .OrderBy(token => token.CreatedAt)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(tokens.Select(token => new TokenInfo(token.TokenId, token.DisplayName, token.EffectiveRole(), token.CreatedAt)).ToList());
    }

    public static async Task<Results<Created<CreatedToken>, ProblemDocumentResult>> CreateAsync(
        HttpRequest request, IDocumentStore store, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<CreateTokenRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var caller = Caller.From(request)!;
        var command = new CreateToken(caller.Name, TokenDecisions.NewTokenId(), body!.DisplayName, body.Role);
        var secret = TokenHash.NewToken();
        var (created, refused) = await store.DecideAndCommitAsync(caller, async session =>
        {
            var state = await LoadAsync(session, caller.Name, cancellationToken);
            var decision = TokenDecisions.Decide(command, state);
            return (decision, StoreIssued(session, decision, secret));
        }, cancellationToken);

        return refused is not null
            ? refused
            : TypedResults.Created((string?)null, new CreatedToken(created!.TokenId, created.DisplayName, created.Role, created.CreatedAt, secret));
    }

    public static Task<Results<NoContent, ProblemDocumentResult>> RevokeOwnAsync(
        string id, HttpRequest request, IDocumentStore store, CancellationToken cancellationToken)
    {
        var caller = Caller.From(request)!;
        return RevokeAsync(caller, new RevokeToken(caller.Name, id), store, cancellationToken);
    }

    public static Task<Results<NoContent, ProblemDocumentResult>> RevokeAnyAsync(
        string user, string id, HttpRequest request, IDocumentStore store, CancellationToken cancellationToken) =>
        RevokeAsync(Caller.From(request)!, new RevokeToken(user, id), store, cancellationToken);

    private static async Task<Results<NoContent, ProblemDocumentResult>> RevokeAsync(
        Caller caller, RevokeToken command, IDocumentStore store, CancellationToken cancellationToken)
    {
        var (_, refused) = await store.DecideAndCommitAsync(caller, async session =>
        {
            var state = await LoadAsync(session, command.User, cancellationToken);
            var decision = TokenDecisions.Decide(command, state);
            if (!decision.IsRejected)
            {
                // The event says it was revoked; deleting the hash is what makes the gateway refuse it.
                session.DeleteWhere<AccessToken>(token => token.User == command.User && token.TokenId == command.TokenId);
            }

            return (decision, true);
        }, cancellationToken);

        return refused is not null ? refused : TypedResults.NoContent();
    }

    /// <summary>
    /// Stores the hash of <paramref name="secret"/> as the token a decision's <c>TokenCreated</c> tells of,
    /// in the transaction that appends that event; null when the decision issued none.
    /// </summary>
    public static AccessToken? StoreIssued(IDocumentSession session, Decision decision, string secret)
    {
        if (decision.Events.Select(pending => pending.Event).OfType<TokenCreated>().SingleOrDefault() is not { } created)
        {
            return null;
        }

        var stored = new AccessToken
        {
            Id = TokenHash.Of(secret),
            TokenId = created.TokenId,
            User = created.User,
            DisplayName = created.DisplayName,
            Role = created.Role,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        session.Store(stored);
        return stored;
    }

    /// <summary>The user's stream version and live tokens, read after taking the stream's lock so concurrent token changes take turns.</summary>
    private static async Task<UserTokens> LoadAsync(IDocumentSession session, string user, CancellationToken cancellationToken)
    {
        if (!Names.IsValid(user))
        {
            return new UserTokens(0, new HashSet<string>());
        }

        await session.LockStreamsAsync(cancellationToken, StreamKeys.User(user));
        var stream = await session.Events.FetchStreamStateAsync(StreamKeys.User(user), cancellationToken);
        var live = await session.Query<AccessToken>()
            .Where(token => token.User == user)
            .Select(token => token.TokenId)
            .ToListAsync(cancellationToken);
        return new UserTokens(stream?.Version ?? 0, live.Where(id => id.Length > 0).ToHashSet(StringComparer.Ordinal));
    }
}
