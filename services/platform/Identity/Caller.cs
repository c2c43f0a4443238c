using Microsoft.AspNetCore.Http;

namespace CommunityEvals.Platform.Identity;

/// <summary>
/// Who is calling, as the gateway established it from the bearer token. The gateway strips these
/// headers from every client request before setting them, so services can trust them.
/// </summary>
public sealed record Caller(string Name, bool IsAdmin)
{
    public const string UserHeader = "X-CommunityEvals-User";
    public const string RoleHeader = "X-CommunityEvals-Role";

    /// <summary>Which stored token the caller used (its hash, never the token).</summary>
    public const string TokenIdHeader = "X-CommunityEvals-Token-Id";
    public const string AdminRole = "admin";
    public const string UserRole = "user";

    /// <summary>The admin's account name; no user may take it.</summary>
    public const string AdminName = "admin";

    public static Caller? From(HttpRequest request)
    {
        var name = request.Headers[UserHeader].ToString();
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        return new Caller(name, request.Headers[RoleHeader].ToString() == AdminRole);
    }
}
