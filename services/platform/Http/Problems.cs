using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace CommunityEvals.Platform.Http;

/// <summary>One thing wrong with the input, located as precisely as the input allows.</summary>
public sealed record ValidationError(
    string? File,
    int? Item,
    int? Line,
    int? Column,
    string? Field,
    string Message);

/// <summary>
/// RFC 9457 problem documents with the extra <c>error</c> line Hub clients print and, for
/// validation, <c>errors</c>. Hub-compatible routes answer <c>application/json</c> because Hub
/// clients only show <c>error</c> then; native routes answer <c>application/problem+json</c>.
/// </summary>
public static class Problems
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly string[] NativePrefixes =
        ["/api/users", "/api/orgs", "/api/settings", "/api/benchmarks", "/api/leaderboards", "/api/results", "/api/events"];

    public static bool IsNativeRoute(PathString path) =>
        NativePrefixes.Any(prefix => path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase))
        || path.Value?.EndsWith("/eval-results", StringComparison.OrdinalIgnoreCase) == true;

    public static ProblemDocumentResult Create(int status, string title, string detail, IReadOnlyList<ValidationError>? errors = null) =>
        new(status, title, detail, errors);

    public static ProblemDocumentResult BadRequest(string detail) => Create(StatusCodes.Status400BadRequest, "Bad request", detail);

    public static ProblemDocumentResult Unauthorized(string detail = "A bearer token is required for this request.") =>
        Create(StatusCodes.Status401Unauthorized, "Unauthorized", detail);

    public static ProblemDocumentResult Forbidden(string detail) => Create(StatusCodes.Status403Forbidden, "Forbidden", detail);

    public static ProblemDocumentResult NotFound(string detail) => Create(StatusCodes.Status404NotFound, "Not found", detail);

    public const string ErrorCodeHeader = "X-Error-Code";

    /// <summary>
    /// A repo that does not exist, or is private to someone else: the same answer for both
    /// (ACCESS.md "Visibility"), never a 403 that would confirm it exists.
    /// </summary>
    public static ProblemDocumentResult RepoNotFound(string kind, string repo) =>
        new(StatusCodes.Status404NotFound, "Not found", RepoNotFoundMessage(kind, repo), null) { ErrorCode = RepoNotFoundCode };

    public const string RepoNotFoundCode = "RepoNotFound";

    public static string RepoNotFoundMessage(string kind, string repo) => $"{kind} repo '{repo}' does not exist";

    public static ProblemDocumentResult Conflict(string detail) => Create(StatusCodes.Status409Conflict, "Conflict", detail);

    public static ProblemDocumentResult Unprocessable(string detail, IReadOnlyList<ValidationError> errors) =>
        Create(StatusCodes.Status422UnprocessableEntity, "Validation failed", detail, errors);

    /// <summary>
    /// How long a caller should wait before retrying a 503: about what a dependency or a service the
    /// AppHost restarts takes to answer again (eng/faults.sh measures it).
    /// </summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>
    /// 503 with <c>Retry-After</c>: something this request needs (<paramref name="what"/>) cannot be
    /// reached right now, and the same request may succeed later.
    /// </summary>
    public static Task WriteUnavailableAsync(HttpContext context, string what)
    {
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Service unavailable",
            $"{char.ToUpperInvariant(what[0])}{what[1..]} is unavailable right now; retry in {RetryAfterSeconds} seconds.");
    }

    public static Task WriteAsync(HttpContext context, int status, string title, string detail, IReadOnlyList<ValidationError>? errors = null)
    {
        var native = IsNativeRoute(context.Request.Path);
        context.Response.StatusCode = status;
        context.Response.ContentType = native ? "application/problem+json" : "application/json";
        var document = new ProblemDocument(
            $"urn:communityevals:problem:{status}",
            title,
            status,
            detail,
            detail,
            errors);
        return context.Response.WriteAsync(JsonSerializer.Serialize(document, Json));
    }

    /// <summary>The problem document every 4xx and 5xx answer carries (API.md "Errors").</summary>
    public sealed record ProblemDocument(
        string Type,
        string Title,
        int Status,
        string Detail,
        string Error,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ValidationError>? Errors);
}

/// <summary>A problem document as a typed result, so handlers can declare it in <c>Results&lt;...&gt;</c>.</summary>
public sealed class ProblemDocumentResult(int status, string title, string detail, IReadOnlyList<ValidationError>? errors)
    : IResult, IStatusCodeHttpResult, Microsoft.AspNetCore.Http.Metadata.IEndpointMetadataProvider
{
    /// <summary>The refusals a route that can answer a problem may give, as its API document lists them.</summary>
    private static readonly int[] DocumentedStatuses = [400, 401, 403, 404, 409, 413, 422, 429, 503];

    /// <summary>Describes the problem answers in the service's OpenAPI document, for every route whose results include this type.</summary>
    public static void PopulateMetadata(System.Reflection.MethodInfo method, Microsoft.AspNetCore.Builder.EndpointBuilder builder)
    {
        foreach (var code in DocumentedStatuses)
        {
            builder.Metadata.Add(new Microsoft.AspNetCore.Http.ProducesResponseTypeMetadata(
                code, typeof(Problems.ProblemDocument), ["application/problem+json", "application/json"]));
        }
    }

    public int? StatusCode => status;

    /// <summary>The Hub's <c>X-Error-Code</c> (<c>RepoNotFound</c>, <c>GatedRepo</c>, ...), which Python's client reads.</summary>
    public string? ErrorCode { get; init; }

    public ProblemDocumentResult WithErrorCode(string? code) => new(status, title, detail, errors) { ErrorCode = code };

    public Task ExecuteAsync(HttpContext httpContext)
    {
        if (ErrorCode is not null)
        {
            httpContext.Response.Headers[Problems.ErrorCodeHeader] = ErrorCode;
        }

        return Problems.WriteAsync(httpContext, status, title, detail, errors);
    }
}
