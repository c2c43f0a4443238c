using System.Security.Cryptography;
using System.Text;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace CommunityEvals.Platform.Http;

/// <summary>
/// The stored first answer to a POST sent with an <c>Idempotency-Key</c>. The body is encrypted
/// with a key derived from the client's idempotency key, which is never stored: an answer that
/// carries a secret (a new user's token) stays unreadable to anyone who can read the database.
/// </summary>
public sealed class IdempotentResponse
{
    public string Id { get; set; } = "";

    public bool Completed { get; set; }

    public int Status { get; set; }

    public string? ContentType { get; set; }

    public string? Location { get; set; }

    public byte[] Nonce { get; set; } = [];

    public byte[] Tag { get; set; } = [];

    public byte[] Body { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// Endpoint metadata for a POST whose answer holds a secret shown once (a new token): a retry with the
/// same <c>Idempotency-Key</c> is answered 409 instead of the first answer, which is not kept.
/// </summary>
public sealed class ShownOnce
{
    public static ShownOnce Instance { get; } = new();
}

public static class Idempotency
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    private const int MaxKeyLength = 256;

    private static readonly AsyncLocal<string?> PendingRecord = new();

    /// <summary>
    /// Called inside the transaction that appends a request's events: reserving the key there
    /// makes "events appended" and "key used" one fact, so a retry can never append twice.
    /// </summary>
    public static void ReserveIn(IDocumentSession session)
    {
        if (PendingRecord.Value is { } id)
        {
            session.Insert(new IdempotentResponse { Id = id, CreatedAt = DateTimeOffset.UtcNow });
        }
    }

    public static IApplicationBuilder UseIdempotency(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var keys = context.Request.Headers[Header];
            var key = keys.ToString();
            if (!HttpMethods.IsPost(context.Request.Method) || key.Length == 0)
            {
                await next(context);
                return;
            }

            // Two keys would be read as one ("a,b"): which request the client meant to retry is
            // then a guess, so neither is. Behind the gateway a repeated header arrives already
            // joined by a comma, so a comma is refused too.
            if (keys.Count > 1 || key.Contains(','))
            {
                await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Bad request",
                    $"{Header} must be given once, as one value without commas.");
                return;
            }

            if (key.Length > MaxKeyLength)
            {
                await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Bad request", $"{Header} must be at most {MaxKeyLength} characters.");
                return;
            }

            // Keys are scoped per caller: the verified one (UseGatewayIdentity runs first).
            var caller = Identity.Caller.From(context.Request)?.Name ?? "";
            var shownOnce = context.GetEndpoint()?.Metadata.GetMetadata<ShownOnce>() is not null;
            var id = Hash($"{caller}\n{context.Request.Method}\n{context.Request.Path}{context.Request.QueryString}\n{key}");
            var store = context.RequestServices.GetRequiredService<IDocumentStore>();
            await using (var query = store.QuerySession())
            {
                if (await query.LoadAsync<IdempotentResponse>(id, context.RequestAborted) is { } stored)
                {
                    if (shownOnce && stored.Completed)
                    {
                        await Problems.WriteAsync(context, StatusCodes.Status409Conflict, "Conflict",
                            $"A request with this {Header} was already answered ({stored.Status}); answers of this route hold a secret that is never shown twice, so none is replayed.");
                        return;
                    }

                    await ReplayAsync(context, stored, key, caller);
                    return;
                }
            }

            var original = context.Response.Body;
            using var buffer = new MemoryStream();
            context.Response.Body = buffer;
            PendingRecord.Value = id;
            try
            {
                await next(context);
            }
            finally
            {
                PendingRecord.Value = null;
                context.Response.Body = original;
            }

            var body = buffer.ToArray();
            if (context.Response.StatusCode < 500)
            {
                // What a replay will never show is not kept, not even encrypted.
                await RememberAsync(store, id, context.Response, shownOnce ? [] : body, key, caller, context.RequestAborted);
            }

            await original.WriteAsync(body, context.RequestAborted);
        });

    /// <summary>Marks an endpoint <see cref="ShownOnce"/>.</summary>
    public static TBuilder ShownOnce<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(Http.ShownOnce.Instance);

    private static async Task RememberAsync(IDocumentStore store, string id, HttpResponse response, byte[] body, string key, string caller, CancellationToken cancellationToken)
    {
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var cipher = new byte[body.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using (var aes = new AesGcm(EncryptionKey(key, caller), tag.Length))
        {
            aes.Encrypt(nonce, body, cipher, tag);
        }

        await using var session = store.LightweightSession();
        session.Store(new IdempotentResponse
        {
            Id = id,
            Completed = true,
            Status = response.StatusCode,
            ContentType = response.ContentType,
            Location = response.Headers.Location.ToString() is { Length: > 0 } location ? location : null,
            Nonce = nonce,
            Tag = tag,
            Body = cipher,
            CreatedAt = DateTimeOffset.UtcNow,
        });
        await session.SaveChangesAsync(cancellationToken);
    }

    private static async Task ReplayAsync(HttpContext context, IdempotentResponse stored, string key, string caller)
    {
        if (!stored.Completed)
        {
            await Problems.WriteAsync(context, StatusCodes.Status409Conflict, "Conflict",
                $"A request with this {Header} is still being processed; retry shortly.");
            return;
        }

        var body = new byte[stored.Body.Length];
        using (var aes = new AesGcm(EncryptionKey(key, caller), stored.Tag.Length))
        {
            aes.Decrypt(stored.Nonce, stored.Body, stored.Tag, body);
        }

        context.Response.StatusCode = stored.Status;
        context.Response.ContentType = stored.ContentType;
        if (stored.Location is not null)
        {
            context.Response.Headers.Location = stored.Location;
        }

        context.Response.Headers[ReplayedHeader] = "true";
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    private static byte[] EncryptionKey(string key, string caller) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"communityevals idempotent answer\n{caller}\n{key}"));

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
