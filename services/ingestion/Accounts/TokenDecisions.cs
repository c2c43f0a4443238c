using System.Security.Cryptography;
using CommunityEvals.Contracts.Events;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Identity;

namespace CommunityEvals.Ingestion.Accounts;

/// <param name="TokenId">Chosen by the caller of the decider (<see cref="TokenDecisions.NewTokenId"/>), so the decision stays pure.</param>
public sealed record CreateToken(string User, string TokenId, string? DisplayName, string? Role);

public sealed record RevokeToken(string User, string TokenId);

/// <summary>What the token deciders need to know about a user.</summary>
/// <param name="StreamVersion">The version of the user's stream, which token events are appended to; 0 when the user does not exist.</param>
/// <param name="LiveTokens">The public ids of the user's tokens that are not revoked.</param>
public sealed record UserTokens(long StreamVersion, IReadOnlySet<string> LiveTokens)
{
    public bool UserExists => StreamVersion > 0;
}

/// <summary>Pure deciders for a user's tokens: state and command in, events or a rejection out.</summary>
public static class TokenDecisions
{
    public const int MaxDisplayNameLength = 100;

    /// <summary>The display name of the token made with the account (<c>POST /api/users</c>).</summary>
    public const string FirstTokenName = "created with the account";

    /// <summary>A public token id: 24 hex digits, random, so it tells nothing of the token.</summary>
    public static string NewTokenId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public static Decision Decide(CreateToken command, UserTokens state)
    {
        var displayName = command.DisplayName?.Trim() ?? "";
        if (displayName.Length is 0 or > MaxDisplayNameLength || displayName.Any(char.IsControl))
        {
            return Decision.Reject(RejectionKind.Invalid, $"displayName must be 1-{MaxDisplayNameLength} characters, without control characters");
        }

        if (command.Role is not (Caller.ReadRole or Caller.WriteRole))
        {
            return Decision.Reject(RejectionKind.Invalid, $"role must be '{Caller.ReadRole}' or '{Caller.WriteRole}'");
        }

        if (!state.UserExists)
        {
            return Decision.Reject(RejectionKind.NotFound, $"user '{command.User}' does not exist");
        }

        return Decision.Accept(new PendingEvent(
            StreamKeys.User(command.User),
            new TokenCreated(command.User, command.TokenId, displayName, command.Role),
            state.StreamVersion));
    }

    public static Decision Decide(RevokeToken command, UserTokens state)
    {
        if (!state.UserExists)
        {
            return Decision.Reject(RejectionKind.NotFound, $"user '{command.User}' does not exist");
        }

        if (!state.LiveTokens.Contains(command.TokenId))
        {
            return Decision.Reject(RejectionKind.NotFound, $"user '{command.User}' has no token '{command.TokenId}'");
        }

        return Decision.Accept(new PendingEvent(StreamKeys.User(command.User), new TokenRevoked(command.User, command.TokenId), state.StreamVersion));
    }
}
