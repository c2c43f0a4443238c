using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CommunityEvals.Platform.Http;

public static class ProblemMiddleware
{
    /// <summary>
    /// Turns what escapes a handler into a problem document: a malformed body is the client's
    /// fault (400), a database or broker out of reach is nobody's (503 with <c>Retry-After</c>, see
    /// <see cref="DependencyFailures"/>), anything else is ours (500, logged). Empty error statuses get a body too.
    /// </summary>
    public static IApplicationBuilder UseProblemDocuments(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (BadHttpRequestException exception) when (!context.Response.HasStarted)
            {
                await Problems.WriteAsync(context, exception.StatusCode, "Bad request", exception.Message);
                return;
            }
            catch (Exception exception) when (!context.Response.HasStarted && DependencyFailures.UnavailableDependency(exception) is { } dependency)
            {
                context.RequestServices.GetRequiredService<ILoggerFactory>()
                    .CreateLogger("CommunityEvals.Problems")
                    .LogWarning("{Method} {Path}: {Dependency} is unavailable ({Reason}); answered 503", context.Request.Method, context.Request.Path,
                        dependency, exception.GetBaseException().Message);
                await Problems.WriteUnavailableAsync(context, dependency);
                return;
            }
            catch (Exception exception) when (!context.Response.HasStarted && exception is not OperationCanceledException)
            {
                context.RequestServices.GetRequiredService<ILoggerFactory>()
                    .CreateLogger("CommunityEvals.Problems")
                    .LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
                await Problems.WriteAsync(context, StatusCodes.Status500InternalServerError, "Internal error",
                    "The server failed to handle this request; it has been logged.");
                return;
            }

            if (context.Response.StatusCode >= 400 && !context.Response.HasStarted && context.Response.ContentLength is null
                && string.IsNullOrEmpty(context.Response.ContentType))
            {
                var title = ReasonPhrases.GetReasonPhrase(context.Response.StatusCode);
                await Problems.WriteAsync(context, context.Response.StatusCode, title,
                    $"{title}: {context.Request.Method} {context.Request.Path}");
            }
        });
}
