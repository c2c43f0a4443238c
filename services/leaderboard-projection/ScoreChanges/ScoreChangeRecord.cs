using CommunityEvals.Contracts;

namespace CommunityEvals.LeaderboardProjection.ScoreChanges;

/// <summary>
/// A <see cref="ScoreChanged"/> as the leaderboard projection stored it (within its event's
/// <see cref="ScoreChangeSet"/>), in the same transaction as the boards it describes. Id is <c>{sequence}.{n}</c>; readers order by <see cref="Sequence"/>
/// then <see cref="N"/>. A rebuild writes the same ids with the same content.
/// </summary>
public sealed class ScoreChangeRecord
{
    public string Id { get; set; } = "";

    public long Sequence { get; set; }

    public int N { get; set; }

    public string Benchmark { get; set; } = "";

    public string TaskId { get; set; } = "";

    public string ModelId { get; set; } = "";

    public double? PreviousValue { get; set; }

    public double? Value { get; set; }

    public int? PreviousRank { get; set; }

    public int? Rank { get; set; }

    public bool Verified { get; set; }

    public string? Origin { get; set; }

    public string Cause { get; set; } = "";

    public DateTimeOffset OccurredAt { get; set; }

    public static ScoreChangeRecord From(ScoreChanged change, int n) => new()
    {
        Id = change.Id,
        Sequence = change.Sequence,
        N = n,
        Benchmark = change.Benchmark,
        TaskId = change.TaskId,
        ModelId = change.ModelId,
        PreviousValue = change.PreviousValue,
        Value = change.Value,
        PreviousRank = change.PreviousRank,
        Rank = change.Rank,
        Verified = change.Verified,
        Origin = change.Origin,
        Cause = change.Cause,
        OccurredAt = change.OccurredAt,
    };

    public ScoreChanged ToMessage() =>
        new(Benchmark, TaskId, ModelId, PreviousValue, Value, PreviousRank, Rank, Verified, Origin, Cause, Sequence, Id, OccurredAt);
}

/// <summary>
/// Every <see cref="ScoreChangeRecord"/> one event caused, in order (<c>n</c> from 1): how the
/// projection stores them, one row per event rather than one per change (an event that moves a
/// row on a long board moves every row between, often dozens). Id is the event's sequence.
/// <see cref="ScoreChangeFeed"/> reads them back change by change.
/// </summary>
public sealed class ScoreChangeSet
{
    public long Id { get; set; }

    public List<ScoreChangeRecord> Changes { get; set; } = [];
}

/// <summary>
/// How far <see cref="ScoreChangePublisher"/> has published to RabbitMQ, by change id. Not part of
/// the projection: a rebuild rewrites the changes but leaves this alone, so nothing is sent twice.
/// </summary>
public sealed class ScoreChangePublication
{
    public const string Key = "score-changed";

    public string Id { get; set; } = Key;

    public long Sequence { get; set; }

    public int N { get; set; }

    public DateTimeOffset? PublishedAt { get; set; }
}
