using CommunityEvals.Platform.Http;
using CommunityEvals.Platform.Identity;

namespace CommunityEvals.Gateway.Authentication;

public static class EdgeAuthentication
{
    public const string IdentityHeaderPrefix = "X-CommunityEvals-";

    /// <summary>
    /// Replaces whatever identity a client claimed with the one its bearer token proves. Requests
    /// without a token pass on anonymously (reads are public); a token that proves nothing is 401.
    /// </summary>
    public static IApplicationBuilder UseEdgeAuthentication(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var headers = context.Request.Headers;
            foreach (var name in headers.Keys.Where(key => key.StartsWith(IdentityHeaderPrefix, StringComparison.OrdinalIgnoreCase)).ToList())
            {
                headers.Remove(name);
            }

            var authorization = headers.Authorization.ToString();
            if (authorization.Length > 0)
            {
                const string scheme = "Bearer ";
                if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
                {
                    await Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized",
                        "The Authorization header must be 'Bearer <token>'.");
                    return;
                }

                var token = authorization[scheme.Length..].Trim();
                var resolver = context.RequestServices.GetRequiredService<TokenResolver>();
                if (await resolver.ResolveAsync(token, context.RequestAborted) is not { } owner)
                {
                    await Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized",
                        "Invalid credentials: the bearer token is unknown.");
                    return;
                }

                headers[Caller.UserHeader] = owner.Caller.Name;
                headers[Caller.RoleHeader] = owner.Caller.IsAdmin ? Caller.AdminRole : Caller.UserRole;
                headers[Caller.TokenIdHeader] = owner.TokenId;
                // Services get the identity, never the secret.
                headers.Authorization = default;
            }

            await next(context);
        });
}
