using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace CommunityEvals.Platform.Identity;

/// <summary>
/// The identity the gateway forwards, signed so that services trust the gateway and nobody else: any
/// process that can reach a service could otherwise send a header naming the admin. One header,
/// <c>X-CommunityEvals-Identity: v1;user={name};role={role};token={id};t={unix seconds};sig={mac}</c>,
/// the MAC being HMAC-SHA256, under the stack's identity key, of everything before <c>;sig=</c>.
/// The time bounds a captured header's use to <see cref="Window"/>.
/// </summary>
public sealed class GatewayIdentity
{
    public const string Header = "X-CommunityEvals-Identity";

    /// <summary>Every identity header starts with this; the gateway drops whatever a client sent under it.</summary>
    public const string HeaderPrefix = "X-CommunityEvals-";

    /// <summary>The setting that holds the key, the same for the gateway and every service (the AppHost's <c>identity-key</c>).</summary>
    public const string KeySetting = "COMMUNITYEVALS_IDENTITY_KEY";

    public const int MinKeyLength = 32;

    /// <summary>
    /// How old (or how far ahead, for clocks that differ) a signature may be. The gateway signs as it
    /// forwards and the service checks the headers before it reads a body, so a few milliseconds pass
    /// on one machine; the rest is room for clocks of different machines.
    /// </summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private const string Version = "v1";
    private const string SignatureField = ";sig=";

    private readonly byte[] _key;
    private readonly TimeProvider _time;

    public GatewayIdentity(string key, TimeProvider time)
    {
        if (key.Length < MinKeyLength)
        {
            throw new ArgumentException($"the identity key must be at least {MinKeyLength} characters", nameof(key));
        }

        _key = Encoding.UTF8.GetBytes(key);
        _time = time;
    }

    /// <summary>The key from <see cref="KeySetting"/>; a service without one refuses to start rather than trust anyone.</summary>
    public static GatewayIdentity FromConfiguration(IConfiguration configuration, TimeProvider time) =>
        configuration[KeySetting] is { Length: >= MinKeyLength } key
            ? new GatewayIdentity(key, time)
            : throw new InvalidOperationException(
                $"{KeySetting} is not set (or shorter than {MinKeyLength} characters): the gateway and the services need the same "
                + "identity key to trust each other; start them through the AppHost, which generates it.");

    public string Sign(Caller caller) => Sign(caller, _time.GetUtcNow());

    public string Sign(Caller caller, DateTimeOffset at)
    {
        foreach (var value in new[] { caller.Name, caller.Role, caller.TokenId })
        {
            // Names, roles and token ids never hold these; refusing them keeps the fields unambiguous.
            if (value.Length == 0 || value.AsSpan().IndexOfAny(";= \r\n") >= 0)
            {
                throw new ArgumentException($"'{value}' cannot be part of a signed identity", nameof(caller));
            }
        }

        var signed = $"{Version};user={caller.Name};role={caller.Role};token={caller.TokenId};t={at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";
        return signed + SignatureField + Base64Url.EncodeToString(Mac(signed));
    }

    /// <summary>The caller a header names if its signature checks out and it is recent; otherwise why not.</summary>
    public bool TryVerify(string header, out Caller? caller, out string? problem)
    {
        caller = null;
        var at = header.LastIndexOf(SignatureField, StringComparison.Ordinal);
        if (at < 0)
        {
            problem = "the identity header is not signed";
            return false;
        }

        var signed = header[..at];
        var given = new byte[HMACSHA256.HashSizeInBytes];
        if (!Base64Url.TryDecodeFromChars(header.AsSpan(at + SignatureField.Length), given, out var length)
            || length != given.Length
            || !CryptographicOperations.FixedTimeEquals(given, Mac(signed)))
        {
            problem = "the identity header's signature does not check out";
            return false;
        }

        // Signed by the gateway, so well formed unless the format changed under us.
        var fields = signed.Split(';');
        if (fields is not [Version, var user, var role, var token, var time]
            || Value(user, "user") is not { Length: > 0 } name
            || Value(role, "role") is not { } roleName || !Caller.IsRole(roleName)
            || Value(token, "token") is not { Length: > 0 } tokenId
            || !long.TryParse(Value(time, "t"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            problem = "the identity header is malformed";
            return false;
        }

        var age = _time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (age > Window || age < -Window)
        {
            problem = "the identity header's signature is outside its validity window";
            return false;
        }

        caller = new Caller(name, roleName, tokenId);
        problem = null;
        return true;
    }

    /// <summary>
    /// The header the web service sends with the API calls it makes for a page: the visitor's address,
    /// signed, so the gateway counts an anonymous visitor's calls against their own address rather
    /// than against the web service's, which every visitor would otherwise share.
    /// </summary>
    public const string VisitorHeader = "X-CommunityEvals-Visitor";

    public string SignVisitor(string address) => SignVisitor(address, _time.GetUtcNow());

    public string SignVisitor(string address, DateTimeOffset at)
    {
        if (address.Length == 0 || address.AsSpan().IndexOfAny(";= \r\n") >= 0)
        {
            throw new ArgumentException($"'{address}' cannot be part of a signed visitor", nameof(address));
        }

        var signed = $"{Version};visitor={address};t={at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";
        return signed + SignatureField + Base64Url.EncodeToString(Mac(signed));
    }

    /// <summary>The address a visitor header names if its signature checks out and it is recent; else null.</summary>
    public string? VerifyVisitor(string header)
    {
        var at = header.LastIndexOf(SignatureField, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var signed = header[..at];
        var given = new byte[HMACSHA256.HashSizeInBytes];
        if (!Base64Url.TryDecodeFromChars(header.AsSpan(at + SignatureField.Length), given, out var length)
            || length != given.Length
            || !CryptographicOperations.FixedTimeEquals(given, Mac(signed))
            || signed.Split(';') is not [Version, var visitor, var time]
            || Value(visitor, "visitor") is not { Length: > 0 } address
            || !long.TryParse(Value(time, "t"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return null;
        }

        var age = _time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds);
        return age > Window || age < -Window ? null : address;
    }

    private byte[] Mac(string signed) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(signed));

    private static string? Value(string field, string name) =>
        field.StartsWith(name + "=", StringComparison.Ordinal) ? field[(name.Length + 1)..] : null;
}
