namespace CommunityEvals.AppHost.Resources;

public static class ServiceExtensions
{
    /// <summary>
    /// One of our services: the identity key it shares with the gateway (<paramref name="identityKey"/>),
    /// its HTTP endpoint on <paramref name="port"/> (default: a free port at each start),
    /// reached directly rather than through the orchestrator's proxy (a hop on every request), healthy when
    /// its <c>/health</c> says so (what <c>WaitFor</c> waits for), and a folder of its own in the data
    /// directory for what it keeps outside the database.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddService<TProject>(
        this IDistributedApplicationBuilder builder, string name, IResourceBuilder<ParameterResource> identityKey, int? port = null)
        where TProject : IProjectMetadata, new()
    {
        // Every service has it, or it refuses to start: none may trust an identity it cannot check.
        var service = builder.AddProject<TProject>(name).WithEnvironment("COMMUNITYEVALS_IDENTITY_KEY", identityKey);
        if (builder.ExecutionContext.IsPublishMode)
        {
            return service.WithHttpEndpoint(port: port);
        }

        var chosen = port ?? LocalRun.FreePort();
        return service
            .WithHttpEndpoint(port: chosen, targetPort: chosen, isProxied: false)
            .WithHttpHealthCheck("/health") // ServiceDefaults maps it: every dependency of the service, checked
            .WithEnvironment("COMMUNITYEVALS_DATA_DIR", builder.DataDirectory("services", name));
    }
}
