using Marten;

namespace CommunityEvals.Platform.EventStore;

/// <summary>
/// A bearer token, stored only as its SHA-256 hash beside the events that tell of it. It is a
/// document, not an event, because events are public and must never carry a token or its hash;
/// revoking deletes it (and appends <c>TokenRevoked</c>), so the gateway finds it no more.
/// </summary>
public sealed class AccessToken
{
    /// <summary>Lowercase hex SHA-256 of the token: what the gateway looks a presented token up by.</summary>
    public string Id { get; set; } = "";

    /// <summary>The public id (what events, lists and revocations name); empty for tokens made before ids existed.</summary>
    public string TokenId { get; set; } = "";

    public string User { get; set; } = "";

    public string DisplayName { get; set; } = "";

    /// <summary><c>read</c> or <c>write</c>; empty (tokens made before roles existed) means write.</summary>
    public string Role { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public string EffectiveRole() => string.IsNullOrEmpty(Role) ? Identity.Caller.WriteRole : Role;
}

/// <summary>
/// A user and the orgs they belong to, keyed by user name. Ingestion projects it (inline, from the
/// account events); the other services read it to tell a repo's owners (org members) from others.
/// </summary>
public sealed class UserProfile
{
    public string Id { get; set; } = "";

    public List<string> Orgs { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }
}

internal static class AccountDocuments
{
    /// <summary>Ingestion writes tokens and the gateway reads them, so both must agree on where they live.</summary>
    public const string Schema = "accounts";

    public static void Configure(StoreOptions options)
    {
        options.Schema.For<AccessToken>()
            .DatabaseSchemaName(Schema)
            // A user's tokens are listed, and a token found by its public id, on every settings call.
            .Index(token => token.User)
            .Index(token => token.TokenId);
        // Ingestion writes it from a projection, which keeps numeric revisions: every reader must map it alike.
        options.Schema.For<UserProfile>().DatabaseSchemaName(Schema).UseNumericRevisions(true);
    }
}
