namespace CommunityEvals.AppHost.Hosting;

/// <summary>Anything in the application model: a parameter, a server, a database, a project.</summary>
public interface IResource
{
    string Name { get; }
}

/// <summary>A resource other resources reach through a <c>ConnectionStrings__&lt;name&gt;</c> variable.</summary>
public interface IResourceWithConnectionString : IResource;

/// <summary>A resource with an HTTP endpoint others find through <c>services__&lt;name&gt;__http__0</c>.</summary>
public interface IResourceWithServiceDiscovery : IResource;

/// <summary>Where a project's source and built DLL are (our stand-in for Aspire's generated <c>IProjectMetadata</c>).</summary>
public sealed record ProjectMetadata(string ProjectPath, string DllPath);

/// <summary>
/// A value given at deployment (Aspire's <c>AddParameter</c>). In run mode it comes from <c>Parameters__&lt;name&gt;</c>,
/// else from the local-value rule set with <see cref="ResourceBuilderExtensions.WithLocalValue"/>.
/// </summary>
public sealed class ParameterResource(string name, bool secret) : IResource
{
    public string Name { get; } = name;

    public bool Secret { get; } = secret;

    /// <summary>In the manifest: a value the deployment tool generates (<c>default.generate</c>) when none is given.</summary>
    public GenerateDefault? Generate { get; init; }

    /// <summary>Run mode: an environment variable of the AppHost that gives the value.</summary>
    public string? LocalEnvironmentVariable { get; internal set; }

    /// <summary>Run mode: when nothing gives a value, one is generated (prefix + random letters and digits) and kept in &lt;data-dir&gt;/&lt;name&gt;.</summary>
    public string? LocalGeneratedPrefix { get; internal set; }

    public int LocalGeneratedLength { get; internal set; }
}

/// <summary>The <c>default.generate</c> block of a parameter in the manifest.</summary>
public sealed record GenerateDefault(int MinLength, bool Special = true);

/// <summary>A PostgreSQL server (Aspire's <c>AddPostgres</c>): a private cluster in run mode, a postgres container in the manifest.</summary>
public sealed class PostgresServerResource(string name, ParameterResource password) : IResourceWithConnectionString
{
    public const string Image = "docker.io/library/postgres";
    public const string Tag = "15";
    public const int TargetPort = 5432;
    public const string UserName = "postgres";
    public const int MaxConnections = 200;

    public string Name { get; } = name;

    public ParameterResource Password { get; } = password;

    public List<PostgresDatabaseResource> Databases { get; } = [];
}

/// <summary>A database on a <see cref="PostgresServerResource"/> (Aspire's <c>AddDatabase</c>); created when missing.</summary>
public sealed class PostgresDatabaseResource(string name, string databaseName, PostgresServerResource parent) : IResourceWithConnectionString
{
    public string Name { get; } = name;

    public string DatabaseName { get; } = databaseName;

    public PostgresServerResource Parent { get; } = parent;
}

/// <summary>A RabbitMQ broker (Aspire's <c>AddRabbitMQ</c>): a private node in run mode, a rabbitmq container in the manifest.</summary>
public sealed class RabbitMQServerResource(string name, ParameterResource password) : IResourceWithConnectionString
{
    public const string Image = "docker.io/library/rabbitmq";
    public const string Tag = "3.10";
    public const int TargetPort = 5672;
    public const string UserName = "guest";

    public string Name { get; } = name;

    public ParameterResource Password { get; } = password;
}

/// <summary>A .NET project run as <c>dotnet &lt;dll&gt;</c> (Aspire's <c>AddProject</c>).</summary>
public sealed class ProjectResource(string name, ProjectMetadata metadata) : IResourceWithServiceDiscovery
{
    public string Name { get; } = name;

    public ProjectMetadata Metadata { get; } = metadata;

    /// <summary>Connection-string and service-discovery references, in the order they were added.</summary>
    public List<IResource> References { get; } = [];

    /// <summary>Resources that must be healthy before this project starts.</summary>
    public List<IResource> WaitsFor { get; } = [];

    /// <summary>Extra environment variables, in the order they were added.</summary>
    public List<EnvironmentEntry> Environment { get; } = [];

    /// <summary>The fixed HTTP port (<c>WithHttpEndpoint(port)</c>); null takes a free one at each start.</summary>
    public int? HttpPort { get; set; }

    /// <summary>True when the HTTP endpoint is meant to be reached from outside (<c>WithExternalHttpEndpoints</c>).</summary>
    public bool IsExternal { get; set; }
}

/// <summary>One environment variable of a project: a fixed value or a parameter's value.</summary>
public sealed record EnvironmentEntry(string Name, string? Value, ParameterResource? Parameter);
