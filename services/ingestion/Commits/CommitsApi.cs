using CommunityEvals.Contracts.Events;
using CommunityEvals.Formats;
using CommunityEvals.Ingestion.Accounts;
using CommunityEvals.Ingestion.Benchmarks;
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
}

/// <summary>The Hub's commit protocol: <c>preupload</c> then <c>commit</c>, for models and datasets.</summary>
public static class CommitsApi
{
    public static IEndpointRouteBuilder MapCommitsApi(this IEndpointRouteBuilder app)
    {
        var repo = app.MapGroup("/api/{kinds:regex(^(models|datasets)$)}/{org}/{name}");
        repo.MapPost("/preupload/{**revision}", PreuploadAsync);
        repo.MapPost("/commit/{**revision}", CommitAsync);
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

        // Results and cards are small text: everything goes inline in the commit, nothing via LFS.
        var files = (body!.Files ?? [])
            .Select(file => new PreuploadAnswerFile(file.Path ?? "", "regular", ShouldIgnore: false))
            .ToList();
        return TypedResults.Ok(new PreuploadAnswer(files));
    }

    public static async Task<Results<Ok<CommitAnswer>, ProblemDocumentResult>> CommitAsync(
        string kinds, string org, string name, string revision, HttpRequest request, IDocumentStore store,
        FormatParser parser, BenchmarkCatalogLoader catalogs, TrustedKeys trustedKeys, IOptions<CommitLimits> limits, CancellationToken cancellationToken)
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

        var body = await RequestBody.ReadAsync(request, limits.Value.MaxCommitBytes, cancellationToken);
        if (body is null)
        {
            return Problems.Create(StatusCodes.Status413PayloadTooLarge, "Too large",
                $"The commit body is larger than {limits.Value.MaxCommitBytes} bytes.");
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
        var (outcome, refused) = await store.DecideAndCommitAsync(actor!.Caller, async session =>
        {
            // Only a dataset repo's commit can write its benchmark's stream.
            await session.LockStreamsAsync(cancellationToken, repo!.Kind == RepoPaths.Dataset ? [repo.Id, StreamKeys.Benchmark(repo.Repo)] : [repo.Id]);
            var current = await session.LoadAsync<RepoState>(repo!.Id, cancellationToken) ?? repo;
            var catalog = await catalogs.LoadAsync(session, cancellationToken);
            var benchmark = current.Kind == RepoPaths.Dataset
                ? await session.LoadAsync<RegisteredBenchmark>(StreamKeys.Benchmark(current.Repo), cancellationToken)
                : null;
            var decided = CommitDecisions.Decide(command, current, actor, parser, catalog, benchmark, tokens);
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
        var repo = await session.LoadAsync<RepoState>(StreamKeys.Repo(kind, $"{org}/{name}"), cancellationToken);
        if (repo is null)
        {
            return (null, null, actor, Problems.NotFound($"{kind} repo '{org}/{name}' does not exist"));
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
