using Marten;

namespace CommunityEvals.Platform.EventStore;

/// <summary>
/// A bearer token, stored only as its SHA-256 hash beside the event that created its user. It is a
/// document, not an event, because events are public and must never carry a token or its hash.
/// </summary>
public sealed class AccessToken
{
    /// <summary>Lowercase hex SHA-256 of the token.</summary>
    public string Id { get; set; } = "";

    public string User { get; set; } = "";

    public string DisplayName { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}

internal static class AccountDocuments
{
    /// <summary>Ingestion writes tokens and the gateway reads them, so both must agree on where they live.</summary>
    public const string Schema = "accounts";

    public static void Configure(StoreOptions options) =>
        options.Schema.For<AccessToken>().DatabaseSchemaName(Schema);
}
