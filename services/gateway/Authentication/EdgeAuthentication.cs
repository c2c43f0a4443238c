using CommunityEvals.Platform.Http;
using CommunityEvals.Platform.Identity;

namespace CommunityEvals.Gateway.Authentication;

public static class EdgeAuthentication
{
    /// <summary>What Hub clients show for a token they sent that is refused (huggingface_hub reads this header).</summary>
    public const string ErrorMessageHeader = "X-Error-Message";

    public const string InvalidCredentials = "Invalid credentials in Authorization header";

    /// <summary>
    /// Replaces whatever identity a client claimed with the one its bearer token proves, signed for the
    /// services (<see cref="GatewayIdentity"/>). Requests without a token pass on anonymously (reads are
    /// public); a token that proves nothing (unknown or revoked) is 401. The caller is also kept on the
    /// request for what follows here (the limits on callers).
    /// </summary>
    public static IApplicationBuilder UseEdgeAuthentication(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var headers = context.Request.Headers;
            if (headers[GatewayIdentity.VisitorHeader].ToString() is { Length: > 0 } visitorHeader
                && context.RequestServices.GetRequiredService<GatewayIdentity>().VerifyVisitor(visitorHeader) is { } visitor)
            {
                context.Features.Set(new PageVisitor(visitor));
            }

            foreach (var name in headers.Keys.Where(key => key.StartsWith(GatewayIdentity.HeaderPrefix, StringComparison.OrdinalIgnoreCase)).ToList())
            {
                headers.Remove(name);
            }

            var authorization = headers.Authorization.ToString();
            if (authorization.Length > 0)
            {
                const string scheme = "Bearer ";
                if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
                {
                    await RefuseAsync(context, "The Authorization header must be 'Bearer <token>'.");
                    return;
                }

                var token = authorization[scheme.Length..].Trim();
                var resolver = context.RequestServices.GetRequiredService<TokenResolver>();
                if (await resolver.ResolveAsync(token, context.RequestAborted) is not { } caller)
                {
                    await RefuseAsync(context, "Invalid credentials: the bearer token is unknown or revoked.");
                    return;
                }

                context.Features.Set(caller);
                headers[GatewayIdentity.Header] = context.RequestServices.GetRequiredService<GatewayIdentity>().Sign(caller);
                // Services get the identity, never the secret.
                headers.Authorization = default;
            }

            await next(context);
        });

    /// <summary>The address of the person a page's API call is made for, when the web service signed it; else null.</summary>
    public static string? PageVisitorOf(HttpContext context) => context.Features.Get<PageVisitor>()?.Address;

    /// <summary>The caller the bearer token proved, or null for an anonymous request.</summary>
    public static Caller? CallerOf(HttpContext context) => context.Features.Get<Caller>();

    private static Task RefuseAsync(HttpContext context, string detail)
    {
        context.Response.Headers[ErrorMessageHeader] = InvalidCredentials;
        return Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }
}

/// <summary>Who a page's API call is made for (<see cref="GatewayIdentity.VisitorHeader"/>).</summary>
public sealed record PageVisitor(string Address);
