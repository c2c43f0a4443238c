using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace CommunityEvals.LeaderboardProjection.Shared;

/// <summary>Small conventions Hub clients rely on.</summary>
public static class HubFormat
{
    /// <summary>
    /// UTC with milliseconds and a <c>Z</c>: <c>huggingface_hub</c> parses Hub times with a fixed
    /// <c>%Y-%m-%dT%H:%M:%S.%fZ</c> pattern and refuses <c>+00:00</c>.
    /// </summary>
    public static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A stable 24-hex id in the shape of the Hub's <c>_id</c> (a Mongo ObjectId).</summary>
    public static string ObjectId(string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..24];

    /// <summary>
    /// The values of a query key sent as <c>key=</c> or <c>key[]=</c> (the JS and Python clients
    /// differ), repeated or comma-separated.
    /// </summary>
    public static IReadOnlyList<string> Values(IQueryCollection query, string key) =>
        Enumerate(query[key]).Concat(Enumerate(query[key + "[]"])).ToList();

    private static IEnumerable<string> Enumerate(StringValues values) =>
        values.SelectMany(value => (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Parses an optional boolean query flag; null when it is not a boolean.</summary>
    public static bool? Flag(string? value, bool absent) => value switch
    {
        null or "" => absent,
        _ when value.Equals("true", StringComparison.OrdinalIgnoreCase) || value == "1" => true,
        _ when value.Equals("false", StringComparison.OrdinalIgnoreCase) || value == "0" => false,
        _ => null,
    };
}
