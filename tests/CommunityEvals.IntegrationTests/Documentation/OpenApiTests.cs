using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CommunityEvals.IntegrationTests.Infrastructure;
using Json.Schema;

namespace CommunityEvals.IntegrationTests.Documentation;

/// <summary>
/// Issue 19's API document: the gateway's merged <c>/openapi.json</c> lists every route the gateway
/// answers (docs/API.md's table, itself checked against the stack), the answers of a scripted session
/// validate against the document's schemas, and <c>/docs</c> works without the network.
/// </summary>
[Collection(StackCollection.Name)]
public sealed partial class OpenApiTests(StackFixture stack)
{
    [Fact]
    public async Task The_document_lists_every_route_the_gateway_answers_with_bearer_auth_and_problem_answers()
    {
        var document = await DocumentAsync();
        Assert.StartsWith("3.1", document["openapi"]!.GetValue<string>());
        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["bearer"]!["scheme"]!.GetValue<string>());
        var paths = document["paths"]!.AsObject();
        var known = paths.SelectMany(path => path.Value!.AsObject().Select(operation => $"{operation.Key.ToUpperInvariant()} {Normalize(path.Key)}")).ToHashSet();

        var missing = DocumentedRoutesTests.DocumentedRoutes()
            .Select(route => $"{route.Method} {Normalize(route.Path)}")
            .Where(route => !known.Contains(route))
            .ToList();
        Assert.True(missing.Count == 0, "routes the gateway answers but /openapi.json does not list:\n" + string.Join('\n', missing));

        // Refusals are described as problem documents.
        var create = paths["/api/repos/create"]!["post"]!;
        Assert.Equal("#/components/schemas/ProblemDocument", create["responses"]!["422"]!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.NotNull(document["components"]!["schemas"]!["ProblemDocument"]);

        // Request bodies are described, with an example where people write them by hand.
        var body = create["requestBody"]!["content"]!["application/json"]!;
        var bodySchema = body["schema"]!;
        var described = bodySchema["$ref"]?.GetValue<string>() is { } reference
            ? document["components"]!["schemas"]![reference["#/components/schemas/".Length..]]!
            : bodySchema;
        Assert.True(described["properties"]?["name"] is not null && described["properties"]?["organization"] is not null, bodySchema.ToJsonString());
        Assert.Equal("model", body["example"]!["type"]!.GetValue<string>());
        Assert.NotNull(paths["/api/{kinds}/{org}/{name}/commit/{revision}"]!["post"]!["requestBody"]!["content"]!["application/x-ndjson"]!["example"]);
    }

    [Fact]
    public async Task The_answers_of_a_scripted_session_validate_against_the_documents_schemas()
    {
        var document = await DocumentAsync();
        var s = await stack.CreateScenarioAsync("openapi");
        var resultId = await stack.CommitResultAsync(s, "61.5");
        var steps = new (string Method, string Template, string Uri, HttpClient Client, object? Body)[]
        {
            ("GET", "/api/whoami-v2", "/api/whoami-v2", s.Owner, null),
            ("POST", "/api/repos/create", "/api/repos/create", s.Owner, new { type = "model", name = "openapi-second", organization = s.Org }),
            ("POST", "/api/repos/create", "/api/repos/create", s.Owner, new { type = "model", name = "no spaces allowed", organization = s.Org }),
            ("GET", "/api/models/{org}/{name}", $"/api/models/{s.Model}", stack.Anonymous, null),
            ("GET", "/api/models/{org}/{name}/eval-results", $"/api/models/{s.Model}/eval-results", stack.Anonymous, null),
            ("GET", "/api/models", $"/api/models?author={s.Org}", stack.Anonymous, null),
            ("GET", "/api/datasets", $"/api/datasets?author={s.Org}", stack.Anonymous, null),
            ("GET", "/api/datasets/{org}/{name}", $"/api/datasets/{s.Dataset}", stack.Anonymous, null),
            ("GET", "/api/benchmarks", "/api/benchmarks", stack.Anonymous, null),
            ("GET", "/api/benchmarks/{org}/{name}", $"/api/benchmarks/{s.Dataset}", stack.Anonymous, null),
            ("GET", "/api/leaderboards/{org}/{name}/{taskId}", $"/api/leaderboards/{s.Dataset}/main", stack.Anonymous, null),
            ("GET", "/api/datasets/{org}/{name}/leaderboard", $"/api/datasets/{s.Dataset}/leaderboard", stack.Anonymous, null),
            ("GET", "/api/results/{id}", $"/api/results/{resultId}", stack.Anonymous, null),
            ("GET", "/api/results/{id}/history", $"/api/results/{resultId}/history", stack.Anonymous, null),
            ("GET", "/api/results/{id}/verification", $"/api/results/{resultId}/verification", stack.Anonymous, null),
            ("GET", "/api/results/{id}/failures", $"/api/results/{resultId}/failures", stack.Anonymous, null),
            ("GET", "/api/events", "/api/events?limit=5", stack.Anonymous, null),
            ("GET", "/api/events/changes", "/api/events/changes?limit=5", stack.Anonymous, null),
            ("GET", "/api/{kinds}/{org}/{name}/discussions", $"/api/models/{s.Model}/discussions", stack.Anonymous, null),
            ("GET", "/api/{kinds}/{org}/{name}/tree/{revision}/{path}", $"/api/datasets/{s.Dataset}/tree/main", stack.Anonymous, null),
            ("GET", "/api/settings/tokens", "/api/settings/tokens", s.Owner, null),
            ("GET", "/api/models/{org}/{name}", $"/api/models/{s.Org}/does-not-exist", stack.Anonymous, null),
            ("GET", "/api/leaderboards/{org}/{name}/{taskId}", $"/api/leaderboards/{s.Dataset}/main?limit=0", stack.Anonymous, null),
        };

        var schemas = SchemaDocument(document);
        var validated = 0;
        var failures = new List<string>();
        foreach (var (method, template, uri, client, body) in steps)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), uri);
            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }

            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var operation = document["paths"]![template]?[method.ToLowerInvariant()];
            if (operation is null)
            {
                failures.Add($"{method} {template}: not in the document");
                continue;
            }

            var answer = operation["responses"]?[status];
            if (answer is null)
            {
                failures.Add($"{method} {uri}: answered {status}, which the document does not list ({text[..Math.Min(200, text.Length)]})");
                continue;
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType ?? "application/json";
            if (answer["content"]?[mediaType]?["schema"] is not { } schema)
            {
                continue;
            }

            var evaluation = Schema(schemas, schema).Evaluate(JsonDocument.Parse(text).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            validated++;
            if (!evaluation.IsValid)
            {
                var errors = (evaluation.Details ?? []).Prepend(evaluation).Where(detail => detail.Errors is { Count: > 0 })
                    .Select(detail => $"{detail.InstanceLocation} ({detail.EvaluationPath}): {string.Join("; ", detail.Errors!.Values)}").Take(8);
                var invalid = (evaluation.Details ?? []).Where(detail => !detail.IsValid).Select(detail => $"{detail.InstanceLocation} at {detail.EvaluationPath}").TakeLast(3);
                failures.Add($"{method} {uri} ({status}): {string.Join(" | ", errors)} {string.Join(" | ", invalid)}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.True(validated >= 18, $"only {validated} answers had a schema to check");
    }

    [Fact]
    public async Task The_reference_page_is_served_and_loads_nothing_from_elsewhere()
    {
        using var page = await stack.Anonymous.GetAsync("/docs");
        var html = await page.Content.ReadAsStringAsync();
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"{(int)page.StatusCode} {html[..Math.Min(300, html.Length)]}");
        Assert.True(html.Contains("openapi.json", StringComparison.Ordinal), html);
        // The page asks for the document beside it.
        using (var document = await stack.Anonymous.GetAsync("/docs/openapi.json"))
        {
            Assert.Equal(HttpStatusCode.OK, document.StatusCode);
            Assert.StartsWith("3.1", JsonNode.Parse(await document.Content.ReadAsStringAsync())!["openapi"]!.GetValue<string>());
        }
        var outside = ExternalReference().Matches(html).Select(match => match.Value).ToList();
        Assert.True(outside.Count == 0, "the page loads from elsewhere: " + string.Join(", ", outside));
        foreach (var script in LocalScript().Matches(html).Select(match => match.Groups[1].Value))
        {
            var path = script.StartsWith('/') ? script : "/docs/" + script;
            using var asset = await stack.Anonymous.GetAsync(path);
            Assert.True(asset.StatusCode == HttpStatusCode.OK, $"{path}: {(int)asset.StatusCode}");
        }
    }

    private async Task<JsonObject> DocumentAsync()
    {
        using var answer = await stack.Anonymous.GetAsync("/openapi.json");
        var text = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{(int)answer.StatusCode} {text[..Math.Min(300, text.Length)]}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>The document's schemas as one JSON Schema 2020-12 document (<c>$defs</c>), refs rewritten to point there.</summary>
    private static string SchemaDocument(JsonObject document) =>
        document["components"]!["schemas"]!.ToJsonString().Replace("\"#/components/schemas/", "\"#/$defs/", StringComparison.Ordinal);

    private static JsonSchema Schema(string definitions, JsonNode schema)
    {
        var own = schema.ToJsonString().Replace("\"#/components/schemas/", "\"#/$defs/", StringComparison.Ordinal);
        var text = $"{{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"$defs\":{definitions},\"allOf\":[{own}]}}";
        return JsonSchema.FromText(text, baseUri: new Uri($"https://communityevals.test/{Guid.NewGuid():N}"));
    }

    /// <summary>A path with its placeholders blanked (<c>{kind}</c> and <c>{kinds}</c> are the same place).</summary>
    private static string Normalize(string path) => Placeholder().Replace(path, "{}");

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"(?:src|href)\s*=\s*[""']https?://[^""']+")]
    private static partial Regex ExternalReference();

    [GeneratedRegex(@"<script[^>]+src\s*=\s*[""']([^""']+)[""']")]
    private static partial Regex LocalScript();
}
