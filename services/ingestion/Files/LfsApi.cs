using System.Text.Json;
using CommunityEvals.Ingestion.Accounts;
using CommunityEvals.Ingestion.Commits;
using CommunityEvals.Ingestion.Repos;
using CommunityEvals.Platform.Http;
using Marten;
using Microsoft.Extensions.Options;

namespace CommunityEvals.Ingestion.Files;

/// <summary>
/// The upload half of git LFS, as Hub clients use it for the files preupload marks <c>lfs</c>: a
/// batch call says which objects to send and where (a signed href), then each object's bytes are
/// PUT there and streamed into the <see cref="BlobStore"/>. The commit then names them by sha256.
/// </summary>
public static class LfsApi
{
    public const string ContentType = "application/vnd.git-lfs+json";

    public static IEndpointRouteBuilder MapLfsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/{org}/{name}.git/info/lfs/objects/batch",
            (string org, string name, HttpRequest request, IDocumentStore store, BlobStore blobs, UploadTickets tickets, IOptions<CommitLimits> limits, TimeProvider time, CancellationToken cancellationToken) =>
                BatchAsync(RepoPaths.Model, org, name, request, store, blobs, tickets, limits.Value, time, cancellationToken))
            .DescribesBody<BatchRequest>(ContentType).Produces<BatchAnswer>(contentType: ContentType);
        app.MapPost("/datasets/{org}/{name}.git/info/lfs/objects/batch",
            (string org, string name, HttpRequest request, IDocumentStore store, BlobStore blobs, UploadTickets tickets, IOptions<CommitLimits> limits, TimeProvider time, CancellationToken cancellationToken) =>
                BatchAsync(RepoPaths.Dataset, org, name, request, store, blobs, tickets, limits.Value, time, cancellationToken))
            .DescribesBody<BatchRequest>(ContentType).Produces<BatchAnswer>(contentType: ContentType);
        app.MapPut("/api/lfs-uploads/{ticket}", UploadAsync).DescribesBody<Stream>("application/octet-stream");
        return app;
    }

    public sealed record BatchObject(string? Oid, long? Size);

    public sealed record BatchRef(string? Name);

    public sealed record BatchRequest(string? Operation, List<BatchObject>? Objects, BatchRef? Ref);

    public sealed record UploadAction(string Href, int ExpiresIn);

    public sealed record ObjectActions(UploadAction Upload);

    public sealed record ObjectError(int Code, string Message);

    public sealed record BatchAnswerObject(string Oid, long Size, bool? Authenticated, ObjectActions? Actions, ObjectError? Error);

    public sealed record BatchAnswer(string Transfer, IReadOnlyList<BatchAnswerObject> Objects);

    private static readonly JsonSerializerOptions AnswerJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static async Task<IResult> BatchAsync(
        string kind, string org, string name, HttpRequest request, IDocumentStore store, BlobStore blobs, UploadTickets tickets,
        CommitLimits limits, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, bad) = await JsonBody.ReadAsync<BatchRequest>(request, cancellationToken);
        var (actor, problem) = await store.RequireActorAsync(request, bad, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var repoId = $"{org}/{name}";
        RepoState? repo;
        await using (var session = store.QuerySession())
        {
            repo = await session.LoadVisibleRepoAsync(kind, repoId, actor, cancellationToken);
        }

        if (repo is null)
        {
            return Problems.RepoNotFound(kind, repoId);
        }

        if (kind != RepoPaths.Dataset)
        {
            return Unprocessable("model repos take no uploaded files: only README.md and .eval_results/*.yaml, inline in the commit");
        }

        if (body!.Operation != "upload")
        {
            return Unprocessable("only the 'upload' operation is served; download files with GET .../resolve/{revision}/{path}");
        }

        // Anyone who may open a pull request may upload: bytes are reachable only once a commit names
        // them, and the commit decides who may write where. (Python's client names the ref of the
        // revision it commits to, pull requests included, so the ref cannot tell who may upload.)
        var objects = body.Objects ?? [];
        var stored = await blobs.SizesAsync(objects.Select(item => item.Oid ?? "").Where(Sha256Hex.IsValid).Distinct().ToList(), cancellationToken);
        var expires = time.GetUtcNow() + UploadTicket.Lifetime;
        var baseUrl = RepoUrls.Base(request);
        var answers = objects.Select(item =>
        {
            var oid = item.Oid ?? "";
            var size = item.Size ?? -1;
            if (!Sha256Hex.IsValid(oid) || size < 0)
            {
                return new BatchAnswerObject(oid, size, null, null, new ObjectError(422, "oid must be a sha256 in 64 lowercase hex digits, and size a whole number of bytes"));
            }

            if (size > limits.MaxFileBytes)
            {
                return new BatchAnswerObject(oid, size, null, null, new ObjectError(413, $"{size:N0} bytes is more than the limit of {limits.MaxFileBytes:N0} bytes a file"));
            }

            if (stored.GetValueOrDefault(oid, -1) == size)
            {
                // Already stored: nothing to send, the commit may name it.
                return new BatchAnswerObject(oid, size, true, null, null);
            }

            var ticket = tickets.Issue(new UploadTicket(kind, repoId, oid, size, actor!.Name, expires));
            return new BatchAnswerObject(oid, size, true, new ObjectActions(new UploadAction($"{baseUrl}/api/lfs-uploads/{ticket}", (int)UploadTicket.Lifetime.TotalSeconds)), null);
        }).ToList();
        return Results.Json(new BatchAnswer("basic", answers), AnswerJson, ContentType);
    }

    public static async Task<IResult> UploadAsync(
        string ticket, HttpRequest request, UploadTickets tickets, BlobStore blobs, IOptions<CommitLimits> limits, TimeProvider time, CancellationToken cancellationToken)
    {
        if (tickets.Read(ticket) is not { } upload || upload.ExpiresAt < time.GetUtcNow())
        {
            return Problems.Forbidden("this upload href is not valid (or has expired): ask the LFS batch endpoint for a new one");
        }

        if (request.ContentLength is { } length && length != upload.Size)
        {
            return Problems.BadRequest($"the body is {length:N0} bytes; the batch was told {upload.Size:N0}");
        }

        var outcome = await blobs.WriteAsync(request.Body, upload.Sha256, upload.Size, limits.Value.MaxFileBytes, cancellationToken);
        return outcome switch
        {
            BlobWriteOutcome.Stored => TypedResults.Ok(),
            BlobWriteOutcome.TooLarge => Problems.Create(StatusCodes.Status413PayloadTooLarge, "Too large",
                $"a file may be at most {limits.Value.MaxFileBytes:N0} bytes"),
            BlobWriteOutcome.SizeMismatch => Problems.BadRequest($"the body is not the {upload.Size:N0} bytes the batch was told"),
            _ => Unprocessable($"the body's sha256 is not {upload.Sha256}"),
        };
    }

    private static ProblemDocumentResult Unprocessable(string detail) =>
        Problems.Create(StatusCodes.Status422UnprocessableEntity, "Validation failed", detail, [new ValidationError("request body", null, null, null, null, detail)]);
}
