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
        services.AddOpenApi(options => options.AddOperationTransformer(async (operation, context, cancellationToken) =>
        {
            if (context.Description.ActionDescriptor.EndpointMetadata.OfType<RequestBodyMetadata>().LastOrDefault() is not { } body)
            {
                return;
            }

            var schema = await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken);
            operation.RequestBody = new Microsoft.OpenApi.OpenApiRequestBody
            {
                Required = !body.Optional,
                Content = body.ContentTypes.ToDictionary(type => type, _ => new Microsoft.OpenApi.OpenApiMediaType { Schema = schema }),
            };
        }).AddSchemaTransformer((schema, context, _) =>
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

    /// <summary>
    /// Declares a route's request body for the API document only. Not <c>Accepts</c>: that also makes
    /// routing refuse other content types with 415, where handlers read bodies themselves and answer a
    /// wrong one with the problem the API promises (400 or 422).
    /// </summary>
    public static RouteHandlerBuilder DescribesBody<TBody>(this RouteHandlerBuilder builder, params string[] contentTypes) =>
        builder.WithMetadata(new RequestBodyMetadata(typeof(TBody), contentTypes.Length > 0 ? contentTypes : [JsonBody.ContentType], Optional: false));

    /// <summary>As <see cref="DescribesBody{TBody}"/>, for a body that may be left out.</summary>
    public static RouteHandlerBuilder DescribesOptionalBody<TBody>(this RouteHandlerBuilder builder, params string[] contentTypes) =>
        builder.WithMetadata(new RequestBodyMetadata(typeof(TBody), contentTypes.Length > 0 ? contentTypes : [JsonBody.ContentType], Optional: true));

    public static IEndpointRouteBuilder MapApiDocument(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi(Path);
        return app;
    }
}

/// <summary>A route's request body as its API document shows it (see <see cref="ApiDocument.DescribesBody{TBody}"/>).</summary>
public sealed record RequestBodyMetadata(Type Type, IReadOnlyList<string> ContentTypes, bool Optional);
