namespace CommunityEvals.AppHost.Hosting;

/// <summary>The fluent calls of the application model (Aspire's extension methods of the same names).</summary>
public static class ResourceBuilderExtensions
{
    /// <summary>A database on this server, created when missing; <paramref name="databaseName"/> defaults to <paramref name="name"/>.</summary>
    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(this IResourceBuilder<PostgresServerResource> builder, string name, string? databaseName = null)
    {
        var database = new PostgresDatabaseResource(name, databaseName ?? name, builder.Resource);
        builder.Resource.Databases.Add(database);
        return builder.ApplicationBuilder.Add(database);
    }

    /// <summary>Gives the project <c>ConnectionStrings__&lt;name&gt;</c> for a database or broker.</summary>
    public static IResourceBuilder<ProjectResource> WithReference(this IResourceBuilder<ProjectResource> builder, IResourceBuilder<IResourceWithConnectionString> source)
    {
        AddOnce(builder.Resource.References, source.Resource);
        return builder;
    }

    /// <summary>Gives the project <c>services__&lt;name&gt;__http__0</c> for another project.</summary>
    public static IResourceBuilder<ProjectResource> WithReference(this IResourceBuilder<ProjectResource> builder, IResourceBuilder<IResourceWithServiceDiscovery> source)
    {
        if (ReferenceEquals(source.Resource, builder.Resource))
        {
            throw new InvalidOperationException($"'{builder.Resource.Name}' cannot reference itself.");
        }

        AddOnce(builder.Resource.References, source.Resource);
        return builder;
    }

    /// <summary>The project starts only once <paramref name="dependency"/> is healthy.</summary>
    public static IResourceBuilder<ProjectResource> WaitFor(this IResourceBuilder<ProjectResource> builder, IResourceBuilder<IResource> dependency)
    {
        if (ReferenceEquals(dependency.Resource, builder.Resource))
        {
            throw new InvalidOperationException($"'{builder.Resource.Name}' cannot wait for itself.");
        }

        AddOnce(builder.Resource.WaitsFor, dependency.Resource);
        return builder;
    }

    public static IResourceBuilder<ProjectResource> WithEnvironment(this IResourceBuilder<ProjectResource> builder, string name, string value)
    {
        builder.Resource.Environment.Add(new EnvironmentEntry(name, value, null));
        return builder;
    }

    public static IResourceBuilder<ProjectResource> WithEnvironment(this IResourceBuilder<ProjectResource> builder, string name, IResourceBuilder<ParameterResource> parameter)
    {
        builder.Resource.Environment.Add(new EnvironmentEntry(name, null, parameter.Resource));
        return builder;
    }

    /// <summary>Fixes the project's HTTP port (default: a free port at each start).</summary>
    public static IResourceBuilder<ProjectResource> WithHttpEndpoint(this IResourceBuilder<ProjectResource> builder, int? port = null)
    {
        builder.Resource.HttpPort = port;
        return builder;
    }

    /// <summary>Marks the HTTP endpoint as reachable from outside (<c>"external": true</c> in the manifest).</summary>
    public static IResourceBuilder<ProjectResource> WithExternalHttpEndpoints(this IResourceBuilder<ProjectResource> builder)
    {
        builder.Resource.IsExternal = true;
        return builder;
    }

    /// <summary>
    /// How run mode finds the parameter's value when <c>Parameters__&lt;name&gt;</c> is not set: from the AppHost's
    /// <paramref name="environmentVariable"/>, else from &lt;data-dir&gt;/&lt;name&gt;, else generated once
    /// (<paramref name="generatedPrefix"/> + <paramref name="generatedLength"/> letters and digits) and kept there (0600).
    /// </summary>
    public static IResourceBuilder<ParameterResource> WithLocalValue(this IResourceBuilder<ParameterResource> builder, string? environmentVariable = null, string generatedPrefix = "", int generatedLength = 32)
    {
        builder.Resource.LocalEnvironmentVariable = environmentVariable;
        builder.Resource.LocalGeneratedPrefix = generatedPrefix;
        builder.Resource.LocalGeneratedLength = generatedLength;
        return builder;
    }

    private static void AddOnce(List<IResource> list, IResource resource)
    {
        if (!list.Contains(resource))
        {
            list.Add(resource);
        }
    }
}
