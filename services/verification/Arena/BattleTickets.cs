using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CommunityEvals.Platform.Identity;

namespace CommunityEvals.Verification.Arena;

/// <summary>What a served battle was: who it was served to, when, and what it showed.</summary>
/// <param name="ModelA">The model in slot A.</param>
public sealed record Battle(
    string Benchmark,
    string Task,
    string Dimension,
    string SampleId,
    string ModelA,
    string ModelB,
    string Voter,
    DateTimeOffset ServedAt,
    DateTimeOffset ExpiresAt)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    public string Model(string slot) => slot == "A" ? ModelA : ModelB;
}

/// <summary>
/// Battle ids that carry their battle, signed: serving a battle then writes nothing (ARENA.md: nothing
/// a reader of the arena can see), and a vote proves by its id what was shown to whom, and when. The
/// key is derived from the stack's identity key, for this use only. Ids are opaque to clients.
/// </summary>
public sealed class BattleTickets(byte[] key)
{
    public static BattleTickets FromConfiguration(IConfiguration configuration) =>
        configuration[GatewayIdentity.KeySetting] is { Length: >= GatewayIdentity.MinKeyLength } secret
            ? new BattleTickets(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), "arena battle ids"u8))
            : throw new InvalidOperationException($"{GatewayIdentity.KeySetting} is not set: battle ids are signed with a key derived from it.");

    public string Issue(Battle battle)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(battle, JsonSerializerOptions.Web);
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(key, payload));
    }

    /// <summary>The battle an id names, when this stack issued it; null for anything else.</summary>
    public Battle? Read(string battleId)
    {
        var dot = battleId.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || battleId.Length > 8_192)
        {
            return null;
        }

        try
        {
            var payload = Base64Url.DecodeFromChars(battleId.AsSpan(0, dot));
            var signature = Base64Url.DecodeFromChars(battleId.AsSpan(dot + 1));
            return CryptographicOperations.FixedTimeEquals(signature, HMACSHA256.HashData(key, payload))
                ? JsonSerializer.Deserialize<Battle>(payload, JsonSerializerOptions.Web)
                : null;
        }
        catch (Exception exception) when (exception is FormatException or JsonException)
        {
            return null;
        }
    }
}
