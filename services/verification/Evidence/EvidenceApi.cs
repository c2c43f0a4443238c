using System.Text.Json.Serialization;
using CommunityEvals.Contracts.Events;
using CommunityEvals.Evidence;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Http;
using CommunityEvals.Platform.Identity;
using CommunityEvals.Verification.Facts;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CommunityEvals.Verification.Evidence;

public static class EvidenceApi
{
    public static IEndpointRouteBuilder MapEvidenceApi(this IEndpointRouteBuilder app)
    {
        var result = app.MapGroup("/api/results/{id}");
        result.MapPost("/evidence", SubmitAsync).DescribesBody<Stream>("application/octet-stream", "application/json");
        result.MapGet("/verification", GetVerificationAsync);
        result.MapGet("/failures", GetFailuresAsync);
        result.MapPost("/failures/{sampleId}/comments", CommentAsync).DescribesBody<CommentRequest>(JsonBody.ContentType);
        app.MapGet("/.well-known/jwks.json", (IVerifyKeyStore keys) => Results.Text(Jwks.Render(keys), "application/json"));
        return app;
    }

    public sealed record Submitted(string EvidenceId, string Status);

    /// <summary>
    /// Streams the raw log to disk (content-addressed), records its submission and answers at
    /// once; the verification itself runs when the committed event comes back over RabbitMQ.
    /// </summary>
    public static async Task<Results<Accepted<Submitted>, ProblemDocumentResult>> SubmitAsync(
        string id, HttpRequest request, IDocumentStore store, EvidenceStorage storage, IOptions<EvidenceLimits> limits, CancellationToken cancellationToken)
    {
        if (Caller.From(request) is not { } caller)
        {
            return Problems.Unauthorized();
        }

        // The wait below is for a result committed a moment ago; an id no result can have is
        // answered at once rather than after five seconds.
        var result = IsResultIdShaped(id) ? await WaitForResultAsync(store, id, cancellationToken) : null;
        bool visible;
        await using (var session = store.QuerySession())
        {
            visible = result is not null && (await ResultAccess.OfAsync(session, result, request, cancellationToken)).Visible;
        }

        if (result is not { Exists: true } || !visible)
        {
            return Problems.NotFound($"result {id} does not exist");
        }

        var stored = await storage.StoreAsync(request.Body, limits.Value.MaxLogBytes, cancellationToken);
        if (stored is null)
        {
            return Problems.Create(StatusCodes.Status413PayloadTooLarge, "Too large", $"The log is larger than {limits.Value.MaxLogBytes} bytes.");
        }

        if (stored.Size == 0)
        {
            return Problems.BadRequest("The request body must be the raw Inspect log (.eval or .json).");
        }

        var evidenceId = Guid.NewGuid().ToString("N");
        if (await store.AppendAsync(caller, StreamKeys.Evidence(id), [new EvidenceSubmitted(id, result.Repo, evidenceId, stored.Sha256, stored.Size)], cancellationToken) is { } refused)
        {
            return refused;
        }

        return TypedResults.Accepted($"/api/results/{id}/verification", new Submitted(evidenceId, "pending"));
    }

    public sealed record EvidenceView(
        string EvidenceId, string Sha256, string Status, IReadOnlyList<EvidenceCheck> Checks, RecomputedScore? Recomputed, string UploadedBy, DateTimeOffset UploadedAt);

    public sealed record VerificationView(string Status, string? VerifyToken, IReadOnlyList<EvidenceView> Evidence);

    public static async Task<Results<Ok<VerificationView>, ProblemDocumentResult>> GetVerificationAsync(
        string id, HttpRequest request, IQuerySession session, CancellationToken cancellationToken)
    {
        if (await session.LoadAsync<ResultFact>(id, cancellationToken) is { } fact
            && !(await ResultAccess.OfAsync(session, fact, request, cancellationToken)).Visible)
        {
            return Problems.NotFound($"result {id} does not exist");
        }

        var verification = await session.LoadAsync<ResultVerification>(StreamKeys.Evidence(id), cancellationToken);
        if (verification is null)
        {
            return await session.LoadAsync<ResultFact>(id, cancellationToken) is null
                ? Problems.NotFound($"result {id} does not exist")
                : TypedResults.Ok(new VerificationView("none", null, []));
        }

        return TypedResults.Ok(new VerificationView(
            verification.Status,
            verification.VerifyToken,
            verification.Evidence.Select(e => new EvidenceView(e.EvidenceId, e.Sha256, e.Status, e.Checks, e.Recomputed, e.UploadedBy, e.UploadedAt)).ToList()));
    }

    public sealed record CommentView(string Author, string Comment, DateTimeOffset CreatedAt);

    /// <param name="Redacted">True when the caller may not read the benchmark's samples: the texts are left out (ACCESS.md).</param>
    /// <remarks>Texts are left out, not written as null, where they are redacted (ACCESS.md: the item "leaves out" them) or absent.</remarks>
    public sealed record FailureView(
        string SampleId,
        int Epoch,
        System.Text.Json.JsonElement? Score,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Input,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Target,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Answer,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Explanation,
        IReadOnlyList<CommentView> Comments,
        bool Redacted = false);

    public sealed record FailurePage(int Total, IReadOnlyList<FailureView> Items);

    public static async Task<Results<Ok<FailurePage>, ProblemDocumentResult>> GetFailuresAsync(
        string id, HttpRequest request, IQuerySession session, string? limit, string? offset, CancellationToken cancellationToken)
    {
        var take = 50;
        var skip = 0;
        if ((limit is not null && (!int.TryParse(limit, out take) || take is < 1 or > 1000))
            || (offset is not null && (!int.TryParse(offset, out skip) || skip < 0)))
        {
            return Problems.BadRequest("limit must be 1-1000 and offset a non-negative integer.");
        }

        var access = await session.LoadAsync<ResultFact>(id, cancellationToken) is { } fact
            ? await ResultAccess.OfAsync(session, fact, request, cancellationToken)
            : ResultAccess.Public;
        if (!access.Visible)
        {
            return Problems.NotFound($"result {id} does not exist");
        }

        var verification = await session.LoadAsync<ResultVerification>(StreamKeys.Evidence(id), cancellationToken);
        // By evidence, not by result: a piece carried by a merge publishes the same log's failures.
        var published = verification?.PublishedEvidenceIds() ?? [];
        var query = session.Query<FailureSample>().Where(f => f.EvidenceId.IsOneOf(published));
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderBy(f => f.EvidenceId).ThenBy(f => f.Order).Skip(skip).Take(take).ToListAsync(cancellationToken);
        var comments = verification?.Comments ?? [];
        return TypedResults.Ok(new FailurePage(total, items.Select(f =>
        {
            var discussion = comments.Where(c => c.SampleId == f.SampleId).Select(c => new CommentView(c.Author, c.Comment, c.CreatedAt)).ToList();
            return access.SamplesReadable
                ? new FailureView(f.SampleId, f.Epoch, f.Score, f.Input, f.Target, f.Answer, f.Explanation, discussion)
                : new FailureView(f.SampleId, f.Epoch, f.Score, null, null, null, null, discussion, Redacted: true);
        }).ToList()));
    }

    public sealed record CommentRequest(string? Comment);

    public sealed record Commented(bool Success);

    public static async Task<Results<Ok<Commented>, ProblemDocumentResult>> CommentAsync(
        string id, string sampleId, HttpRequest request, IDocumentStore store, CancellationToken cancellationToken)
    {
        if (Caller.From(request) is not { } caller)
        {
            return Problems.Unauthorized();
        }

        var (body, problem) = await JsonBody.ReadAsync<CommentRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (string.IsNullOrWhiteSpace(body!.Comment) || body.Comment.Length > 65_536)
        {
            return Problems.Create(StatusCodes.Status422UnprocessableEntity, "Validation failed", "comment must be non-empty text of at most 65536 characters",
                [new ValidationError(null, null, null, null, "comment", "required, at most 65536 characters")]);
        }

        await using var session = store.QuerySession();
        var verification = await session.LoadAsync<ResultVerification>(StreamKeys.Evidence(id), cancellationToken);
        var published = verification?.PublishedEvidenceIds() ?? [];
        if (verification is null || !await session.Query<FailureSample>().AnyAsync(f => f.EvidenceId.IsOneOf(published) && f.SampleId == sampleId, cancellationToken))
        {
            return Problems.NotFound($"no failed sample '{sampleId}' is published for result {id}");
        }

        if (await store.AppendAsync(caller, StreamKeys.Evidence(id), [new FailureCommented(id, verification.Repo, sampleId, body.Comment)], cancellationToken) is { } refused)
        {
            return refused;
        }

        return TypedResults.Ok(new Commented(true));
    }

    /// <summary>Result ids are 32 lowercase hex digits (a hash of the result's place).</summary>
    private static bool IsResultIdShaped(string id) => id.Length == 32 && id.All(char.IsAsciiHexDigitLower);

    /// <summary>A result committed a moment ago may not have reached this service yet: give it a few seconds.</summary>
    private static async Task<ResultFact?> WaitForResultAsync(IDocumentStore store, string id, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            await using (var session = store.QuerySession())
            {
                if (await session.LoadAsync<ResultFact>(id, cancellationToken) is { } fact)
                {
                    return fact;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                return null;
            }

            await Task.Delay(200, cancellationToken);
        }
    }
}
