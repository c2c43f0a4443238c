using System.Text.Json;

namespace CommunityEvals.Contracts;

/// <summary>
/// One committed event of the log, forwarded to RabbitMQ after its transaction committed.
/// Delivery is at least once: consumers deduplicate by <see cref="Sequence"/>.
/// </summary>
/// <param name="Sequence">The event store's global sequence number.</param>
/// <param name="Stream">The stream key, e.g. <c>user/alice</c>.</param>
/// <param name="Type">The event type's name, e.g. <c>UserCreated</c>.</param>
/// <param name="Actor">The user who caused it.</param>
/// <param name="Data">The event itself, as it appears in the public feed.</param>
public sealed record EventCommitted(
    long Sequence,
    Guid EventId,
    string Stream,
    string Type,
    string? Actor,
    DateTimeOffset OccurredAt,
    JsonElement Data);
