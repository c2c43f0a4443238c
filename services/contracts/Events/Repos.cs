using System.Text.Json;

namespace CommunityEvals.Contracts.Events;

/// <summary>A model or dataset repo came to be. <paramref name="Repo"/> is <c>org/name</c>.</summary>
/// <param name="Private">Whether only its owners (and the admin) may see it (ACCESS.md "Visibility").</param>
public sealed record RepoCreated(string Repo, string Kind, string Owner, bool OwnerIsOrg, bool Private = false);

/// <summary>
/// A file as a commit left it. Results, cards and <c>eval.yaml</c> keep their text here (small and
/// public, so every read model stays a projection); a dataset's data file keeps only its
/// <paramref name="Size"/> and hash, its bytes being stored once per content outside the log.
/// </summary>
/// <param name="Size">Set for a data file (its bytes are in the blob store, <paramref name="Content"/> is empty).</param>
public sealed record CommittedFile(string Path, string Sha256, string Content, long? Size = null)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsData => Size is not null;
}

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

/// <summary>
/// A repo's settings changed (ACCESS.md "Visibility", "Gated test sets"): what they are now.
/// <paramref name="Gated"/> is <c>auto</c>, <c>manual</c>, or null when anyone may download.
/// </summary>
public sealed record RepoSettingsChanged(string Repo, string Kind, bool Private, string? Gated);

/// <summary>
/// Someone asked for a gated dataset's data. <paramref name="Status"/> is <c>accepted</c> at once
/// when the dataset is gated <c>auto</c>, else <c>pending</c>.
/// </summary>
public sealed record AccessRequested(string Repo, string User, string? Reason, string Status);

/// <summary>An owner set a request's status (<c>accepted</c>, <c>rejected</c> or <c>pending</c>).</summary>
public sealed record AccessRequestHandled(string Repo, string User, string Status, string? RejectionReason);

/// <summary>An owner granted a user access without a request of theirs.</summary>
public sealed record AccessGranted(string Repo, string User);
