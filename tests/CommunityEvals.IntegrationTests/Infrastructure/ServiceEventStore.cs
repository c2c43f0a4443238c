using CommunityEvals.Platform.EventStore;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CommunityEvals.IntegrationTests.Infrastructure;

/// <summary>
/// An event store configured exactly as the services configure theirs (<see cref="EventStoreExtensions.AddEventStore"/>),
/// for tests that append or project without HTTP. The host is never started, so no daemon or listener runs in it.
/// </summary>
public sealed class ServiceEventStore : IDisposable
{
    private readonly IHost _host;

    /// <param name="configure">Applied after the services' settings, e.g. a schema of the test's own.</param>
    public ServiceEventStore(string connectionString, string documentSchema, Action<StoreOptions>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration[$"ConnectionStrings:{EventStoreExtensions.DatabaseName}"] = connectionString;
        builder.AddEventStore(documentSchema, configure);
        _host = builder.Build();
        Store = _host.Services.GetRequiredService<IDocumentStore>();
    }

    public IDocumentStore Store { get; }

    public void Dispose() => _host.Dispose();
}
