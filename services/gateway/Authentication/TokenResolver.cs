using System.Security.Cryptography;
using System.Text;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Identity;
using Marten;
using Microsoft.Extensions.Caching.Memory;

namespace CommunityEvals.Gateway.Authentication;

/// <summary>
/// Resolves bearer tokens to callers by their hash, caching answers (also "unknown") briefly so a
/// burst of requests costs one lookup.
/// </summary>
public sealed class TokenResolver(IDocumentStore store, IMemoryCache cache, IConfiguration configuration)
{
    public const string AdminTokenSetting = "COMMUNITYEVALS_ADMIN_TOKEN";

    /// <summary>
    /// A revoked token must be refused within a second on every route (ACCESS.md). Revoking deletes the
    /// stored hash, so an answer kept at most this long meets that on any number of gateways without
    /// telling them; it costs at most two primary-key lookups a second per token in use.
    /// </summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromMilliseconds(500);

    /// <summary>Tokens stored before tokens had public ids: they keep working, under this id.</summary>
    public const string UnnamedTokenId = "unnamed";

    private readonly byte[]? _adminTokenHash = configuration[AdminTokenSetting] is { Length: > 0 } admin
        ? Encoding.ASCII.GetBytes(TokenHash.Of(admin))
        : null;

    public async Task<Caller?> ResolveAsync(string token, CancellationToken cancellationToken)
    {
        var hash = TokenHash.Of(token);
        if (_adminTokenHash is not null && CryptographicOperations.FixedTimeEquals(_adminTokenHash, Encoding.ASCII.GetBytes(hash)))
        {
            return Caller.Admin;
        }

        return await cache.GetOrCreateAsync($"token:{hash}", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            await using var session = store.QuerySession();
            var stored = await session.LoadAsync<AccessToken>(hash, cancellationToken);
            return stored is null
                ? null
                : new Caller(stored.User, stored.EffectiveRole(), stored.TokenId is { Length: > 0 } id ? id : UnnamedTokenId);
        });
    }
}
