using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CommunityEvals.Platform.Identity;

namespace CommunityEvals.Web.Gateway;

/// <summary>An answer of the public API: its status and body, with the problem document's words when it failed.</summary>
public sealed record ApiAnswer(int Status, string Body)
{
    public bool Ok => Status is >= 200 and < 300;

    /// <summary>The status of the page that shows this failed read: not found, not allowed and too many requests as they are, anything else the API's fault (502).</summary>
    public int PageStatus => Status is 404 or 403 or 429 ? Status : 502;

    public JsonElement Json()
    {
        using var document = JsonDocument.Parse(Body);
        return document.RootElement.Clone();
    }

    /// <summary>What went wrong, in the API's words: the problem document's detail (or error), else the status.</summary>
    public string Problem
    {
        get
        {
            try
            {
                var json = Json();
                if (json.ValueKind == JsonValueKind.Object)
                {
                    foreach (var name in new[] { "detail", "error", "title" })
                    {
                        if (json.TryGetProperty(name, out var text) && text.ValueKind == JsonValueKind.String && text.GetString() is { Length: > 0 } said)
                        {
                            return said;
                        }
                    }
                }
            }
            catch (JsonException)
            {
            }

            return $"The request was answered {Status}.";
        }
    }

    /// <summary>The problem document's <c>errors</c> (file, line, field, message), when it names any.</summary>
    public IReadOnlyList<JsonElement> Errors
    {
        get
        {
            try
            {
                return Json() is { ValueKind: JsonValueKind.Object } json && json.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array
                    ? [.. errors.EnumerateArray()]
                    : [];
            }
            catch (JsonException)
            {
                return [];
            }
        }
    }
}

/// <summary>
/// The gateway's public API, called with the page visitor's own token (from the sign-in cookie), so a
/// page shows what that visitor may see and writes as them. The cookie never reaches the API as a
/// cookie: API routes accept only <c>Authorization: Bearer</c>.
/// </summary>
public sealed class GatewayApi(HttpClient http, IHttpContextAccessor accessor, GatewayIdentity identity)
{
    public const string TokenCookie = "ce_token";

    public string? Token => accessor.HttpContext?.Request.Cookies[TokenCookie];

    public Task<ApiAnswer> GetAsync(string path, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, path), Token, cancellationToken);

    /// <summary>A GET with a token other than the visitor's (signing in checks the pasted one).</summary>
    public Task<ApiAnswer> GetAsAsync(string path, string token, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, path), token, cancellationToken);

    public Task<ApiAnswer> PostJsonAsync(string path, object body, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        }, Token, cancellationToken);

    public Task<ApiAnswer> PostAsync(string path, HttpContent content, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = content }, Token, cancellationToken);

    /// <summary>Headers only: whether the visitor may read a file, without fetching its bytes.</summary>
    public Task<ApiAnswer> HeadAsync(string path, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Head, path), Token, cancellationToken);

    public Task<ApiAnswer> DeleteAsync(string path, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Delete, path), Token, cancellationToken);

    /// <summary>
    /// The visitor's address: the first <c>X-Forwarded-For</c> entry, which the gateway's proxy sets
    /// (replacing any a client sent), else the connection's. IPv4 as the gateway's limits write it.
    /// </summary>
    public static string? VisitorAddress(HttpContext? context)
    {
        if (context is null)
        {
            return null;
        }

        var forwarded = context.Request.Headers["X-Forwarded-For"].ToString().Split(',')[0].Trim();
        var address = System.Net.IPAddress.TryParse(forwarded, out var parsed) ? parsed : context.Connection.RemoteIpAddress;
        return address switch
        {
            null => null,
            { IsIPv4MappedToIPv6: true } mapped => mapped.MapToIPv4().ToString(),
            _ => address.ToString(),
        };
    }

    /// <summary>
    /// Streams a file as the visitor may read it (their token, not a cookie, is what the file routes
    /// take) onto <paramref name="target"/>: the status, the headers a download needs, and the bytes,
    /// one buffer at a time. A <c>Range</c> the browser sent is passed on.
    /// </summary>
    public async Task StreamAsync(string path, HttpResponse target, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (!string.IsNullOrEmpty(Token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        }

        if (accessor.HttpContext?.Request.Headers.Range.ToString() is { Length: > 0 } range)
        {
            request.Headers.TryAddWithoutValidation("Range", range);
        }

        if (VisitorAddress(accessor.HttpContext) is { } address)
        {
            request.Headers.Add(GatewayIdentity.VisitorHeader, identity.SignVisitor(address));
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        target.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (name is "ETag" or "X-Repo-Commit" or "X-Error-Code" or "Accept-Ranges" or "Content-Type" or "Content-Length" or "Content-Range" or "Retry-After")
            {
                target.Headers[name] = values.ToArray();
            }
        }

        await response.Content.CopyToAsync(target.Body, cancellationToken);
    }

    private async Task<ApiAnswer> SendAsync(HttpRequestMessage request, string? token, CancellationToken cancellationToken)
    {
        using (request)
        {
            if (!string.IsNullOrEmpty(token))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            if (VisitorAddress(accessor.HttpContext) is { } address)
            {
                request.Headers.Add(GatewayIdentity.VisitorHeader, identity.SignVisitor(address));
            }

            using var response = await http.SendAsync(request, cancellationToken);
            return new ApiAnswer((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
    }
}
