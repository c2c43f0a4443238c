using System.Net;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;

namespace CommunityEvals.Gateway.Caching;

/// <summary>
/// Puts the <see cref="RevalidatingCache"/> on the routes whose metadata ask for it. Each request
/// reaches the service with <c>If-None-Match</c> naming the stored answer, and the service either
/// confirms it (304: the stored body is sent) or replaces it (200: stored and sent). Requests for an
/// answer already stored share exchanges (<see cref="CollapsedExchanges{T}"/>), so a hot board costs
/// the service one small 304 per round trip, not one per reader. <c>Cache-Status</c> (RFC 9211)
/// tells each client what happened.
/// </summary>
public static class RevalidatingCacheProxy
{
    /// <summary>What one request knows about the stored answer, and what its exchange confirmed.</summary>
    private sealed class Lookup(string key, StoredResponse? stored)
    {
        public string Key { get; } = key;

        public StoredResponse? Stored { get; } = stored;

        public Confirmed? Outcome { get; set; }
    }

    /// <summary>A stored answer the service has just vouched for, and how (its status to the gateway: 304 or 200).</summary>
    public sealed record Confirmed(StoredResponse Response, int ServiceStatus);

    public static IReverseProxyBuilder AddRevalidatingCache(this IReverseProxyBuilder proxy)
    {
        proxy.Services.AddSingleton<RevalidatingCache>();
        proxy.Services.AddSingleton<CollapsedExchanges<Confirmed>>();
        return proxy.AddTransforms(route =>
        {
            if (!IsCached(route.Route.Metadata))
            {
                return;
            }

            var cache = route.Services.GetRequiredService<RevalidatingCache>();
            route.AddRequestTransform(context =>
            {
                if (context.HttpContext.Features.Get<Lookup>() is { Stored: { } stored })
                {
                    context.ProxyRequest.Headers.TryAddWithoutValidation(HeaderNames.IfNoneMatch, stored.ETag);
                }

                return ValueTask.CompletedTask;
            });
            route.AddResponseTransform(async context =>
            {
                if (context.HttpContext.Features.Get<Lookup>() is not { } lookup || context.ProxyResponse is not { } answer)
                {
                    return;
                }

                var response = context.HttpContext.Response;
                var status = (int)answer.StatusCode;
                var forwarded = lookup.Stored is null ? "fwd=uri-miss" : $"fwd=stale; fwd-status={status}";
                if (answer.StatusCode == HttpStatusCode.NotModified && lookup.Stored is { } stored)
                {
                    lookup.Outcome = new Confirmed(stored, status);
                    context.SuppressResponseBody = true;
                    await stored.SendAsync(response, RevalidatingCache.Status(forwarded), context.CancellationToken);
                    return;
                }

                if (!RevalidatingCache.Storable(response))
                {
                    // Whatever the key answers now (a 404, an answer without a validator) is not to be shared.
                    cache.Remove(lookup.Key);
                    return;
                }

                var body = await answer.Content.ReadAsByteArrayAsync(context.CancellationToken);
                var fresh = StoredResponse.Of(response, body);
                cache.Store(lookup.Key, fresh);
                lookup.Outcome = new Confirmed(fresh, status);
                context.SuppressResponseBody = true;
                await StoredResponse.WriteAsync(response, body, RevalidatingCache.Status($"{forwarded}; stored"), context.CancellationToken);
            });
        });
    }

    /// <summary>
    /// The proxy pipeline (YARP's default steps) with the cache in front: a request whose answer is
    /// stored either makes the next exchange for its key or shares it.
    /// </summary>
    public static void UseRevalidatingCache(this IReverseProxyApplicationBuilder proxy)
    {
        proxy.Use(async (context, next) =>
        {
            if (!IsCached(context.GetReverseProxyFeature().Route.Config.Metadata)
                || RevalidatingCache.KeyOf(context.Request) is not { } key)
            {
                await next();
                return;
            }

            var cache = context.RequestServices.GetRequiredService<RevalidatingCache>();
            var lookup = new Lookup(key, cache.Find(key));
            context.Features.Set(lookup);
            if (lookup.Stored is null)
            {
                // Nothing is known of this key's answers yet (it may be an event stream): on its own.
                await next();
                return;
            }

            var exchanges = context.RequestServices.GetRequiredService<CollapsedExchanges<Confirmed>>();
            var shared = await exchanges.RunAsync(key, async () =>
            {
                await next();
                return lookup.Outcome;
            });
            if (shared.Led)
            {
                return;
            }

            if (shared.Outcome is { } confirmed)
            {
                await confirmed.Response.SendAsync(context.Response,
                    RevalidatingCache.Status($"fwd=stale; fwd-status={confirmed.ServiceStatus}; collapsed"), context.RequestAborted);
                return;
            }

            // The exchange this request waited for gave nothing to share: it goes on its own.
            context.Features.Set(new Lookup(key, cache.Find(key)));
            await next();
        });
        proxy.UseSessionAffinity();
        proxy.UseLoadBalancing();
        proxy.UsePassiveHealthChecks();
    }

    private static bool IsCached(IReadOnlyDictionary<string, string>? metadata) =>
        metadata?.GetValueOrDefault(RevalidatingCache.RouteMetadata) == "true";
}
