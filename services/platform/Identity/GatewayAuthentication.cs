using System.Text.Encodings.Web;
using CommunityEvals.Platform.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CommunityEvals.Platform.Identity;

/// <summary>
/// How a service knows its caller: ASP.NET Core authentication with one scheme that accepts only the
/// identity the gateway signed (<see cref="GatewayIdentity"/>), and authorization policies that
/// endpoint groups require. Every service calls <see cref="AddGatewayIdentity"/> and
/// <see cref="UseGatewayIdentity"/>, so no handler has to remember a check.
/// </summary>
public static class GatewayAuthentication
{
    public const string Scheme = "Gateway";

    /// <summary>The policies endpoint groups require with <c>RequireAuthorization</c>.</summary>
    public static class Policies
    {
        /// <summary>Any signed-in caller, the admin included.</summary>
        public const string SignedIn = "signed-in";

        /// <summary>The admin token.</summary>
        public const string Admin = "admin";

        /// <summary>A user's own token: what belongs to a user account, which the admin token is not.</summary>
        public const string User = "user";
    }

    public static TBuilder AddGatewayIdentity<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // Read now, so that a service without the key fails at start instead of refusing every caller.
        builder.Services.AddSingleton(GatewayIdentity.FromConfiguration(builder.Configuration, TimeProvider.System));
        builder.Services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, GatewayAuthenticationHandler>(Scheme, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.SignedIn, policy => policy.RequireAuthenticatedUser())
            .AddPolicy(Policies.Admin, policy => policy.RequireAuthenticatedUser()
                .AddRequirements(new CallerRequirement(caller => caller.IsAdmin, "Only the admin may do this.")))
            .AddPolicy(Policies.User, policy => policy.RequireAuthenticatedUser()
                .AddRequirements(new CallerRequirement(caller => !caller.IsAdmin,
                    "The admin token is configuration, not a user's token; this needs a user's token.")));
        builder.Services.AddSingleton<IAuthorizationHandler, CallerRequirementHandler>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResults>();
        return builder;
    }

    /// <summary>
    /// Authenticates every request by its signed identity. An identity that does not verify is
    /// answered 401 whatever the route, rather than treated as anonymous, so a forged or replayed
    /// header is never mistaken for a read that needs none; a read token's request with any method but
    /// GET or HEAD is answered 403. Then the policies of the matched endpoint apply.
    /// </summary>
    public static IApplicationBuilder UseGatewayIdentity(this IApplicationBuilder app)
    {
        app.UseAuthentication();
        app.Use(async (context, next) =>
        {
            var result = await context.AuthenticateAsync(Scheme);
            if (result.Failure is { } failure)
            {
                await Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized",
                    $"Refused: {failure.Message}. Services accept identities from the gateway only.");
                return;
            }

            if (Caller.From(context.User) is { CanWrite: false } && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            {
                await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden",
                    $"A read token may only GET and HEAD, not {context.Request.Method}; use a write token.");
                return;
            }

            await next(context);
        });
        app.UseAuthorization();
        return app;
    }

    /// <summary>A condition on the caller, with what the caller is told when it fails.</summary>
    public sealed record CallerRequirement(Func<Caller, bool> Allows, string Refusal) : IAuthorizationRequirement;

    private sealed class CallerRequirementHandler : AuthorizationHandler<CallerRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, CallerRequirement requirement)
        {
            if (Caller.From(context.User) is { } caller && requirement.Allows(caller))
            {
                context.Succeed(requirement);
            }

            return Task.CompletedTask;
        }
    }

    /// <summary>Refusals as problem documents, in the words of the requirement that refused.</summary>
    private sealed class ProblemAuthorizationResults : IAuthorizationMiddlewareResultHandler
    {
        public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
        {
            if (authorizeResult.Succeeded)
            {
                return next(context);
            }

            if (authorizeResult.Challenged)
            {
                return Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", "A bearer token is required for this request.");
            }

            var refusal = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<CallerRequirement>().FirstOrDefault()?.Refusal
                ?? "This token may not do this.";
            return Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", refusal);
        }
    }

    private sealed class GatewayAuthenticationHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> options,
        ILoggerFactory logger,
        UrlEncoder encoder,
        GatewayIdentity identity)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var headers = Request.Headers;
            var signed = headers[GatewayIdentity.Header];
            if (signed.Count == 0)
            {
                // Anonymous, unless it carries some other identity header: only the gateway's signed one counts.
                return Task.FromResult(headers.Keys.Any(key => key.StartsWith(GatewayIdentity.HeaderPrefix, StringComparison.OrdinalIgnoreCase))
                    ? AuthenticateResult.Fail($"unsigned identity headers ({GatewayIdentity.HeaderPrefix}*)")
                    : AuthenticateResult.NoResult());
            }

            if (signed.Count != 1)
            {
                return Task.FromResult(AuthenticateResult.Fail("more than one identity header"));
            }

            return Task.FromResult(identity.TryVerify(signed.ToString(), out var caller, out var problem)
                ? AuthenticateResult.Success(new AuthenticationTicket(caller!.ToPrincipal(Scheme.Name), Scheme.Name))
                : AuthenticateResult.Fail(problem!));
        }
    }
}
