using System.Text.Json;
using CommunityEvals.LeaderboardProjection.Shared;

namespace CommunityEvals.LeaderboardProjection.Results;

public enum ResultState
{
    /// <summary>Its file on its ref holds it.</summary>
    Active,

    /// <summary>A commit deleted its file or dropped its item.</summary>
    Retracted,

    /// <summary>A pull-request result whose pull request was merged: it lives on as a main result.</summary>
    Merged,
}

/// <summary>
/// One result by its id, with every event that touched it. Pull-request status changes are not
/// folded in here (they name no result); the API joins them from the pull request's discussion.
/// </summary>
public sealed class ResultRecord
{
    public string Id { get; set; } = "";

    /// <summary>The repo's stream key.</summary>
    public string RepoKey { get; set; } = "";

    /// <summary><c>org/name</c> of the model.</summary>
    public string Repo { get; set; } = "";

    public string Kind { get; set; } = "";

    /// <summary>Null for a result on <c>main</c>.</summary>
    public int? PullRequest { get; set; }

    public string Path { get; set; } = "";

    public int Index { get; set; }

    public string DatasetId { get; set; } = "";

    public string TaskId { get; set; } = "";

    public double Value { get; set; }

    public string ValueText { get; set; } = "";

    public string? Notes { get; set; }

    /// <summary>Verified at commit by a verifyToken for this value.</summary>
    public bool Verified { get; set; }

    /// <summary>The logs uploaded for it and what verification judged of each.</summary>
    public ResultEvidence Evidence { get; set; } = new();

    public JsonElement Data { get; set; }

    public ResultState State { get; set; }

    public bool Hidden { get; set; }

    public string? HiddenReason { get; set; }

    public string? HiddenBy { get; set; }

    public DateTimeOffset? HiddenAt { get; set; }

    /// <summary>For a main result: the pull-request results merged into it, oldest first.</summary>
    public List<string> MergedFrom { get; set; } = [];

    /// <summary>For a merged pull-request result: the main result it became.</summary>
    public string? MergedInto { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The event that first created it.</summary>
    public long FirstSequence { get; set; }
}

/// <summary>One event as a result's history shows it (folded by <see cref="ResultRules"/>); <see cref="Data"/> always names the result.</summary>
public sealed class ResultEvent
{
    public long Sequence { get; set; }

    public string Type { get; set; } = "";

    public string? Actor { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>
    /// The entry's JSON as text: documents are <c>jsonb</c>, which would reorder its keys; a string
    /// keeps them as written (the result's identity first).
    /// </summary>
    public string Data { get; set; } = "{}";
}
