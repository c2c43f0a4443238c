namespace CommunityEvals.AppHost.Hosting;

/// <summary>A resource in the builder, for the fluent <c>With…</c> calls (Aspire's <c>IResourceBuilder&lt;T&gt;</c>).</summary>
public interface IResourceBuilder<out T> where T : IResource
{
    T Resource { get; }

    DistributedApplicationBuilder ApplicationBuilder { get; }
}

internal sealed class ResourceBuilder<T>(T resource, DistributedApplicationBuilder applicationBuilder) : IResourceBuilder<T>
    where T : IResource
{
    public T Resource { get; } = resource;

    public DistributedApplicationBuilder ApplicationBuilder { get; } = applicationBuilder;
}

/// <summary>Collects the application model (Aspire's <c>IDistributedApplicationBuilder</c>).</summary>
public sealed class DistributedApplicationBuilder
{
    private readonly List<IResource> _resources = [];

    internal DistributedApplicationBuilder(AppHostOptions options)
    {
        Options = options;
    }

    /// <summary>The AppHost's command-line options.</summary>
    public AppHostOptions Options { get; }

    /// <summary>True when the AppHost only writes a manifest (<c>--publisher manifest</c>).</summary>
    public bool IsPublishMode => Options.Publisher is not null;

    /// <summary>The gateway's port on 127.0.0.1 (<c>--gateway-port</c>, default 5080).</summary>
    public int GatewayPort => Options.GatewayPort;

    /// <summary>The resources, in the order they were added (also the manifest's order).</summary>
    public IReadOnlyList<IResource> Resources => _resources;

    public IResourceBuilder<ParameterResource> AddParameter(string name, bool secret = false) =>
        Add(new ParameterResource(name, secret));

    /// <summary>A PostgreSQL server; its password is a generated secret parameter named <c>&lt;name&gt;-password</c>.</summary>
    public IResourceBuilder<PostgresServerResource> AddPostgres(string name)
    {
        var password = Add(new ParameterResource($"{name}-password", secret: true) { Generate = new GenerateDefault(22) });
        return Add(new PostgresServerResource(name, password.Resource));
    }

    /// <summary>A RabbitMQ broker; its password is a generated secret parameter named <c>&lt;name&gt;-password</c>.</summary>
    public IResourceBuilder<RabbitMQServerResource> AddRabbitMQ(string name)
    {
        var password = Add(new ParameterResource($"{name}-password", secret: true) { Generate = new GenerateDefault(22, Special: false) });
        return Add(new RabbitMQServerResource(name, password.Resource));
    }

    /// <summary>A .NET project (see <see cref="Projects"/> for the metadata of ours).</summary>
    public IResourceBuilder<ProjectResource> AddProject(string name, ProjectMetadata metadata) =>
        Add(new ProjectResource(name, metadata));

    /// <summary>Adds a resource; names are unique, like Aspire's, case-insensitively.</summary>
    public IResourceBuilder<T> Add<T>(T resource) where T : IResource
    {
        if (_resources.Any(r => string.Equals(r.Name, resource.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException($"A resource named '{resource.Name}' already exists.");
        }

        _resources.Add(resource);
        return new ResourceBuilder<T>(resource, this);
    }

    public DistributedApplication Build() => new(this);
}

/// <summary>
/// The built application (Aspire's <c>DistributedApplication</c>). <see cref="RunAsync"/> either writes the manifest
/// (<c>--publisher manifest</c>) or runs everything until Ctrl+C / SIGTERM. Failures end in one clear line and a
/// non-zero <see cref="Environment.ExitCode"/>.
/// </summary>
public sealed class DistributedApplication
{
    internal DistributedApplication(DistributedApplicationBuilder builder)
    {
        Builder = builder;
    }

    public DistributedApplicationBuilder Builder { get; }

    /// <summary>Parses the command line; a bad option prints one line and exits with code 2.</summary>
    public static DistributedApplicationBuilder CreateBuilder(string[] args)
    {
        AppHostOptions options;
        try
        {
            options = AppHostOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"apphost: {e.Message}");
            Console.Error.WriteLine(AppHostOptions.Usage);
            Environment.Exit(2);
            throw; // not reached
        }

        if (options.ShowHelp)
        {
            Console.WriteLine(AppHostOptions.Usage);
            Environment.Exit(0);
        }

        return new DistributedApplicationBuilder(options);
    }

    /// <summary>Runs the application; sets <see cref="Environment.ExitCode"/> (0: stopped cleanly or manifest written).</summary>
    public async Task RunAsync()
    {
        Environment.ExitCode = await RunWithExitCodeAsync();
    }

    /// <summary>Runs the application and returns the exit code instead of setting it.</summary>
    public async Task<int> RunWithExitCodeAsync()
    {
        if (Builder.IsPublishMode)
        {
            return PublishManifest();
        }

        var orchestrator = new Orchestrator(Builder.Resources, Builder.Options);
        return await orchestrator.RunAsync();
    }

    private int PublishManifest()
    {
        if (!string.Equals(Builder.Options.Publisher, "manifest", StringComparison.Ordinal))
        {
            Console.Error.WriteLine($"apphost: unknown publisher '{Builder.Options.Publisher}'; the only one is: manifest");
            return 2;
        }

        var outputPath = Path.GetFullPath(Builder.Options.OutputPath ?? "aspire-manifest.json");
        try
        {
            ManifestPublisher.Write(Builder.Resources, outputPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"apphost: cannot write {outputPath}: {e.Message}");
            return 1;
        }

        Console.WriteLine($"Published manifest to: {outputPath}");
        return 0;
    }
}
