using CommunityEvals.Gateway.Authentication;
using CommunityEvals.Gateway.Caching;
using CommunityEvals.Gateway.Health;
using CommunityEvals.Gateway.Limits;
using CommunityEvals.Platform.Identity;
using CommunityEvals.Platform.EventStore;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    /// <summary>The services behind the gateway, by their AppHost resource names.</summary>
    public static readonly string[] Downstreams = ["ingestion", "verification", "leaderboard-projection", "web"];

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // The gateway reads access tokens only; it owns no documents and runs no daemon.
        builder.AddEventStore("gateway");

        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<TokenResolver>();
        // The gateway signs the identity it forwards with the key every service checks it with.
        builder.Services.AddSingleton(GatewayIdentity.FromConfiguration(builder.Configuration, TimeProvider.System));
        builder.Services.AddCallerLimits(builder.Configuration);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<CommunityEvals.Gateway.Documentation.MergedApiDocument>();

        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver()
            .AddRevalidatingCache();

        var health = builder.Services.AddHealthChecks();
        foreach (var downstream in Downstreams)
        {
            builder.Services.AddHttpClient(downstream, client => client.BaseAddress = new Uri($"http://{downstream}"));
            health.AddTypeActivatedCheck<DownstreamHealthCheck>(downstream, args: downstream);
        }

        // Evidence logs may be large; each service enforces its own, configurable limit.
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(
            kestrel => kestrel.Limits.MaxRequestBodySize = null);
    }
}
