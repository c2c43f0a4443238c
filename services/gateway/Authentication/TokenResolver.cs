using System.Security.Cryptography;
using System.Text;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Identity;
using Marten;
using Microsoft.Extensions.Caching.Memory;

namespace CommunityEvals.Gateway.Authentication;

/// <summary>A resolved bearer token: who it belongs to, and which stored token it is.</summary>
public sealed record TokenOwner(Caller Caller, string TokenId);

/// <summary>
/// Resolves bearer tokens to users by their hash, caching answers (also "unknown") for a few
/// seconds so a burst of requests costs one lookup.
/// </summary>
public sealed class TokenResolver(IDocumentStore store, IMemoryCache cache, IConfiguration configuration)
{
    public const string AdminTokenSetting = "COMMUNITYEVALS_ADMIN_TOKEN";

    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    private readonly byte[]? _adminTokenHash = configuration[AdminTokenSetting] is { Length: > 0 } admin
        ? Encoding.ASCII.GetBytes(TokenHash.Of(admin))
        : null;

    public async Task<TokenOwner?> ResolveAsync(string token, CancellationToken cancellationToken)
    {
        var hash = TokenHash.Of(token);
        if (_adminTokenHash is not null && CryptographicOperations.FixedTimeEquals(_adminTokenHash, Encoding.ASCII.GetBytes(hash)))
        {
            return new TokenOwner(new Caller(Caller.AdminName, IsAdmin: true), hash);
        }

        return await cache.GetOrCreateAsync($"token:{hash}", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            await using var session = store.QuerySession();
            var stored = await session.LoadAsync<AccessToken>(hash, cancellationToken);
            return stored is null ? null : new TokenOwner(new Caller(stored.User, IsAdmin: false), hash);
        });
    }
}
