using JasperFx.Events;

namespace CommunityEvals.LeaderboardProjection.Shared;

/// <summary>
/// What a read model keeps from an event's envelope: its place in the log, its type, when the
/// store took it and who did it. Projections fold pure data plus this, so they can be tested
/// (and rebuilt) without a store.
/// </summary>
public sealed record EventInfo(long Sequence, string Type, DateTimeOffset Timestamp, string? Actor)
{
    public static EventInfo From(IEvent @event) =>
        new(@event.Sequence, @event.EventType.Name, @event.Timestamp, @event.UserName);
}

/// <summary>Where a pull request stands; only open ones count.</summary>
public enum DiscussionStatus
{
    Open,
    Closed,
    Merged,
}

public static class DiscussionStatusNames
{
    /// <summary>The Hub's spelling: <c>open</c>, <c>closed</c>, <c>merged</c>.</summary>
    public static string ToHub(this DiscussionStatus status) => status switch
    {
        DiscussionStatus.Open => "open",
        DiscussionStatus.Closed => "closed",
        DiscussionStatus.Merged => "merged",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };
}

public static class Refs
{
    public const string Main = "main";

    public static string PullRequest(int number) => $"refs/pr/{number}";

    public static string Of(int? pullRequest) => pullRequest is { } number ? PullRequest(number) : Main;
}
