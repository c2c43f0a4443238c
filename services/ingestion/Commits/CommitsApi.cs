using CommunityEvals.Contracts.Events;
using CommunityEvals.Formats;
using CommunityEvals.Ingestion.Accounts;
using CommunityEvals.Ingestion.Benchmarks;
using CommunityEvals.Ingestion.Files;
using CommunityEvals.Ingestion.Repos;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Http;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CommunityEvals.Ingestion.Commits;

public sealed class CommitLimits
{
    /// <summary>The largest commit body accepted, in bytes (base64 makes files a third larger).</summary>
    public long MaxCommitBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// The largest commit body to a dataset repo, whose data files may come inline: the body is read
    /// whole, so larger files go through the LFS upload, which streams (preupload says so).
    /// </summary>
    public long MaxDatasetCommitBytes { get; set; } = 48 * 1024 * 1024;

    /// <summary>The largest data file (ACCESS.md "Files in repos": 64 MiB).</summary>
    public long MaxFileBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>The most bytes of data files one commit may write (ACCESS.md: 256 MiB).</summary>
    public long MaxCommitFilesBytes { get; set; } = 256 * 1024 * 1024;
}

/// <summary>The Hub's commit protocol: <c>preupload</c> then <c>commit</c>, for models and datasets.</summary>
public static class CommitsApi
{
    public static IEndpointRouteBuilder MapCommitsApi(this IEndpointRouteBuilder app)
    {
        var repo = app.MapGroup("/api/{kinds:regex(^(models|datasets)$)}/{org}/{name}");
        repo.MapPost("/preupload/{**revision}", PreuploadAsync).DescribesBody<PreuploadRequest>(JsonBody.ContentType);
        // NDJSON: a header line, then file, lfsFile and deletedFile lines (API.md "Commits").
        repo.MapPost("/commit/{**revision}", CommitAsync).DescribesBody<string>("application/x-ndjson");
        return app;
    }

    public sealed record PreuploadFile(string? Path, long? Size, string? Sample);

    public sealed record PreuploadRequest(List<PreuploadFile>? Files);

    public sealed record PreuploadAnswerFile(string Path, string UploadMode, bool ShouldIgnore);

    public sealed record PreuploadAnswer(IReadOnlyList<PreuploadAnswerFile> Files);

    public sealed record CommitAnswer(bool Success, string CommitOid, string CommitUrl, string? PullRequestUrl, IReadOnlyList<string>? Warnings);

    public static async Task<Results<Ok<PreuploadAnswer>, ProblemDocumentResult>> PreuploadAsync(
        string kinds, string org, string name, string revision, HttpRequest request, IDocumentStore store, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        var (target, repo, actor, problem) = await ResolveAsync(kinds, org, name, revision, request, session, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (Permission(target!, repo!, actor!) is { } denied)
        {
            return denied;
        }

        var (body, bad) = await JsonBody.ReadAsync<PreuploadRequest>(request, cancellationToken);
        if (bad is not null)
        {
            return bad;
        }

        // Results, cards and eval.yaml are small text kept in the commit's event: inline. A dataset's
        // data files are uploaded beforehand and streamed into the blob store (LFS).
        var files = (body!.Files ?? [])
            .Select(file => new PreuploadAnswerFile(file.Path ?? "", RepoPaths.IsDataFile(repo!.Kind, file.Path ?? "") ? "lfs" : "regular", ShouldIgnore: false))
            .ToList();
        return TypedResults.Ok(new PreuploadAnswer(files));
    }

    public static async Task<Results<Ok<CommitAnswer>, ProblemDocumentResult>> CommitAsync(
        string kinds, string org, string name, string revision, HttpRequest request, IDocumentStore store,
        FormatParser parser, BenchmarkCatalogLoader catalogs, TrustedKeys trustedKeys, IOptions<CommitLimits> limits, BlobStore blobs, CancellationToken cancellationToken)
    {
        CommitTarget? target;
        RepoState? repo;
        Actor? actor;
        await using (var query = store.QuerySession())
        {
            ProblemDocumentResult? problem;
            (target, repo, actor, problem) = await ResolveAsync(kinds, org, name, revision, request, query, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }
        }

        var maxBody = repo!.Kind == RepoPaths.Dataset ? limits.Value.MaxDatasetCommitBytes : limits.Value.MaxCommitBytes;
        var body = await RequestBody.ReadAsync(request, maxBody, cancellationToken);
        if (body is null)
        {
            return Problems.Create(StatusCodes.Status413PayloadTooLarge, "Too large",
                $"The commit body is larger than {maxBody} bytes."
                + (repo.Kind == RepoPaths.Dataset ? " Upload large data files first (preupload answers 'lfs' for them) and name them with lfsFile lines." : ""));
        }

        var (incoming, errors) = NdjsonCommit.Parse(body);
        if (incoming is null)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "Malformed commit", errors[0].Message, errors);
        }

        var command = new CommitFiles(target!, incoming, NewCommitOid());
        var tokens = incoming.Files.Any(file => file.Content.AsSpan().IndexOf("verifyToken"u8) >= 0)
            ? await trustedKeys.ValidatorAsync(refresh: false, cancellationToken)
            : null;
        var storedBlobs = await blobs.SizesAsync(incoming.UploadedFiles.Select(file => file.Sha256).Distinct().ToList(), cancellationToken);
        var (outcome, refused) = await store.DecideAndCommitAsync(actor!.Caller, async session =>
        {
            // Only a dataset repo's commit can write its benchmark's stream.
            await session.LockStreamsAsync(cancellationToken, repo!.Kind == RepoPaths.Dataset ? [repo.Id, StreamKeys.Benchmark(repo.Repo)] : [repo.Id]);
            var current = await session.LoadAsync<RepoState>(repo!.Id, cancellationToken) ?? repo;
            var catalog = new VisibleBenchmarkCatalog(
                await catalogs.LoadAsync(session, cancellationToken), await VisibleBenchmarkCatalog.HiddenFromAsync(session, actor!, cancellationToken));
            var benchmark = current.Kind == RepoPaths.Dataset
                ? await session.LoadAsync<RegisteredBenchmark>(StreamKeys.Benchmark(current.Repo), cancellationToken)
                : null;
            var decided = CommitDecisions.Decide(command, current, actor, parser, catalog, benchmark, tokens, storedBlobs, limits.Value);
            if (decided.Decision.Rejection is null)
            {
                // Inline data files are stored with the commit that names them, in its transaction.
                foreach (var file in incoming.Files.Where(file => RepoPaths.IsDataFile(current.Kind, file.Path)))
                {
                    blobs.QueueWrite(session, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file.Content)), file.Content);
                }
            }

            return (decided.Decision, decided);
        }, cancellationToken);

        if (refused is not null)
        {
            return refused;
        }

        var pullRequestUrl = outcome!.PullRequestNumber is { } number
            ? RepoUrls.Discussion(request, repo!.Kind, repo.Repo, number)
            : null;
        return TypedResults.Ok(new CommitAnswer(
            true,
            command.CommitOid,
            RepoUrls.Commit(request, repo!.Kind, repo.Repo, command.CommitOid),
            pullRequestUrl,
            outcome.Warnings.Count > 0 ? outcome.Warnings : null));
    }

    /// <summary>The checks preupload and commit share: signed in, repo exists, revision understood.</summary>
    private static async Task<(CommitTarget?, RepoState?, Actor?, ProblemDocumentResult?)> ResolveAsync(
        string kinds, string org, string name, string revision, HttpRequest request, IQuerySession session, CancellationToken cancellationToken)
    {
        if (await session.LoadActorAsync(request, cancellationToken) is not { } actor)
        {
            return (null, null, null, Problems.Unauthorized());
        }

        var kind = RepoPaths.KindFromSegment(kinds)!;
        if (await session.LoadVisibleRepoAsync(kind, $"{org}/{name}", actor, cancellationToken) is not { } repo)
        {
            return (null, null, actor, Problems.RepoNotFound(kind, $"{org}/{name}"));
        }

        var createPullRequest = request.Query["create_pr"].ToString() is "1" or "true" or "True";
        var target = CommitTarget.Parse(Uri.UnescapeDataString(revision), createPullRequest);
        if (target is null)
        {
            return (null, repo, actor, Problems.NotFound(
                $"revision '{Uri.UnescapeDataString(revision)}' does not exist: commit to 'main', to 'refs/pr/N', or open a pull request with create_pr=1 on 'main'"));
        }

        return (target, repo, actor, null);
    }

    private static ProblemDocumentResult? Permission(CommitTarget target, RepoState repo, Actor actor) => target switch
    {
        CommitTarget.Main when !actor.Owns(repo) => Problems.Forbidden($"only the owner of {repo.Repo} may commit to main; open a pull request instead (create_pr=1)"),
        CommitTarget.ExistingPullRequest pr when repo.PullRequest(pr.Number) is not { } state => Problems.NotFound($"pull request #{pr.Number} does not exist"),
        CommitTarget.ExistingPullRequest pr when repo.PullRequest(pr.Number)!.Author != actor.Name && !actor.Owns(repo) =>
            Problems.Forbidden($"only the author of pull request #{pr.Number} or the repo's owner may commit to it"),
        _ => null,
    };

    private static string NewCommitOid() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
}
