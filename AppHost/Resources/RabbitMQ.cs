using System.Globalization;
using System.Net.Sockets;
using Aspire.Hosting.Publishing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;

namespace CommunityEvals.AppHost.Resources;

/// <summary>
/// A RabbitMQ 3.10 node run from the machine's own installation, with its database, logs and Erlang
/// cookie under the data directory. Aspire's own <c>AddRabbitMQ</c> needs a container runtime, which this
/// machine does not have; in the manifest the broker is the same rabbitmq container it would write.
/// </summary>
public sealed class LocalRabbitMQResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";
    public const string UserName = "guest";
    public const int ContainerPort = 5672;

    public ParameterResource Password { get; } = password;

    public EndpointReference Endpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"amqp://{UserName}:{Password}@{Endpoint.Property(EndpointProperty.IPV4Host)}:{Endpoint.Property(EndpointProperty.Port)}");
}

public static class LocalRabbitMQExtensions
{
    private const string ScriptsDirectory = "/usr/lib/rabbitmq/bin";
    private const string Loopback = "127.0.0.1";

    /// <summary>
    /// The node, in <c>&lt;data-dir&gt;/&lt;name&gt;</c>, its password in <c>&lt;data-dir&gt;/secrets/&lt;name&gt;-password</c>,
    /// and the node's own port mapper (epmd) as a child resource: started by the node, epmd would
    /// outlive it as a daemon.
    /// </summary>
    public static IResourceBuilder<LocalRabbitMQResource> AddLocalRabbitMQ(this IDistributedApplicationBuilder builder, string name)
    {
        var passwordName = $"{name}-password";
        var directory = builder.DataDirectory(name);
        var passwordFile = Path.Combine(builder.DataDirectory(), "secrets", passwordName);
        builder.RefuseLostSecret(passwordFile, Path.Combine(directory, "mnesia"));
        var password = builder.AddLocalSecret(passwordName, passwordFile, generateInManifest: true);
        var broker = new LocalRabbitMQResource(name, Path.Combine(ScriptsDirectory, "rabbitmq-server"), directory, password.Resource);
        var resource = builder.AddResource(broker).WithManifestPublishingCallback(context => WriteManifest(context, broker));
        if (builder.ExecutionContext.IsPublishMode)
        {
            return resource.WithEndpoint(LocalRabbitMQResource.EndpointName, endpoint => endpoint.TargetPort = LocalRabbitMQResource.ContainerPort);
        }

        var (amqp, distribution, epmdPort) = (LocalRun.FreePort(), LocalRun.FreePort(), LocalRun.FreePort());
        var epmd = builder.AddExecutable($"{name}-epmd", "epmd", directory, "-port", epmdPort.ToString(CultureInfo.InvariantCulture), "-address", Loopback)
            .WithParentRelationship(resource)
            .WithHealthCheck(AddCheck(builder, $"{name}-epmd_check", cancellationToken => EpmdCheckAsync(epmdPort, cancellationToken)));

        WriteConfiguration(directory, builder.Configuration[$"Parameters:{passwordName}"]!, amqp);
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = Path.Combine(directory, "home"),
            ["LC_ALL"] = "C.UTF-8",
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(directory, "rabbitmq-env.conf"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(directory, "rabbitmq.conf"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(directory, "advanced.config"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(directory, "enabled_plugins"),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(directory, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(directory, "log"),
            ["RABBITMQ_LOGS"] = "-",
            ["RABBITMQ_PID_FILE"] = Path.Combine(directory, "rabbit.pid"),
            ["RABBITMQ_NODENAME"] = "evals@localhost",
            ["RABBITMQ_NODE_IP_ADDRESS"] = Loopback,
            ["RABBITMQ_NODE_PORT"] = amqp.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = distribution.ToString(CultureInfo.InvariantCulture),
            ["ERL_EPMD_PORT"] = epmdPort.ToString(CultureInfo.InvariantCulture),
            ["ERL_EPMD_ADDRESS"] = Loopback,
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1} -start_epmd false",
        };

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(broker, async (_, cancellationToken) =>
            connectionString = await broker.ConnectionStringExpression.GetValueAsync(cancellationToken));
        return resource
            .WithEndpoint(LocalRabbitMQResource.EndpointName, endpoint =>
            {
                endpoint.Port = amqp;
                endpoint.TargetPort = amqp;
                endpoint.IsProxied = false;
                endpoint.UriScheme = "amqp";
            })
            .WithEnvironment(context =>
            {
                foreach (var (key, value) in environment)
                {
                    context.EnvironmentVariables[key] = value;
                }
            })
            .WaitFor(epmd)
            .WithHealthCheck(AddCheck(builder, $"{name}_check", cancellationToken => AmqpCheckAsync(connectionString!, cancellationToken)));
    }

    private static string AddCheck(IDistributedApplicationBuilder builder, string name, Func<CancellationToken, Task<HealthCheckResult>> check)
    {
        builder.Services.AddHealthChecks().AddAsyncCheck(name, check);
        return name;
    }

    /// <summary>
    /// Healthy once epmd answers a names request (its protocol: a 2-byte length, then 'n'; it answers with
    /// its port). A bare connect would do too, but epmd logs every connection closed without a request.
    /// </summary>
    private static async Task<HealthCheckResult> EpmdCheckAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(Loopback, port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync(new byte[] { 0, 1, (byte)'n' }, cancellationToken);
            var answer = new byte[4];
            await stream.ReadExactlyAsync(answer, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is SocketException or IOException)
        {
            return HealthCheckResult.Unhealthy(exception.Message);
        }
    }

    /// <summary>Healthy once the node takes an AMQP login: the port opens before the broker is ready.</summary>
    private static async Task<HealthCheckResult> AmqpCheckAsync(string connectionString, CancellationToken cancellationToken)
    {
        try
        {
            var factory = new ConnectionFactory { Uri = new Uri(connectionString), ClientProvidedName = "apphost health check" };
            await using var connection = await factory.CreateConnectionAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is RabbitMQ.Client.Exceptions.BrokerUnreachableException or IOException or SocketException)
        {
            return HealthCheckResult.Unhealthy(exception.Message);
        }
    }

    private static void WriteConfiguration(string directory, string password, int amqp)
    {
        Directory.CreateDirectory(Path.Combine(directory, "home"));
        Directory.CreateDirectory(Path.Combine(directory, "log"));
        LocalRun.WritePrivateFile(Path.Combine(directory, "rabbitmq.conf"), $"""
            # Written by the AppHost at each start (the ports change every time).
            listeners.tcp.default = {Loopback}:{amqp}
            default_user = {LocalRabbitMQResource.UserName}
            default_pass = {password}
            disk_free_limit.absolute = 50MB

            """);

        // The port changes at each start; subscribers outside the stack read it here (README).
        File.WriteAllText(Path.Combine(directory, "amqp-port"), amqp.ToString(CultureInfo.InvariantCulture) + "\n");
        // An env file of our own, so that the machine's /etc/rabbitmq/rabbitmq-env.conf is never read.
        File.WriteAllText(Path.Combine(directory, "rabbitmq-env.conf"), "# The node's settings come from its environment (see the AppHost's dashboard).\n");
        File.WriteAllText(Path.Combine(directory, "enabled_plugins"), "[].\n");
    }

    /// <summary>The rabbitmq container a deployment runs instead, as Aspire's own <c>AddRabbitMQ</c> describes it.</summary>
    private static void WriteManifest(ManifestPublishingContext context, LocalRabbitMQResource broker)
    {
        var writer = context.Writer;
        writer.WriteString("type", "container.v0");
        context.WriteConnectionString(broker);
        writer.WriteString("image", "docker.io/library/rabbitmq:3.10");
        writer.WriteStartObject("env");
        writer.WriteString("RABBITMQ_DEFAULT_USER", LocalRabbitMQResource.UserName);
        writer.WriteString("RABBITMQ_DEFAULT_PASS", broker.Password.ValueExpression);
        writer.WriteEndObject();
        context.WriteBindings(broker);
    }
}
