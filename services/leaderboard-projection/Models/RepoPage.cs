using System.Text.Json;
using CommunityEvals.LeaderboardProjection.Shared;

namespace CommunityEvals.LeaderboardProjection.Models;

/// <summary>
/// A repo (model or dataset) as its pages show it: owner, files on <c>main</c>, card facts, the
/// results that may count (main's and those of pull requests that are not merged), pull
/// requests and hidden results. Id is the repo's stream key
/// (<c>model/{org}/{name}</c>).
/// </summary>
public sealed class RepoPage
{
    public string Id { get; set; } = "";

    /// <summary><c>org/name</c>.</summary>
    public string Repo { get; set; } = "";

    /// <summary><c>model</c> or <c>dataset</c>.</summary>
    public string Kind { get; set; } = "";

    public string Owner { get; set; } = "";

    public bool OwnerIsOrg { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Whether only its owners and the admin may see it (ACCESS.md "Visibility").</summary>
    public bool Private { get; set; }

    /// <summary><c>auto</c>, <c>manual</c>, or null when its data files are open to all.</summary>
    public string? Gated { get; set; }

    /// <summary>When <c>main</c> last changed (its creation until the first commit).</summary>
    public DateTimeOffset LastModified { get; set; }

    public string? MainHead { get; set; }

    public List<RepoFile> MainFiles { get; set; } = [];

    /// <summary>The card's <c>base_model</c>; null when it declares none.</summary>
    public List<string>? BaseModel { get; set; }

    /// <summary>A dataset card's <c>language</c> list (the home page filters benchmarks by it).</summary>
    public List<string> Languages { get; set; } = [];

    /// <summary>A dataset card's own <c>tags</c>.</summary>
    public List<string> CardTags { get; set; } = [];

    /// <summary>A dataset card's <c>task_categories</c>.</summary>
    public List<string> TaskCategories { get; set; } = [];

    /// <summary>A dataset card's <c>license</c>.</summary>
    public string? License { get; set; }

    /// <summary>Results of <c>main</c> and of pull requests that are open or closed (a closed one may reopen).</summary>
    public List<RepoResult> Results { get; set; } = [];

    public List<RepoPullRequest> PullRequests { get; set; } = [];

    public List<HiddenMark> Hidden { get; set; } = [];

    public RepoPullRequest? PullRequest(int number) => PullRequests.FirstOrDefault(pr => pr.Number == number);
}

public sealed class RepoFile
{
    public string Path { get; set; } = "";

    public string Sha256 { get; set; } = "";
}

/// <summary>One result as it stands on its ref.</summary>
public sealed class RepoResult
{
    public string ResultId { get; set; } = "";

    /// <summary>Null for <c>main</c>, else the pull request whose ref holds it.</summary>
    public int? PullRequest { get; set; }

    public string Path { get; set; } = "";

    public int Index { get; set; }

    public string DatasetId { get; set; } = "";

    public string TaskId { get; set; } = "";

    public double Value { get; set; }

    public string ValueText { get; set; } = "";

    public string? Notes { get; set; }

    public bool Verified { get; set; }

    public JsonElement Data { get; set; }

    /// <summary>The event that last changed it (a commit restating it unchanged does not count).</summary>
    public long Sequence { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string RefName() => Refs.Of(PullRequest);
}

public sealed class RepoPullRequest
{
    public int Number { get; set; }

    public string Title { get; set; } = "";

    public string Author { get; set; } = "";

    public DiscussionStatus Status { get; set; }

    public string Head { get; set; } = "";

    /// <summary>When <see cref="Head"/> was committed.</summary>
    public DateTimeOffset HeadAt { get; set; }

    public DateTimeOffset OpenedAt { get; set; }

    /// <summary>Files the pull request writes.</summary>
    public List<RepoFile> Files { get; set; } = [];

    /// <summary>Files of main the pull request deletes.</summary>
    public List<string> DeletedPaths { get; set; } = [];
}

public sealed class HiddenMark
{
    public string ResultId { get; set; } = "";

    public string Reason { get; set; } = "";

    public string? By { get; set; }

    public DateTimeOffset At { get; set; }
}

/// <summary>A commit: which ref it went to, when, and the files the ref held after it (folded by <see cref="RepoPageRules"/>, not stored).</summary>
public sealed class RepoRevision
{
    public string Oid { get; set; } = "";

    public string Ref { get; set; } = "";

    public DateTimeOffset At { get; set; }

    public List<string> Files { get; set; } = [];
}
