using System.Text;
using CommunityEvals.Contracts.Events;
using CommunityEvals.Formats;
using CommunityEvals.Ingestion.Benchmarks;
using CommunityEvals.Ingestion.Commits;
using CommunityEvals.Ingestion.Repos;
using CommunityEvals.Platform.EventStore;

namespace CommunityEvals.Ingestion.Discussions;

public sealed record CommentOn(int Number, string Comment);

public sealed record ChangeStatus(int Number, string Status, string? Comment);

/// <param name="CommitOid">A fresh id for the merge commit on main.</param>
public sealed record Merge(int Number, string CommitOid, string? Comment);

/// <summary>Pure rules for commenting on, closing, reopening and merging pull requests.</summary>
public static class DiscussionDecisions
{
    public const int MaxCommentLength = 65_536;

    public static Decision Decide(CommentOn command, RepoState repo)
    {
        if (repo.PullRequest(command.Number) is null)
        {
            return Decision.Reject(RejectionKind.NotFound, $"discussion #{command.Number} does not exist in {repo.Repo}");
        }

        if (string.IsNullOrWhiteSpace(command.Comment) || command.Comment.Length > MaxCommentLength)
        {
            return Decision.Reject(RejectionKind.Invalid, $"comment must be non-empty text of at most {MaxCommentLength} characters");
        }

        return Decision.Accept(new PendingEvent(Stream(repo), new PullRequestCommented(repo.Repo, repo.Kind, command.Number, command.Comment), repo.Version));
    }

    public static Decision Decide(ChangeStatus command, RepoState repo, Actor actor)
    {
        if (repo.PullRequest(command.Number) is not { } pullRequest)
        {
            return Decision.Reject(RejectionKind.NotFound, $"discussion #{command.Number} does not exist in {repo.Repo}");
        }

        if (!actor.Owns(repo) && pullRequest.Author != actor.Name)
        {
            return Decision.Reject(RejectionKind.Forbidden, $"only the repo's owner or the author of #{command.Number} may change its status");
        }

        return (command.Status, pullRequest.Status) switch
        {
            ("closed", PullRequestStatus.Open) => Decision.Accept(new PendingEvent(Stream(repo),
                new PullRequestClosed(repo.Repo, repo.Kind, command.Number, command.Comment), repo.Version)),
            ("open", PullRequestStatus.Closed) => Decision.Accept(new PendingEvent(Stream(repo),
                new PullRequestReopened(repo.Repo, repo.Kind, command.Number, command.Comment), repo.Version)),
            ("closed", PullRequestStatus.Closed) or ("open", PullRequestStatus.Open) => Decision.Accept(),
            ("open" or "closed", PullRequestStatus.Merged) => Decision.Reject(RejectionKind.Conflict, $"#{command.Number} is merged; its status cannot change"),
            _ => Decision.Reject(RejectionKind.Invalid, "status must be 'open' or 'closed'"),
        };
    }

    /// <summary>
    /// The pull request's files land on main as the author's results: new main ids at the same
    /// paths and indexes, each remembering the pull-request result it came from.
    /// </summary>
    public static Decision Decide(Merge command, RepoState repo, Actor actor, FormatParser parser, IBenchmarkCatalog catalog, RegisteredBenchmark? benchmark)
    {
        if (repo.PullRequest(command.Number) is not { } pullRequest)
        {
            return Decision.Reject(RejectionKind.NotFound, $"pull request #{command.Number} does not exist in {repo.Repo}");
        }

        if (!actor.Owns(repo))
        {
            return Decision.Reject(RejectionKind.Forbidden, $"only the owner of {repo.Repo} may merge");
        }

        if (pullRequest.Status != PullRequestStatus.Open)
        {
            return Decision.Reject(RejectionKind.Conflict, $"#{command.Number} is {pullRequest.Status.ToString().ToLowerInvariant()}; only an open pull request can be merged");
        }

        var mergedFrom = new Dictionary<string, string>();
        var results = new List<ResultEntry>();
        foreach (var (path, entries) in pullRequest.Results)
        {
            foreach (var entry in entries)
            {
                var mainId = CommitDecisions.ResultId(repo.Kind, repo.Repo, CommitTarget.MainRef, path, entry.Index);
                mergedFrom[mainId] = entry.ResultId;
                results.Add(entry with { ResultId = mainId });
            }
        }

        var deleted = pullRequest.DeletedPaths.Where(repo.MainFiles.ContainsKey).ToList();
        var changed = pullRequest.Files.Keys.Concat(deleted).ToHashSet();
        var retracted = repo.MainResults.Where(pair => changed.Contains(pair.Key))
            .SelectMany(pair => pair.Value)
            .Select(result => result.ResultId)
            .Where(id => !mergedFrom.ContainsKey(id))
            .ToList();

        var changes = new CommitChanges(
            command.CommitOid,
            repo.MainHead,
            $"Merge pull request #{command.Number}: {pullRequest.Title}",
            command.Comment,
            pullRequest.Files.Values.ToList(),
            deleted,
            results,
            retracted,
            []);

        IReadOnlyList<string>? baseModel = null;
        if (pullRequest.Files.TryGetValue(RepoPaths.Card, out var card) && repo.Kind == RepoPaths.Model)
        {
            baseModel = parser.ParseModelCard(card.Path, Encoding.UTF8.GetBytes(card.Content), catalog).Value?.BaseModels;
        }

        var events = new List<PendingEvent>
        {
            new(Stream(repo), new PullRequestMerged(repo.Repo, repo.Kind, command.Number, changes, mergedFrom, baseModel), repo.Version),
        };
        if (repo.Kind == RepoPaths.Dataset && pullRequest.Files.TryGetValue(RepoPaths.BenchmarkDefinition, out var definition)
            && parser.ParseBenchmark(definition.Path, Encoding.UTF8.GetBytes(definition.Content)).Value is { } parsed)
        {
            events.Add(CommitDecisions.BenchmarkEvent(repo.Repo, command.CommitOid, parsed, benchmark));
        }

        return Decision.Accept(events);
    }

    private static string Stream(RepoState repo) => StreamKeys.Repo(repo.Kind, repo.Repo);
}
