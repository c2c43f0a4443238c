using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace CommunityEvals.Platform.Identity;

/// <summary>
/// Opaque strings that carry a <typeparamref name="T"/>, signed with a key derived from the stack's
/// identity key for one purpose only: whoever holds one proves what was issued to them, and issuing
/// one writes nothing. Reading refuses anything this stack did not sign.
/// </summary>
public class SignedTickets<T>(byte[] key) where T : class
{
    /// <summary>The key for <paramref name="purpose"/>, derived from <see cref="GatewayIdentity.KeySetting"/>.</summary>
    public static byte[] KeyFrom(IConfiguration configuration, string purpose) =>
        configuration[GatewayIdentity.KeySetting] is { Length: >= GatewayIdentity.MinKeyLength } secret
            ? HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(purpose))
            : throw new InvalidOperationException($"{GatewayIdentity.KeySetting} is not set: {purpose} are signed with a key derived from it.");

    public string Issue(T ticket)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(ticket, JsonSerializerOptions.Web);
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(key, payload));
    }

    /// <summary>What a ticket carries, when this stack issued it; null for anything else.</summary>
    public T? Read(string ticket)
    {
        var dot = ticket.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || ticket.Length > 8_192)
        {
            return null;
        }

        try
        {
            var payload = Base64Url.DecodeFromChars(ticket.AsSpan(0, dot));
            var signature = Base64Url.DecodeFromChars(ticket.AsSpan(dot + 1));
            return CryptographicOperations.FixedTimeEquals(signature, HMACSHA256.HashData(key, payload))
                ? JsonSerializer.Deserialize<T>(payload, JsonSerializerOptions.Web)
                : null;
        }
        catch (Exception exception) when (exception is FormatException or JsonException)
        {
            return null;
        }
    }
}
