using CommunityEvals.LeaderboardProjection.Models;
using CommunityEvals.LeaderboardProjection.Shared;

namespace CommunityEvals.LeaderboardProjection.Leaderboards;

/// <summary>
/// What the leaderboards know of one model repo: its page as <see cref="RepoPageRules"/> folds it
/// (without the revision list, which boards do not need), the benchmarks its results name, and
/// what verification said about its results. Id is the repo's stream key (<c>model/{org}/{name}</c>).
/// </summary>
public sealed class LeaderboardModel
{
    public string Id { get; set; } = "";

    public RepoPage Page { get; set; } = new();

    /// <summary>
    /// Every dataset id named by a result the page holds (main, open or closed pull requests,
    /// hidden or not): the boards this model's events may touch.
    /// </summary>
    public List<string> Datasets { get; set; } = [];

    /// <summary>Verification outcomes by result id (no verification events exist yet; a commit's own <c>verified</c> counts as well).</summary>
    public Dictionary<string, ResultEvidence> Evidence { get; set; } = [];

    /// <summary>Each result's <c>source</c> text, by result id, as of the event that last changed it (not stored).</summary>
    private readonly Dictionary<string, (long Sequence, string? Source)> _sources = new(StringComparer.Ordinal);

    /// <summary>The result's <c>source</c> as a board entry shows it, worked out once per change of the result.</summary>
    public string? SourceOf(RepoResult result)
    {
        if (_sources.TryGetValue(result.ResultId, out var known) && known.Sequence == result.Sequence)
        {
            return known.Source;
        }

        var source = LeaderboardModelRules.SourceOf(result.Data);
        _sources[result.ResultId] = (result.Sequence, source);
        return source;
    }
}

/// <summary>One eligible result on a board, with what the board's rows show about it and its model.</summary>
public sealed record BoardEntry
{
    /// <summary>The model repo's stream key.</summary>
    public string ModelKey { get; init; } = "";

    /// <summary>The model repo, <c>org/name</c>.</summary>
    public string ModelId { get; init; } = "";

    public string ResultId { get; init; } = "";

    public string TaskId { get; init; } = "";

    public double Value { get; init; }

    public bool Verified { get; init; }

    /// <summary>Contradicted by evidence (disagreement between results is the ranking's to find).</summary>
    public bool Disputed { get; init; }

    /// <summary><c>author</c> or <c>community</c>.</summary>
    public string Origin { get; init; } = "";

    public long Sequence { get; init; }

    public string? Notes { get; init; }

    /// <summary>The item's <c>source</c> as JSON text, keys in the documented order.</summary>
    public string? Source { get; init; }

    public double? Stderr { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The result file's path.</summary>
    public string Filename { get; init; } = "";

    public int? PullRequest { get; init; }

    /// <summary>The model's card declares no <c>base_model</c>.</summary>
    public bool IsBaseModel { get; init; }

    public string Owner { get; init; } = "";

    public bool OwnerIsOrg { get; init; }

    public RankCandidate ToCandidate() =>
        new(ModelId, Value, Verified, Origin, Disputed, Sequence, ResultId, Notes, Source, Stderr, UpdatedAt, IsBaseModel);
}

/// <summary>
/// The board state of one benchmark: its tasks once registered, and every eligible result that
/// names it, whichever task. Results naming a benchmark or task that is not registered wait here
/// and show as soon as it is. Id is <c>benchmark/{datasetId}</c>.
/// </summary>
public sealed class LeaderboardBoard
{
    public string Id { get; set; } = "";

    public string DatasetId { get; set; } = "";

    public bool Registered { get; set; }

    /// <summary>Whether the benchmark's dataset repo is private: its board is then shown to its owners only, and published to no one.</summary>
    public bool Private { get; set; }

    public string? CommitOid { get; set; }

    /// <summary>The registered tasks, in file order.</summary>
    public List<TaskSpec> Tasks { get; set; } = [];

    /// <summary>Eligible results, by model key then result id.</summary>
    public List<BoardEntry> Entries { get; set; } = [];

    /// <summary>Stream keys of every model whose results ever named this benchmark: the streams an <c>as_of</c> replay reads.</summary>
    public List<string> Contributors { get; set; } = [];

    /// <summary>The last event that changed this board.</summary>
    public long LastSequence { get; set; }

    public DateTimeOffset? UpdatedAt { get; set; }

    public TaskSpec? Task(string taskId) => Tasks.FirstOrDefault(task => task.Id == taskId);
}

/// <summary>How far the leaderboard projection has folded the log (every event, relevant or not).</summary>
public sealed class LeaderboardCursor
{
    /// <summary>Changed from <c>leaderboards</c> with the projection's name, so that a store folded by the old one is folded again.</summary>
    public const string Key = "boards";

    public string Id { get; set; } = Key;

    /// <summary>The last event folded into the stored model and board documents.</summary>
    public long LastSequence { get; set; }

    public DateTimeOffset LastTimestamp { get; set; }

    /// <summary>
    /// The last event whose score changes are stored: ahead of <see cref="LastSequence"/> while the
    /// projection, behind the log, keeps its documents in memory.
    /// </summary>
    public long FoldedSequence { get; set; }
}
