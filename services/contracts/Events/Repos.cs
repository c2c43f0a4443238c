using System.Text.Json;

namespace CommunityEvals.Contracts.Events;

/// <summary>A model or dataset repo came to be. <paramref name="Repo"/> is <c>org/name</c>.</summary>
public sealed record RepoCreated(string Repo, string Kind, string Owner, bool OwnerIsOrg);

/// <summary>A file as a commit left it: its text (result files and cards are small and public) and hash.</summary>
public sealed record CommittedFile(string Path, string Sha256, string Content);

/// <summary>
/// One result: one item of one <c>.eval_results</c> file (or one <c>model-index</c> metric) on one
/// ref. <paramref name="Data"/> is the item exactly as written.
/// </summary>
public sealed record ResultEntry(
    string ResultId,
    string Path,
    int Index,
    string DatasetId,
    string TaskId,
    double Value,
    string ValueText,
    string? Notes,
    bool Verified,
    JsonElement Data);

/// <summary>
/// What one commit did to one ref: files written and deleted, the results those files now hold,
/// and the results that no longer exist (their file was deleted or lost items).
/// </summary>
public sealed record CommitChanges(
    string CommitOid,
    string? ParentOid,
    string Summary,
    string? Description,
    IReadOnlyList<CommittedFile> Files,
    IReadOnlyList<string> DeletedPaths,
    IReadOnlyList<ResultEntry> Results,
    IReadOnlyList<string> RetractedResultIds,
    IReadOnlyList<string> Warnings);

/// <summary>A commit landed on <c>main</c>, by an owner.</summary>
/// <param name="BaseModel">The card's <c>base_model</c> after this commit, when the commit touched the card.</param>
public sealed record MainCommitted(string Repo, string Kind, CommitChanges Commit, bool CardChanged, IReadOnlyList<string>? BaseModel);

public sealed record PullRequestOpened(string Repo, string Kind, int Number, string Title, string Author, CommitChanges Commit);

public sealed record PullRequestUpdated(string Repo, string Kind, int Number, CommitChanges Commit);

public sealed record PullRequestCommented(string Repo, string Kind, int Number, string Comment);

public sealed record PullRequestClosed(string Repo, string Kind, int Number, string? Comment);

public sealed record PullRequestReopened(string Repo, string Kind, int Number, string? Comment);

/// <summary>
/// A pull request's files landed on <c>main</c>. <paramref name="MergedFrom"/> maps each new main
/// result id to the pull-request result it came from, so histories can follow a result across.
/// </summary>
public sealed record PullRequestMerged(
    string Repo,
    string Kind,
    int Number,
    CommitChanges Commit,
    IReadOnlyDictionary<string, string> MergedFrom,
    IReadOnlyList<string>? BaseModel);

public sealed record ResultHidden(string Repo, string ResultId, string Reason);

public sealed record ResultUnhidden(string Repo, string ResultId);
