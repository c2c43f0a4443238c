using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CommunityEvals.Gateway.Health;

/// <summary>The gateway is only as ready as the services it routes to.</summary>
public sealed class DownstreamHealthCheck(IHttpClientFactory clients, string downstream) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            using var response = await clients.CreateClient(downstream).GetAsync("/health", timeout.Token);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy($"{downstream} is healthy")
                : HealthCheckResult.Unhealthy($"{downstream} answered {(int)response.StatusCode}");
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"{downstream} is unreachable: {exception.Message}");
        }
    }
}
