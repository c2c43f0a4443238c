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
/// a reader of the arena can see), and a vote proves by its id what was shown to whom, and when.
/// Ids are opaque to clients.
/// </summary>
public sealed class BattleTickets(byte[] key) : SignedTickets<Battle>(key)
{
    public static BattleTickets FromConfiguration(IConfiguration configuration) =>
        new(KeyFrom(configuration, "arena battle ids"));
}
