namespace CommunityEvals.AppHost.Resources;

public static class ReadyBanner
{
    /// <summary>
    /// Once the gateway answers, says on the console where everything is: the dashboard shows the
    /// same and more, but a newcomer reads the terminal first.
    /// </summary>
    public static void AnnounceWhenReady(
        this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> gateway, IResourceBuilder<LocalRabbitMQResource> broker, string adminTokenFile)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return;
        }

        builder.Eventing.Subscribe<ResourceReadyEvent>(gateway.Resource, (_, _) =>
        {
            var data = builder.DataDirectory();
            var amqp = broker.Resource.Endpoint;
            Console.WriteLine($"""

                CommunityEvals is up.
                  gateway      {gateway.Resource.GetEndpoint("http").Url}   (every API route; /health)
                  event bus    amqp://{LocalRabbitMQResource.UserName}:$(cat {Path.Combine(data, "secrets", broker.Resource.Password.Name)})@127.0.0.1:{amqp.Port}
                  admin token  {adminTokenFile}
                  data         {data}
                The dashboard (its address is above) shows every resource, its console and structured logs, traces and metrics.

                """);
            return Task.CompletedTask;
        });
    }
}
