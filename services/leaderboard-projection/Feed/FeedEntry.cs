using System.Text.Json;

namespace CommunityEvals.LeaderboardProjection.Feed;

/// <summary>One event of the public feed; the id is the event's global sequence.</summary>
public sealed class FeedEntry
{
    public long Id { get; set; }

    public string Type { get; set; } = "";

    public string Stream { get; set; } = "";

    public string? Actor { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    public JsonElement Data { get; set; }
}
