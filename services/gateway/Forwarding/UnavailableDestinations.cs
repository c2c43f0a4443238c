using CommunityEvals.Platform.Http;
using Yarp.ReverseProxy.Forwarder;

namespace CommunityEvals.Gateway.Forwarding;

/// <summary>
/// A service that is down, restarting or refusing connections makes YARP answer 502 (or 504 on a
/// timeout) with an empty body. To a caller that is the same situation as a database out of reach
/// behind a service: the request may succeed shortly. So it is answered the same way, 503 with
/// <c>Retry-After</c> and a problem document. Failures on the client's side (it went away, or sent a
/// broken body) keep YARP's answer.
/// </summary>
public static class UnavailableDestinations
{
    /// <summary>Outermost step of the proxy pipeline, so that it sees the final outcome of every other step (the cache's shared exchanges included).</summary>
    public static void UseUnavailableProblems(this IReverseProxyApplicationBuilder proxy) =>
        proxy.Use(async (context, next) =>
        {
            await next();
            if (context.GetForwarderErrorFeature() is { } failure && IsDestinationFailure(failure.Error) && !context.Response.HasStarted)
            {
                var service = context.GetReverseProxyFeature().Cluster.Config.ClusterId;
                await Problems.WriteUnavailableAsync(context, $"the {service} service");
            }
        });

    /// <summary>The destination could not be reached, did not answer in time, or broke off before its answer began.</summary>
    public static bool IsDestinationFailure(ForwarderError error) => error
        is ForwarderError.Request
        or ForwarderError.RequestTimedOut
        or ForwarderError.RequestBodyDestination
        or ForwarderError.ResponseBodyDestination
        or ForwarderError.NoAvailableDestinations;
}
