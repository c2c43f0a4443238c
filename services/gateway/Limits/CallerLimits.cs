using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using CommunityEvals.Gateway.Authentication;
using CommunityEvals.Platform.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace CommunityEvals.Gateway.Limits;

/// <summary>One rate: a token bucket that <see cref="PerSecond"/> refill each second, holding up to <see cref="Burst"/>.</summary>
public sealed class Rate
{
    public int PerSecond { get; set; }

    /// <summary>How many may come at once; never less than <see cref="PerSecond"/>.</summary>
    public int Burst { get; set; }

    public TokenBucketRateLimiterOptions ToOptions() => new()
    {
        TokensPerPeriod = PerSecond,
        TokenLimit = Math.Max(Burst, PerSecond),
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        // Over the rate is answered at once: a queue would hold connections, and the caller is told when to retry.
        QueueLimit = 0,
    };
}

/// <summary>
/// Limits on callers (ACCESS.md): ASP.NET Core's rate limiter, counting per token for signed-in callers
/// and per client address for anonymous ones; the admin token is not limited. Every request counts
/// against <c>Reads</c> (GET, HEAD, OPTIONS) or <c>Writes</c> (any other method); a route may name a
/// further limit as its <c>RateLimiterPolicy</c> (evidence uploads: <c>EvidenceUploads</c>). Every
/// rate is configuration (<c>RateLimits:{name}:PerSecond</c> and <c>:Burst</c>, appsettings.json).
/// </summary>
public static class CallerLimits
{
    public const string Section = "RateLimits";
    public const string Reads = "Reads";
    public const string Writes = "Writes";

    public static IServiceCollection AddCallerLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var rates = configuration.GetSection(Section).Get<Dictionary<string, Rate>>() ?? [];
        foreach (var required in new[] { Reads, Writes })
        {
            if (!rates.ContainsKey(required))
            {
                throw new InvalidOperationException($"{Section}:{required} is not configured (PerSecond and Burst)");
            }
        }

        if (rates.FirstOrDefault(rate => rate.Value.PerSecond <= 0) is { Key: { } bad })
        {
            throw new InvalidOperationException($"{Section}:{bad}:PerSecond must be at least 1");
        }

        return services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                IsProbe(context.Request.Path)
                    ? RateLimitPartition.GetNoLimiter("")
                    : Partition(context, IsRead(context.Request.Method) ? Reads : Writes, rates));
            foreach (var name in rates.Keys.Except([Reads, Writes]))
            {
                options.AddPolicy(name, context => Partition(context, name, rates));
            }

            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (rejected, _) =>
            {
                var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after)
                    ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds))
                    : 1;
                var context = rejected.HttpContext;
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                var who = EdgeAuthentication.CallerOf(context) is null ? "this address" : "this token";
                return new ValueTask(Problems.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"Too many requests from {who}; retry after {seconds} s."));
            };
        });
    }

    private static RateLimitPartition<string> Partition(HttpContext context, string limit, Dictionary<string, Rate> rates)
    {
        var caller = EdgeAuthentication.CallerOf(context);
        if (caller is { IsAdmin: true })
        {
            return RateLimitPartition.GetNoLimiter("admin");
        }

        var key = caller is null
            ? $"{limit} address {Address(context)}"
            : $"{limit} token {caller.Name}/{caller.TokenId}";
        var rate = rates[limit];
        return RateLimitPartition.GetTokenBucketLimiter(key, _ => rate.ToOptions());
    }

    private static bool IsRead(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);

    /// <summary>The orchestrator's health probes (ServiceDefaults' /health and /alive) are not callers.</summary>
    private static bool IsProbe(PathString path) => path.StartsWithSegments("/health") || path.StartsWithSegments("/alive");

    /// <summary>The client's address; for a page's API call, the visitor's the web service signed (<see cref="EdgeAuthentication.PageVisitorOf"/>).</summary>
    private static string Address(HttpContext context) => EdgeAuthentication.PageVisitorOf(context) ?? context.Connection.RemoteIpAddress switch
    {
        null => "unknown",
        { IsIPv4MappedToIPv6: true } mapped => mapped.MapToIPv4().ToString(),
        IPAddress address => address.ToString(),
    };
}
