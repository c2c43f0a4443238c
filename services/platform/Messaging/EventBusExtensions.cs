using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CommunityEvals.Platform.Messaging;

public static class EventBusExtensions
{
    /// <summary>The connection string name, as the AppHost's broker resource is called.</summary>
    public const string BrokerName = "eventbus";

    /// <summary>
    /// MassTransit over RabbitMQ. Queues are prefixed with the service name so two services that
    /// consume the same message each get their own copy. MassTransit adds its own health check,
    /// which makes /health report the broker.
    /// </summary>
    public static IHostApplicationBuilder AddEventBus(
        this IHostApplicationBuilder builder,
        string serviceName,
        Action<IBusRegistrationConfigurator>? configure = null)
    {
        var connectionString = builder.Configuration.GetConnectionString(BrokerName)
            ?? throw new InvalidOperationException(
                $"ConnectionStrings:{BrokerName} is not set; start the service through the AppHost.");

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(serviceName, includeNamespace: false));
            // MassTransit reports usage to its makers by default; offline, every start logged the failed
            // report with a stack trace. Nothing of ours is sent anywhere.
            bus.ConfigureUsageTelemetryOptions(options => options.Enabled = false);
            configure?.Invoke(bus);
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(new Uri(connectionString));
                rabbit.ConfigureEndpoints(context);
            });
        });
        return builder;
    }
}
