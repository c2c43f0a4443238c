using System.Collections.Concurrent;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace CommunityEvals.Gateway.Caching;

/// <summary>
/// The gateway's copy of answers that carry an ETag (the live boards), used only after the service
/// has confirmed it: every request still goes to the service, but with <c>If-None-Match</c> naming
/// the stored answer, so an unchanged board crosses the internal hop as a bodiless 304 and the
/// gateway sends the body it holds. Nothing is served that the service did not just vouch for, so a
/// read through the gateway is exactly as fresh as one sent straight to the service.
/// </summary>
public sealed class RevalidatingCache
{
    /// <summary>Route metadata that turns the cache on for a route (value <c>true</c>).</summary>
    public const string RouteMetadata = "RevalidatingCache";

    /// <summary>The RFC 9211 header that tells a client what the cache did, under this cache's name.</summary>
    public const string StatusHeader = "Cache-Status";

    public const string Name = "gateway";

    /// <summary>A <see cref="StatusHeader"/> value of this cache, e.g. <c>gateway; fwd=stale; fwd-status=304</c>.</summary>
    public static string Status(string parameters) => $"{Name}; {parameters}";

    /// <summary>Past this much stored body the cache starts over: a bound, not a tuned size.</summary>
    public const long MaxBytes = 64L * 1024 * 1024;

    public const int MaxEntryBytes = 8 * 1024 * 1024;

    private readonly ConcurrentDictionary<string, StoredResponse> _entries = new(StringComparer.Ordinal);
    private long _bytes;

    /// <summary>
    /// The key of a request whose answer may be stored, or null: only anonymous, unconditional
    /// GETs, since a shared cache must not hand one caller's answer to another, and a client's own
    /// validators or ranges ask for an answer that is not the stored one.
    /// </summary>
    public static string? KeyOf(HttpRequest request)
    {
        var headers = request.Headers;
        if (!HttpMethods.IsGet(request.Method)
            || headers.ContainsKey(Platform.Identity.GatewayIdentity.Header)
            || headers.ContainsKey(HeaderNames.Authorization)
            || headers.ContainsKey(HeaderNames.IfNoneMatch)
            || headers.ContainsKey(HeaderNames.IfModifiedSince)
            || headers.ContainsKey(HeaderNames.IfMatch)
            || headers.ContainsKey(HeaderNames.IfUnmodifiedSince)
            || headers.ContainsKey(HeaderNames.Range))
        {
            return null;
        }

        // The services vary their answers by Accept-Encoding only (see Storable).
        return $"{request.Path}{request.QueryString}\n{headers.AcceptEncoding}";
    }

    /// <summary>
    /// Whether an answer may be stored: a complete 200 with a validator, that its sender did not
    /// mark private, and that varies by nothing the key does not hold.
    /// </summary>
    public static bool Storable(HttpResponse response)
    {
        var headers = response.Headers;
        if (response.StatusCode != StatusCodes.Status200OK
            || StringValues.IsNullOrEmpty(headers.ETag)
            || response.ContentLength is not { } length || length > MaxEntryBytes
            || headers.ContainsKey(HeaderNames.SetCookie))
        {
            return false;
        }

        var cacheControl = headers.CacheControl.ToString();
        if (cacheControl.Contains("no-store", StringComparison.OrdinalIgnoreCase)
            || cacheControl.Contains("private", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return headers.Vary.SelectMany(value => (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .All(name => name.Equals(HeaderNames.AcceptEncoding, StringComparison.OrdinalIgnoreCase));
    }

    public StoredResponse? Find(string key) => _entries.GetValueOrDefault(key);

    public void Remove(string key)
    {
        if (_entries.TryRemove(key, out var removed))
        {
            Interlocked.Add(ref _bytes, -removed.Body.Length);
        }
    }

    public void Store(string key, StoredResponse response)
    {
        var replaced = _entries.TryGetValue(key, out var old) ? old.Body.Length : 0;
        _entries[key] = response;
        if (Interlocked.Add(ref _bytes, response.Body.Length - replaced) > MaxBytes)
        {
            _entries.Clear();
            Interlocked.Exchange(ref _bytes, 0);
        }
    }
}

/// <summary>An answer as the service sent it: its validator, body and the headers that describe the body.</summary>
public sealed record StoredResponse(string ETag, byte[] Body, KeyValuePair<string, StringValues>[] Headers)
{
    /// <summary>Headers that belong to one exchange, not to the stored answer.</summary>
    private static readonly HashSet<string> PerExchange = new(StringComparer.OrdinalIgnoreCase)
    {
        HeaderNames.Date, HeaderNames.Server, HeaderNames.Connection, HeaderNames.KeepAlive,
        HeaderNames.TransferEncoding, HeaderNames.ContentLength, RevalidatingCache.StatusHeader,
    };

    public static StoredResponse Of(HttpResponse response, byte[] body) =>
        new(response.Headers.ETag.ToString(), body, response.Headers.Where(header => !PerExchange.Contains(header.Key)).ToArray());

    /// <summary>Sends this stored 200 as the answer, in place of whatever the current response holds (the service's 304, or nothing yet).</summary>
    public async Task SendAsync(HttpResponse response, string cacheStatus, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        // Kestrel adds the per-exchange headers (Date, Server) itself when it starts the response.
        response.Headers.Clear();
        foreach (var (name, value) in Headers)
        {
            response.Headers[name] = value;
        }

        await WriteAsync(response, Body, cacheStatus, cancellationToken);
    }

    public static async Task WriteAsync(HttpResponse response, byte[] body, string cacheStatus, CancellationToken cancellationToken)
    {
        response.Headers[RevalidatingCache.StatusHeader] = cacheStatus;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, cancellationToken);
    }
}
