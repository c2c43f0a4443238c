using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
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
    /// <summary>The Hub's <c>gated</c>: <c>false</c>, or how access is given (<c>"auto"</c>, <c>"manual"</c>).</summary>
    public static object Gated(string? gating) => gating ?? (object)false;

    public static bool? Flag(string? value, bool absent) => value switch
    {
        null or "" => absent,
        _ when value.Equals("true", StringComparison.OrdinalIgnoreCase) || value == "1" => true,
        _ when value.Equals("false", StringComparison.OrdinalIgnoreCase) || value == "0" => false,
        _ => null,
    };

    /// <summary>A list's <c>limit</c>: null when absent, or why it is refused.</summary>
    public static (int? Limit, string? Problem) Limit(IQueryCollection query) =>
        query["limit"].FirstOrDefault() is not { Length: > 0 } text ? (null, null)
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit >= 1 ? (limit, null)
        : (null, "'limit' must be a positive integer.");

    /// <summary>
    /// A Hub list in the order <c>sort=lastModified|createdAt</c> and <c>direction</c> ask for (descending
    /// unless <c>direction=1</c>, as on the Hub); as given otherwise. Hub times are fixed-width UTC
    /// strings, so they sort as text.
    /// </summary>
    public static IEnumerable<T> SortByTime<T>(IEnumerable<T> items, IQueryCollection query, Func<T, string> createdAt, Func<T, string> lastModified)
    {
        Func<T, string>? key = query["sort"].FirstOrDefault() switch
        {
            "lastModified" => lastModified,
            "createdAt" => createdAt,
            _ => null,
        };
        return key is null ? items
            : query["direction"].FirstOrDefault() == "1" ? items.OrderBy(key, StringComparer.Ordinal)
            : items.OrderByDescending(key, StringComparer.Ordinal);
    }
}
