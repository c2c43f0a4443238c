using System.Text;
using CommunityEvals.Contracts.Events;
using CommunityEvals.Ingestion.Accounts;
using CommunityEvals.Ingestion.Repos;
using CommunityEvals.Platform.Http;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace CommunityEvals.Ingestion.Files;

/// <summary>
/// Reading a repo's files in the Hub's shapes (ACCESS.md "Files in repos"): <c>resolve</c> and
/// <c>raw</c> (GET with <c>Range</c>, HEAD), <c>tree</c> and <c>paths-info</c>. Private repos are
/// missing to others; a gated dataset's data files need access, its card and eval.yaml do not.
/// </summary>
public static class FilesApi
{
    public const string ErrorCodeHeader = Problems.ErrorCodeHeader;

    public static IEndpointRouteBuilder MapFilesApi(this IEndpointRouteBuilder app)
    {
        string[] reads = [HttpMethods.Get, HttpMethods.Head];
        foreach (var action in new[] { "resolve", "raw" })
        {
            app.MapMethods($"/{{org}}/{{name}}/{action}/{{revision}}/{{**path}}", reads,
                (string org, string name, string revision, string path, HttpRequest request, IDocumentStore store, BlobStore blobs, CancellationToken cancellationToken) =>
                    DownloadAsync(RepoPaths.Model, org, name, revision, path, request, store, blobs, cancellationToken));
            app.MapMethods($"/datasets/{{org}}/{{name}}/{action}/{{revision}}/{{**path}}", reads,
                (string org, string name, string revision, string path, HttpRequest request, IDocumentStore store, BlobStore blobs, CancellationToken cancellationToken) =>
                    DownloadAsync(RepoPaths.Dataset, org, name, revision, path, request, store, blobs, cancellationToken));
        }

        var repo = app.MapGroup("/api/{kinds:regex(^(models|datasets)$)}/{org}/{name}");
        repo.MapGet("/tree/{revision}/{**path}", TreeAsync);
        repo.MapPost("/paths-info/{revision}", PathsInfoAsync).DescribesBody<PathsInfoRequest>("application/json", "application/x-www-form-urlencoded");
        return app;
    }

    public static async Task<IResult> DownloadAsync(
        string kind, string org, string name, string revision, string path, HttpRequest request, IDocumentStore store, BlobStore blobs, CancellationToken cancellationToken)
    {
        var (found, problem) = await ResolveAsync(kind, org, name, revision, request, store, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var (repo, actor, files) = found!;
        var repoId = repo.Repo;
        var rev = Uri.UnescapeDataString(revision);
        var filePath = Uri.UnescapeDataString(path ?? "");
        if (!files.Files.TryGetValue(filePath, out var file))
        {
            return new ProblemDocumentResult(StatusCodes.Status404NotFound, "Not found", $"'{filePath}' does not exist at revision '{rev}' of {repoId}", null)
            { ErrorCode = "EntryNotFound" };
        }

        if (file.IsData && !repo.Access.DataReadableBy(actor?.Viewer))
        {
            return Gated(repo, actor is null);
        }

        var response = request.HttpContext.Response;
        if (files.Commit is { } commit)
        {
            response.Headers["X-Repo-Commit"] = commit;
        }

        response.Headers.CacheControl = repo.Access.Private || repo.Access.Gated is not null ? "private, no-cache" : "public, no-cache";
        var content = file.IsData
            ? blobs.OpenRead(file.Sha256, RepoFiles.SizeOf(file))
            : new MemoryStream(Encoding.UTF8.GetBytes(file.Content), writable: false);
        return TypedResults.Stream(content, ContentTypeOf(filePath), fileDownloadName: null, lastModified: null,
            entityTag: new EntityTagHeaderValue($"\"{file.Sha256}\""), enableRangeProcessing: true);
    }

    public static async Task<Results<Ok<IReadOnlyList<TreeEntry>>, ProblemDocumentResult>> TreeAsync(
        string kinds, string org, string name, string revision, string? path, HttpRequest request, IDocumentStore store, CancellationToken cancellationToken)
    {
        var (found, problem) = await ResolveAsync(RepoPaths.KindFromSegment(kinds)!, org, name, revision, request, store, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var folder = Uri.UnescapeDataString(path ?? "").Trim('/');
        var recursive = request.Query["recursive"].ToString() is "true" or "1" or "True";
        return RepoFiles.List(found!.Files.Files, folder, recursive) is { } entries
            ? TypedResults.Ok(entries)
            : new ProblemDocumentResult(StatusCodes.Status404NotFound, "Not found", $"no folder '{folder}' at revision '{Uri.UnescapeDataString(revision)}'", null)
            { ErrorCode = "EntryNotFound" };
    }

    public sealed record PathsInfoRequest(List<string>? Paths);

    public static async Task<Results<Ok<List<TreeEntry>>, ProblemDocumentResult>> PathsInfoAsync(
        string kinds, string org, string name, string revision, HttpRequest request, IDocumentStore store, CancellationToken cancellationToken)
    {
        List<string> paths;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            paths = form["paths"].Where(value => value is not null).Select(value => value!).ToList();
        }
        else
        {
            var (body, bad) = await JsonBody.ReadAsync<PathsInfoRequest>(request, cancellationToken);
            if (bad is not null)
            {
                return bad;
            }

            paths = body!.Paths ?? [];
        }

        var (found, problem) = await ResolveAsync(RepoPaths.KindFromSegment(kinds)!, org, name, revision, request, store, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var entries = paths.Distinct(StringComparer.Ordinal)
            .Select(path => RepoFiles.Find(found!.Files.Files, path))
            .OfType<TreeEntry>()
            .ToList();
        return TypedResults.Ok(entries);
    }

    /// <summary>A repo's files at a revision, as the caller may see them (404 RepoNotFound / RevisionNotFound otherwise).</summary>
    private sealed record Resolved(RepoState Repo, Actor? Actor, RevisionFiles Files);

    private static async Task<(Resolved?, ProblemDocumentResult?)> ResolveAsync(
        string kind, string org, string name, string revision, HttpRequest request, IDocumentStore store, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        var actor = await session.LoadActorAsync(request, cancellationToken);
        var repoId = $"{org}/{name}";
        if (await session.LoadVisibleRepoAsync(kind, repoId, actor, cancellationToken) is not { } repo)
        {
            return (null, Problems.RepoNotFound(kind, repoId));
        }

        var rev = Uri.UnescapeDataString(revision);
        return await FilesAtAsync(repo, rev, session, cancellationToken) is { } files
            ? (new Resolved(repo, actor, files), null)
            : (null, RevisionNotFound(repoId, rev));
    }

    private static async Task<RevisionFiles?> FilesAtAsync(RepoState repo, string revision, IQuerySession session, CancellationToken cancellationToken)
    {
        if (RepoFiles.AtRef(repo, revision) is { } onRef)
        {
            return onRef;
        }

        if (!IsCommitId(revision))
        {
            return null;
        }

        var events = await session.Events.FetchStreamAsync(repo.Id, token: cancellationToken);
        return RepoFiles.AtCommit(events.Select(@event => @event.Data), revision);
    }

    private static bool IsCommitId(string revision) =>
        revision.Length == 40 && revision.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    private static ProblemDocumentResult RevisionNotFound(string repoId, string revision) =>
        new(StatusCodes.Status404NotFound, "Not found", $"revision '{revision}' does not exist in {repoId}", null) { ErrorCode = "RevisionNotFound" };

    /// <summary>A gated dataset's data without access: 401 for the anonymous, else 403, saying how to ask.</summary>
    public static ProblemDocumentResult Gated(RepoState repo, bool anonymous) =>
        new ProblemDocumentResult(
            anonymous ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden,
            anonymous ? "Unauthorized" : "Forbidden",
            $"{repo.Repo} is a gated dataset: its data files need access. "
            + (anonymous ? "Sign in, then ask" : "Ask")
            + $" with POST /api/datasets/{repo.Repo}/ask-access"
            + (repo.Access.Gated == Platform.Access.Gating.Manual ? "; an owner decides." : "; access is granted at once."),
            null)
        { ErrorCode = "GatedRepo" };

    private static string ContentTypeOf(string path) =>
        path.EndsWith(".md", StringComparison.OrdinalIgnoreCase) ? "text/markdown; charset=utf-8"
        : path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) ? "text/yaml; charset=utf-8"
        : path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? "application/json"
        : path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? "application/jsonl"
        : path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? "text/csv"
        : "application/octet-stream";
}
