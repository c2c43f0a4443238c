using CommunityEvals.LeaderboardProjection.Shared;

namespace CommunityEvals.LeaderboardProjection.Discussions;

/// <summary>
/// One pull request with its timeline, as the Hub's discussion pages show it. Id is
/// <c>{kind}/{org}/{name}#{num}</c>; <see cref="RepoKey"/> is the repo's stream key.
/// </summary>
public sealed class Discussion
{
    public string Id { get; set; } = "";

    public string RepoKey { get; set; } = "";

    /// <summary><c>org/name</c>.</summary>
    public string Repo { get; set; } = "";

    public string Kind { get; set; } = "";

    public int Number { get; set; }

    public string Title { get; set; } = "";

    public string Author { get; set; } = "";

    public DiscussionStatus Status { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The head commit of <c>refs/pr/{num}</c>.</summary>
    public string Head { get; set; } = "";

    public string? MergeCommitOid { get; set; }

    public int NumComments { get; set; }

    public List<DiscussionEntry> Events { get; set; } = [];

    public static string KeyOf(string kind, string repo, int number) => $"{kind}/{repo}#{number}";
}

/// <summary>One item of a pull request's timeline: a comment, a commit or a status change.</summary>
public sealed class DiscussionEntry
{
    public const string Comment = "comment";
    public const string Commit = "commit";
    public const string StatusChange = "status-change";

    /// <summary>24 hex digits: the store sequence, then the item's place among those the event made.</summary>
    public string Id { get; set; } = "";

    /// <summary><c>comment</c>, <c>commit</c> or <c>status-change</c>.</summary>
    public string Type { get; set; } = "";

    public string Author { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public long Sequence { get; set; }

    /// <summary>The store event behind it, e.g. <c>PullRequestClosed</c>.</summary>
    public string EventType { get; set; } = "";

    /// <summary>Comment text.</summary>
    public string? Text { get; set; }

    /// <summary>For status changes: the status after it.</summary>
    public DiscussionStatus? Status { get; set; }

    /// <summary>For commits.</summary>
    public string? Oid { get; set; }

    /// <summary>For commits: their summary line.</summary>
    public string? Subject { get; set; }
}
