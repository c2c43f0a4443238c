using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace CommunityEvals.AppHost.Hosting;

/// <summary>
/// Writes the application model in .NET Aspire's manifest format (schema aspire-8.0): <c>parameter.v0</c>,
/// <c>container.v0</c>, <c>value.v0</c> and <c>project.v0</c> resources with <c>{resource.property}</c> placeholders.
/// The output is deterministic: resources in the order they were added, fixed key order, 2-space indentation,
/// "\n" line ends and a trailing newline; project paths are relative to the manifest's directory.
/// </summary>
public static class ManifestPublisher
{
    public const string Schema = "https://json.schemastore.org/aspire-8.0.json";

    /// <summary>Writes the manifest to <paramref name="outputPath"/>.</summary>
    public static void Write(IEnumerable<IResource> resources, string outputPath)
    {
        outputPath = Path.GetFullPath(outputPath);
        var directory = Path.GetDirectoryName(outputPath)!;
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(outputPath, Render(resources, directory));
    }

    /// <summary>The manifest's bytes (UTF-8, no BOM) with project paths relative to <paramref name="manifestDirectory"/>.</summary>
    public static byte[] Render(IEnumerable<IResource> resources, string manifestDirectory)
    {
        using var stream = new MemoryStream();
        var options = new JsonWriterOptions
        {
            Indented = true,
            IndentCharacter = ' ',
            IndentSize = 2,
            NewLine = "\n",
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        using (var writer = new Utf8JsonWriter(stream, options))
        {
            writer.WriteStartObject();
            writer.WriteString("$schema", Schema);
            writer.WriteStartObject("resources");
            foreach (var resource in resources)
            {
                writer.WriteStartObject(resource.Name);
                switch (resource)
                {
                    case ParameterResource parameter:
                        WriteParameter(writer, parameter);
                        break;
                    case PostgresServerResource postgres:
                        WritePostgres(writer, postgres);
                        break;
                    case PostgresDatabaseResource database:
                        writer.WriteString("type", "value.v0");
                        writer.WriteString("connectionString", $"{{{database.Parent.Name}.connectionString}};Database={database.DatabaseName}");
                        break;
                    case RabbitMQServerResource rabbit:
                        WriteRabbitMQ(writer, rabbit);
                        break;
                    case ProjectResource project:
                        WriteProject(writer, project, manifestDirectory);
                        break;
                    default:
                        throw new NotSupportedException($"No manifest form for {resource.GetType().Name} '{resource.Name}'.");
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        stream.Write("\n"u8);
        return stream.ToArray();
    }

    /// <summary>The manifest as text (see <see cref="Render"/>).</summary>
    public static string RenderText(IEnumerable<IResource> resources, string manifestDirectory) =>
        Encoding.UTF8.GetString(Render(resources, manifestDirectory));

    private static void WriteParameter(Utf8JsonWriter writer, ParameterResource parameter)
    {
        writer.WriteString("type", "parameter.v0");
        writer.WriteString("value", $"{{{parameter.Name}.inputs.value}}");
        writer.WriteStartObject("inputs");
        writer.WriteStartObject("value");
        writer.WriteString("type", "string");
        if (parameter.Secret)
        {
            writer.WriteBoolean("secret", true);
        }

        if (parameter.Generate is { } generate)
        {
            writer.WriteStartObject("default");
            writer.WriteStartObject("generate");
            writer.WriteNumber("minLength", generate.MinLength);
            if (!generate.Special)
            {
                writer.WriteBoolean("special", false);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WritePostgres(Utf8JsonWriter writer, PostgresServerResource postgres)
    {
        var name = postgres.Name;
        var password = $"{{{postgres.Password.Name}.value}}";
        writer.WriteString("type", "container.v0");
        writer.WriteString("connectionString", $"Host={{{name}.bindings.tcp.host}};Port={{{name}.bindings.tcp.port}};Username={PostgresServerResource.UserName};Password={password}");
        writer.WriteString("image", $"{PostgresServerResource.Image}:{PostgresServerResource.Tag}");
        writer.WriteStartArray("args");
        writer.WriteStringValue("-c");
        writer.WriteStringValue($"max_connections={PostgresServerResource.MaxConnections}");
        foreach (var setting in Launchers.PostgresServer.LogSettings)
        {
            writer.WriteStringValue("-c");
            writer.WriteStringValue(setting);
        }

        writer.WriteEndArray();
        writer.WriteStartObject("env");
        writer.WriteString("POSTGRES_HOST_AUTH_METHOD", "scram-sha-256");
        writer.WriteString("POSTGRES_INITDB_ARGS", "--auth-host=scram-sha-256 --auth-local=scram-sha-256");
        writer.WriteString("POSTGRES_USER", PostgresServerResource.UserName);
        writer.WriteString("POSTGRES_PASSWORD", password);
        writer.WriteEndObject();
        WriteTcpBinding(writer, PostgresServerResource.TargetPort);
    }

    private static void WriteRabbitMQ(Utf8JsonWriter writer, RabbitMQServerResource rabbit)
    {
        var name = rabbit.Name;
        var password = $"{{{rabbit.Password.Name}.value}}";
        writer.WriteString("type", "container.v0");
        writer.WriteString("connectionString", $"amqp://{RabbitMQServerResource.UserName}:{password}@{{{name}.bindings.tcp.host}}:{{{name}.bindings.tcp.port}}");
        writer.WriteString("image", $"{RabbitMQServerResource.Image}:{RabbitMQServerResource.Tag}");
        writer.WriteStartObject("env");
        writer.WriteString("RABBITMQ_DEFAULT_USER", RabbitMQServerResource.UserName);
        writer.WriteString("RABBITMQ_DEFAULT_PASS", password);
        writer.WriteEndObject();
        WriteTcpBinding(writer, RabbitMQServerResource.TargetPort);
    }

    private static void WriteTcpBinding(Utf8JsonWriter writer, int targetPort)
    {
        writer.WriteStartObject("bindings");
        writer.WriteStartObject("tcp");
        writer.WriteString("scheme", "tcp");
        writer.WriteString("protocol", "tcp");
        writer.WriteString("transport", "tcp");
        writer.WriteNumber("targetPort", targetPort);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteProject(Utf8JsonWriter writer, ProjectResource project, string manifestDirectory)
    {
        writer.WriteString("type", "project.v0");
        writer.WriteString("path", Path.GetRelativePath(manifestDirectory, project.Metadata.ProjectPath).Replace('\\', '/'));
        writer.WriteStartObject("env");
        writer.WriteString("OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES", "true");
        writer.WriteString("OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EVENT_LOG_ATTRIBUTES", "true");
        writer.WriteString("OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY", "in_memory");
        writer.WriteString("ASPNETCORE_FORWARDEDHEADERS_ENABLED", "true");
        writer.WriteString("HTTP_PORTS", $"{{{project.Name}.bindings.http.targetPort}}");
        foreach (var reference in project.References)
        {
            switch (reference)
            {
                case IResourceWithConnectionString:
                    writer.WriteString($"ConnectionStrings__{reference.Name}", $"{{{reference.Name}.connectionString}}");
                    break;
                case IResourceWithServiceDiscovery:
                    writer.WriteString($"services__{reference.Name}__http__0", $"{{{reference.Name}.bindings.http.url}}");
                    break;
            }
        }

        foreach (var entry in project.Environment)
        {
            writer.WriteString(entry.Name, entry.Parameter is { } parameter ? $"{{{parameter.Name}.value}}" : entry.Value);
        }

        writer.WriteEndObject();
        writer.WriteStartObject("bindings");
        writer.WriteStartObject("http");
        writer.WriteString("scheme", "http");
        writer.WriteString("protocol", "tcp");
        writer.WriteString("transport", "http");
        if (project.IsExternal)
        {
            writer.WriteBoolean("external", true);
        }

        if (project.HttpPort is { } port)
        {
            writer.WriteNumber("port", port);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
