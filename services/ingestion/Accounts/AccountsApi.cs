using CommunityEvals.Contracts.Events;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Http;
using CommunityEvals.Platform.Identity;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityEvals.Ingestion.Accounts;

public static class AccountsApi
{
    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api").RequireAuthorization(GatewayAuthentication.Policies.Admin);
        admin.MapPost("/users", CreateUserAsync).DescribesBody<CreateUserRequest>(JsonBody.ContentType);
        admin.MapPost("/orgs/{org}/members", AddOrgMemberAsync).DescribesBody<AddMemberRequest>(JsonBody.ContentType);

        app.MapGroup("/api").RequireAuthorization(GatewayAuthentication.Policies.SignedIn)
            .MapGet("/whoami-v2", WhoAmIAsync);
        return app;
    }

    public sealed record CreateUserRequest(string? Name, List<string>? Orgs);

    public sealed record CreatedUser(string Name, string Token);

    public sealed record AddMemberRequest(string? User);

    public static async Task<Results<Created<CreatedUser>, ProblemDocumentResult>> CreateUserAsync(
        HttpRequest request, IDocumentStore store, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<CreateUserRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var command = new CreateUser(body!.Name ?? "", body.Orgs ?? [], TokenDecisions.NewTokenId());
        var token = TokenHash.NewToken();
        var (_, refused) = await store.DecideAndCommitAsync(Caller.From(request)!, async session =>
        {
            await session.LockStreamsAsync(cancellationToken,
                [StreamKeys.User(command.Name), StreamKeys.Org(command.Name), .. command.Orgs.Select(StreamKeys.Org)]);
            var orgs = new Dictionary<string, OrgAccount>();
            foreach (var org in command.Orgs.Where(Names.IsValid).Distinct())
            {
                if (await session.LoadAsync<OrgAccount>(StreamKeys.Org(org), cancellationToken) is { } existing)
                {
                    orgs[org] = existing;
                }
            }

            var state = Names.IsValid(command.Name)
                ? new NamespaceState(
                    await session.LoadAsync<UserProfile>(command.Name, cancellationToken) is not null,
                    await session.LoadAsync<OrgAccount>(StreamKeys.Org(command.Name), cancellationToken) is not null,
                    orgs)
                : new NamespaceState(false, false, orgs);

            var decision = AccountDecisions.Decide(command, state);
            TokensApi.StoreIssued(session, decision, token);
            return (decision, true);
        }, cancellationToken);

        return refused is not null
            ? refused
            : TypedResults.Created($"/api/users/{command.Name}", new CreatedUser(command.Name, token));
    }

    public static async Task<Results<NoContent, ProblemDocumentResult>> AddOrgMemberAsync(
        string org, HttpRequest request, IDocumentStore store, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<AddMemberRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var user = body!.User ?? "";
        var (_, refused) = await store.DecideAndCommitAsync(Caller.From(request)!, async session =>
        {
            await session.LockStreamsAsync(cancellationToken, StreamKeys.Org(org));
            var userExists = Names.IsValid(user) && await session.LoadAsync<UserProfile>(user, cancellationToken) is not null;
            var orgIsUser = Names.IsValid(org) && await session.LoadAsync<UserProfile>(org, cancellationToken) is not null;
            var existing = Names.IsValid(org) ? await session.LoadAsync<OrgAccount>(StreamKeys.Org(org), cancellationToken) : null;
            return (AccountDecisions.Decide(new AddOrgMember(org, user), userExists, orgIsUser, existing), true);
        }, cancellationToken);

        return refused is not null ? refused : TypedResults.NoContent();
    }

    public sealed record WhoAmI(string Type, string Name, IReadOnlyList<OrgName> Orgs, WhoAmIAuth Auth);

    public sealed record OrgName(string Name);

    public sealed record WhoAmIAuth(string Type, WhoAmIToken AccessToken);

    public sealed record WhoAmIToken(string DisplayName, string Role, DateTimeOffset CreatedAt);

    public static async Task<Results<Ok<WhoAmI>, ProblemDocumentResult>> WhoAmIAsync(HttpRequest request, IQuerySession session, CancellationToken cancellationToken)
    {
        var caller = Caller.From(request)!;
        var token = caller.IsAdmin
            ? null
            : await session.Query<AccessToken>().FirstOrDefaultAsync(t => t.TokenId == caller.TokenId && t.User == caller.Name, cancellationToken);
        // The Hub's roles are read and write; the admin token may write.
        var role = caller.CanWrite ? Caller.WriteRole : Caller.ReadRole;
        var tokenInfo = new WhoAmIToken(token?.DisplayName ?? (caller.IsAdmin ? "admin token" : ""), role, token?.CreatedAt ?? DateTimeOffset.UnixEpoch);

        if (caller.IsAdmin)
        {
            return TypedResults.Ok(new WhoAmI("user", caller.Name, [], new WhoAmIAuth("access_token", tokenInfo)));
        }

        var profile = await session.LoadAsync<UserProfile>(caller.Name, cancellationToken);
        if (profile is null)
        {
            return Problems.Unauthorized("The token's user no longer exists.");
        }

        return TypedResults.Ok(new WhoAmI(
            "user",
            profile.Id,
            profile.Orgs.Select(org => new OrgName(org)).ToList(),
            new WhoAmIAuth("access_token", tokenInfo)));
    }
}
