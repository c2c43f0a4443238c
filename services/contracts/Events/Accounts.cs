namespace CommunityEvals.Contracts.Events;

// Account events say who exists and who belongs where; they never carry a token or its hash.

public sealed record UserCreated(string Name);

public sealed record OrgCreated(string Name);

public sealed record OrgMemberAdded(string Org, string User);
