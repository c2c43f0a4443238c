using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace CommunityEvals.Platform.Identity;

/// <summary>
/// Who is calling, as the gateway established it from the bearer token and signed it
/// (<see cref="GatewayIdentity"/>). Services read it only from the request's verified user, never
/// from a header, so an identity nobody verified cannot reach a handler.
/// </summary>
/// <param name="Role"><see cref="AdminRole"/>, <see cref="WriteRole"/> or <see cref="ReadRole"/>: what the token used may do.</param>
/// <param name="TokenId">The public id of the token used (the admin token's is <see cref="AdminTokenId"/>); never the token or its hash.</param>
public sealed record Caller(string Name, string Role, string TokenId)
{
    public const string AdminRole = "admin";
    public const string WriteRole = "write";
    public const string ReadRole = "read";

    /// <summary>The admin's account name; no user may take it.</summary>
    public const string AdminName = "admin";

    /// <summary>The admin token is configuration, not a stored token: this stands for it.</summary>
    public const string AdminTokenId = "admin";

    private const string TokenIdClaim = "communityevals:token-id";

    public bool IsAdmin => Role == AdminRole;

    /// <summary>Whether the token used may change anything (a read token may only GET and HEAD).</summary>
    public bool CanWrite => Role != ReadRole;

    public static Caller Admin { get; } = new(AdminName, AdminRole, AdminTokenId);

    public static bool IsRole(string role) => role is AdminRole or WriteRole or ReadRole;

    /// <summary>The signed-in caller of a request, or null when it is anonymous.</summary>
    public static Caller? From(HttpRequest request) => From(request.HttpContext.User);

    public static Caller? From(ClaimsPrincipal user)
    {
        if (user.Identity is not { IsAuthenticated: true } identity || string.IsNullOrEmpty(identity.Name))
        {
            return null;
        }

        return new Caller(identity.Name, user.FindFirstValue(ClaimTypes.Role) ?? "", user.FindFirstValue(TokenIdClaim) ?? "");
    }

    public ClaimsPrincipal ToPrincipal(string authenticationType) =>
        new(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, Name), new Claim(ClaimTypes.Role, Role), new Claim(TokenIdClaim, TokenId)],
            authenticationType));
}
