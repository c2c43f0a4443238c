using System.Text.Json;

namespace CommunityEvals.LeaderboardProjection.Shared;

public static class JsonElementText
{
    /// <summary>Whether two JSON values are equal in meaning (an undefined value equals only another).</summary>
    public static bool Same(JsonElement a, JsonElement b) =>
        a.ValueKind == b.ValueKind && (a.ValueKind == JsonValueKind.Undefined || JsonElement.DeepEquals(a, b));
}
