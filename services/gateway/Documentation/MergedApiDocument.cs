using Scalar.AspNetCore;
using System.Text.Json;
using System.Text.Json.Nodes;
using CommunityEvals.Platform.Http;

namespace CommunityEvals.Gateway.Documentation;

/// <summary>
/// The public API's one OpenAPI 3.1 document: each service's own document (what its endpoints
/// declare), merged. Paths are the services' own (the gateway forwards them unchanged); schemas that
/// two services name alike but define differently are renamed with the service's name. Bearer
/// authentication is declared once, optional, since most reads are anonymous. Merged on demand and
/// kept for <see cref="Lifetime"/>, so a service that restarts with new routes shows them soon.
/// </summary>
public sealed class MergedApiDocument(IHttpClientFactory clients, TimeProvider time)
{
    public const string Path = "/openapi.json";

    /// <summary>The services whose routes the gateway forwards as the public API (the web pages are not an API).</summary>
    public static readonly string[] Services = ["ingestion", "verification", "leaderboard-projection"];

    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _merging = new(1, 1);
    private (byte[] Body, DateTimeOffset At)? _merged;

    /// <summary>The merged document as JSON bytes; null when a service's document cannot be read.</summary>
    public async Task<byte[]?> GetAsync(CancellationToken cancellationToken)
    {
        if (_merged is { } fresh && time.GetUtcNow() - fresh.At < Lifetime)
        {
            return fresh.Body;
        }

        await _merging.WaitAsync(cancellationToken);
        try
        {
            if (_merged is { } again && time.GetUtcNow() - again.At < Lifetime)
            {
                return again.Body;
            }

            var documents = new List<(string Service, JsonObject Document)>();
            foreach (var service in Services)
            {
                try
                {
                    var text = await clients.CreateClient(service).GetStringAsync(ApiDocument.Path, cancellationToken);
                    documents.Add((service, JsonNode.Parse(text)!.AsObject()));
                }
                catch (Exception exception) when (exception is HttpRequestException or JsonException or TaskCanceledException)
                {
                    return null;
                }
            }

            var body = JsonSerializer.SerializeToUtf8Bytes(Merge(documents), new JsonSerializerOptions { WriteIndented = true });
            _merged = (body, time.GetUtcNow());
            return body;
        }
        finally
        {
            _merging.Release();
        }
    }

    /// <summary>One document of the services' documents (pure, for tests).</summary>
    public static JsonObject Merge(IReadOnlyList<(string Service, JsonObject Document)> documents)
    {
        var paths = new JsonObject();
        var schemas = new JsonObject();
        foreach (var (service, document) in documents)
        {
            var own = document["components"]?["schemas"] as JsonObject ?? [];
            // A schema another service already defines differently gets this service's name in front.
            var renamed = own
                .Where(pair => schemas[pair.Key] is { } known && !JsonNode.DeepEquals(known, pair.Value))
                .ToDictionary(pair => pair.Key, pair => Prefix(service) + pair.Key);
            if (renamed.Count > 0)
            {
                Rename(document, renamed);
            }

            foreach (var (name, schema) in (document["components"]?["schemas"] as JsonObject ?? []).ToList())
            {
                schemas[name] ??= schema!.DeepClone();
            }

            foreach (var (path, item) in document["paths"] as JsonObject ?? [])
            {
                if (paths[path] is JsonObject existing)
                {
                    foreach (var (method, operation) in item!.AsObject())
                    {
                        existing[method] ??= operation!.DeepClone();
                    }
                }
                else
                {
                    paths[path] = item!.DeepClone();
                }
            }
        }

        foreach (var node in new JsonNode[] { paths, schemas })
        {
            NullableAsAnyOf(node);
        }

        ApiExamples.AddTo(paths);

        // The gateway's own routes.
        paths["/health"] ??= GatewayOperation("Readiness: the gateway and every service behind it (Healthy, Degraded or Unhealthy).");
        paths["/alive"] ??= GatewayOperation("Liveness of the gateway itself.");
        paths[Path] ??= GatewayOperation("This document: the public API as one OpenAPI 3.1 document, merged from the services' own.", "application/json");
        paths["/docs"] ??= GatewayOperation("The interactive reference over this document (Scalar), served from the gateway.", "text/html");

        foreach (var operation in paths.SelectMany(path => path.Value!.AsObject()).Select(pair => pair.Value).OfType<JsonObject>())
        {
            // Anonymous or a bearer token: the operation says which answers need one (401).
            operation["security"] ??= new JsonArray(new JsonObject(), new JsonObject { ["bearer"] = new JsonArray() });
        }

        return new JsonObject
        {
            ["openapi"] = "3.1.1",
            ["info"] = new JsonObject
            {
                ["title"] = "CommunityEvals API",
                ["version"] = "1",
                ["description"] = "Open, traceable AI evaluation results: the Hub-compatible routes (models, datasets, commits, pull requests, files) and "
                    + "CommunityEvals' own (boards, results, evidence, the event log, the arena, exports). Errors are problem documents "
                    + "(application/problem+json on native routes, application/json with an 'error' line on the Hub's). Reads are anonymous; "
                    + "writes take 'Authorization: Bearer <token>'.",
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = "/" }),
            ["paths"] = new JsonObject(paths.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => KeyValuePair.Create(pair.Key, pair.Value?.DeepClone()))),
            ["components"] = new JsonObject
            {
                ["schemas"] = new JsonObject(schemas.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => KeyValuePair.Create(pair.Key, pair.Value?.DeepClone()))),
                ["securitySchemes"] = new JsonObject
                {
                    ["bearer"] = new JsonObject
                    {
                        ["type"] = "http",
                        ["scheme"] = "bearer",
                        ["description"] = "A user's token (hf_...), or the admin token. Read tokens may only GET and HEAD.",
                    },
                },
            },
        };
    }

    /// <summary>
    /// The services' generator writes a nullable reference as <c>oneOf: [null, X]</c>; when X accepts
    /// null too (any JSON), no value matches exactly one. "Null or X" is <c>anyOf</c>, which says the same
    /// for every other X.
    /// </summary>
    private static void NullableAsAnyOf(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["oneOf"] is JsonArray { Count: 2 } choices
                    && choices.Any(choice => choice is JsonObject { Count: 1 } only && only["type"]?.GetValueKind() == JsonValueKind.String
                        && only["type"]!.GetValue<string>() == "null"))
                {
                    obj.Remove("oneOf");
                    obj["anyOf"] = choices;
                }

                foreach (var child in obj.Select(pair => pair.Value).ToList())
                {
                    NullableAsAnyOf(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array.ToList())
                {
                    NullableAsAnyOf(child);
                }

                break;
        }
    }

    private static JsonObject GatewayOperation(string summary, string contentType = "text/plain") => new()
    {
        ["get"] = new JsonObject
        {
            ["tags"] = new JsonArray("Gateway"),
            ["summary"] = summary,
            ["responses"] = new JsonObject
            {
                ["200"] = new JsonObject { ["description"] = "OK", ["content"] = new JsonObject { [contentType] = new JsonObject() } },
                ["503"] = new JsonObject { ["description"] = "Unavailable" },
            },
        },
    };

    private static string Prefix(string service) =>
        string.Concat(service.Split('-').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    /// <summary>Renames schemas in a document: their definitions and every <c>$ref</c> to them.</summary>
    private static void Rename(JsonObject document, IReadOnlyDictionary<string, string> renamed)
    {
        if (document["components"]?["schemas"] is JsonObject schemas)
        {
            foreach (var (from, to) in renamed)
            {
                if (schemas[from] is { } schema)
                {
                    schemas.Remove(from);
                    schemas[to] = schema;
                }
            }
        }

        Walk(document);

        void Walk(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject obj:
                    if (obj["$ref"] is JsonValue reference && reference.GetValue<string>() is { } target
                        && target.StartsWith("#/components/schemas/", StringComparison.Ordinal)
                        && renamed.TryGetValue(target["#/components/schemas/".Length..], out var name))
                    {
                        obj["$ref"] = "#/components/schemas/" + name;
                    }

                    foreach (var child in obj.Select(pair => pair.Value).ToList())
                    {
                        Walk(child);
                    }

                    break;
                case JsonArray array:
                    foreach (var child in array.ToList())
                    {
                        Walk(child);
                    }

                    break;
            }
        }
    }
}

public static class DocumentationApi
{
    public static IEndpointRouteBuilder MapDocumentationApi(this IEndpointRouteBuilder app)
    {
        // Also beside the reference page, which asks for it by a path relative to its own.
        app.MapMethods(MergedApiDocument.Path, [HttpMethods.Get], ServeAsync);
        app.MapMethods("/docs/openapi.json", [HttpMethods.Get], ServeAsync);
        static async Task ServeAsync(MergedApiDocument document, HttpContext context)
        {
            if (await document.GetAsync(context.RequestAborted) is not { } body)
            {
                await Problems.WriteUnavailableAsync(context, "a service's API document");
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }

        // The interactive reference, served from this gateway only: its script is the package's own
        // (no CDN), the default web fonts are off and it sends no telemetry, so it works offline.
        app.MapScalarApiReference("/docs", options =>
        {
            options.Title = "CommunityEvals API";
            options.OpenApiRoutePattern = MergedApiDocument.Path;
            options.DefaultFonts = false;
            options.Telemetry = false;
        });
        return app;
    }
}
