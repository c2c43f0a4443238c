using System.Security.Cryptography;
using System.Text;

namespace CommunityEvals.Platform.Identity;

public static class TokenHash
{
    /// <summary>Every token a client presents starts with this, because Hub clients refuse others.</summary>
    public const string Prefix = "hf_";

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string NewToken() => Prefix + RandomNumberGenerator.GetString(Alphabet, 34);

    public static string Of(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
