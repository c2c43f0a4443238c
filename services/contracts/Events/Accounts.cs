namespace CommunityEvals.Contracts.Events;

// Account events say who exists, who belongs where and which tokens a user has; they never carry a token or its hash.

public sealed record UserCreated(string Name);

public sealed record OrgCreated(string Name);

public sealed record OrgMemberAdded(string Org, string User);

/// <summary>A user got a token: its public id, name and role, never the token or its hash.</summary>
/// <param name="Role"><c>read</c> or <c>write</c>.</param>
public sealed record TokenCreated(string User, string TokenId, string DisplayName, string Role);

/// <summary>A token was revoked (by its user or the admin, the event's actor says which); it is refused from then on.</summary>
public sealed record TokenRevoked(string User, string TokenId);
