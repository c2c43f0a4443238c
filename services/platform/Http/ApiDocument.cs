using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CommunityEvals.Platform.Http;

/// <summary>
/// Each service describes its own routes (Microsoft.AspNetCore.OpenApi, from the endpoints' typed
/// results and declared bodies) at <see cref="Path"/>; the gateway merges the services' documents into
/// the one public <c>/openapi.json</c>.
/// </summary>
public static class ApiDocument
{
    public const string Path = "/openapi/v1.json";

    public static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(options => options.AddSchemaTransformer((schema, context, _) =>
        {
            // A member left out when null (JsonIgnore WhenWritingNull) is not required, whatever the
            // constructor says: the document must accept the answers as they are written.
            if (schema.Required is { Count: > 0 } required)
            {
                foreach (var property in context.JsonTypeInfo.Properties.Where(property => property.ShouldSerialize is not null))
                {
                    required.Remove(property.Name);
                }
            }

            return Task.CompletedTask;
        }));

    public static IEndpointRouteBuilder MapApiDocument(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi(Path);
        return app;
    }
}
