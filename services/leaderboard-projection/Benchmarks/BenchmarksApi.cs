using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Models;
using CommunityEvals.LeaderboardProjection.Shared;
using CommunityEvals.Platform.Http;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityEvals.LeaderboardProjection.Benchmarks;

/// <summary>
/// A benchmark's definition (native), and the Hub's dataset list, where registered benchmarks
/// carry the tags <c>benchmark</c> and <c>benchmark:official</c>.
/// </summary>
public static class BenchmarksApi
{
    public const string BenchmarkTag = "benchmark";
    public const string OfficialTag = "benchmark:official";

    public static IEndpointRouteBuilder MapBenchmarksApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/benchmarks/{org}/{name}").MapGet("/", GetBenchmarkAsync);
        app.MapGroup("/api/datasets").MapGet("/", ListDatasetsAsync);
        return app;
    }

    public sealed record DatasetItem(
        [property: JsonPropertyName("_id")] string ObjectId,
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("author")] string Author,
        [property: JsonPropertyName("sha")] string? Sha,
        [property: JsonPropertyName("createdAt")] string CreatedAt,
        [property: JsonPropertyName("lastModified")] string LastModified,
        [property: JsonPropertyName("private")] bool Private,
        [property: JsonPropertyName("gated")] bool Gated,
        [property: JsonPropertyName("disabled")] bool Disabled,
        [property: JsonPropertyName("downloads")] int Downloads,
        [property: JsonPropertyName("likes")] int Likes,
        [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags,
        [property: JsonPropertyName("description"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description);

    public static async Task<Results<Ok<JsonObject>, ProblemDocumentResult>> GetBenchmarkAsync(
        string org, string name, IQuerySession session, CancellationToken cancellationToken)
    {
        var datasetId = $"{org}/{name}";
        var benchmark = await session.LoadAsync<BenchmarkDocument>(StreamKeys.Benchmark(datasetId), cancellationToken);
        return benchmark is null
            ? Problems.NotFound($"{datasetId} is not a registered benchmark")
            : TypedResults.Ok(Describe(benchmark));
    }

    /// <summary>The parsed <c>eval.yaml</c> as registered, with the benchmark's <c>id</c> first and <c>official</c> last.</summary>
    public static JsonObject Describe(BenchmarkDocument benchmark)
    {
        var result = new JsonObject { ["id"] = benchmark.DatasetId };
        if (KnownOrder.Benchmark(benchmark.Definition) is JsonObject definition)
        {
            foreach (var (key, value) in definition.ToList())
            {
                if (key is not ("id" or "official"))
                {
                    definition.Remove(key);
                    result[key] = value;
                }
            }
        }

        result["official"] = benchmark.Official;
        return result;
    }

    public static async Task<Results<Ok<IReadOnlyList<DatasetItem>>, ProblemDocumentResult>> ListDatasetsAsync(
        HttpRequest request, IQuerySession session, CancellationToken cancellationToken)
    {
        var query = request.Query;
        int? limit = null;
        if (query["limit"].FirstOrDefault() is { Length: > 0 } limitText)
        {
            if (!int.TryParse(limitText, out var parsed) || parsed < 1)
            {
                return Problems.BadRequest("'limit' must be a positive integer.");
            }

            limit = parsed;
        }

        var filters = HubFormat.Values(query, "filter");
        var benchmarks = await session.Query<BenchmarkDocument>().ToListAsync(cancellationToken);
        var repos = await session.Query<RepoPage>().Where(page => page.Kind == "dataset").ToListAsync(cancellationToken);

        var items = List(benchmarks, repos, filters, query["author"].FirstOrDefault(), query["search"].FirstOrDefault());
        items = (query["sort"].FirstOrDefault(), query["direction"].FirstOrDefault()) switch
        {
            ("lastModified", var direction) => Order(items, item => item.LastModified, direction),
            ("createdAt", var direction) => Order(items, item => item.CreatedAt, direction),
            _ => items,
        };
        return TypedResults.Ok<IReadOnlyList<DatasetItem>>(limit is { } take ? items.Take(take).ToList() : items);
    }

    /// <summary>Dataset repos and registered benchmarks as Hub list items, filtered by tags, author and search; by id.</summary>
    public static List<DatasetItem> List(
        IReadOnlyList<BenchmarkDocument> benchmarks,
        IReadOnlyList<RepoPage> repos,
        IReadOnlyList<string> filters,
        string? author,
        string? search)
    {
        var byDataset = benchmarks.ToDictionary(benchmark => benchmark.DatasetId, StringComparer.Ordinal);
        var pages = repos.ToDictionary(page => page.Repo, StringComparer.Ordinal);
        return byDataset.Keys.Union(pages.Keys)
            .Select(id => Item(id, byDataset.GetValueOrDefault(id), pages.GetValueOrDefault(id)))
            .Where(item => filters.All(filter => item.Tags.Contains(filter, StringComparer.OrdinalIgnoreCase)))
            .Where(item => string.IsNullOrEmpty(author) || string.Equals(item.Author, author, StringComparison.OrdinalIgnoreCase))
            .Where(item => string.IsNullOrEmpty(search) || item.Id.Contains(search, StringComparison.OrdinalIgnoreCase))
            .OrderBy(item => item.Id, StringComparer.Ordinal)
            .ToList();
    }

    private static DatasetItem Item(string id, BenchmarkDocument? benchmark, RepoPage? page)
    {
        var tags = new List<string>();
        if (benchmark is not null)
        {
            tags.Add(BenchmarkTag);
            if (benchmark.Official)
            {
                tags.Add(OfficialTag);
            }
        }

        string? description = null;
        if (benchmark?.Definition is { ValueKind: JsonValueKind.Object } definition
            && definition.TryGetProperty("description", out var text) && text.ValueKind == JsonValueKind.String)
        {
            description = text.GetString();
        }

        var createdAt = page?.CreatedAt ?? benchmark!.RegisteredAt;
        var lastModified = page?.LastModified ?? benchmark!.UpdatedAt;
        return new DatasetItem(
            HubFormat.ObjectId(StreamKeys.Repo("dataset", id)),
            id,
            page?.Owner ?? id.Split('/')[0],
            page?.MainHead ?? benchmark?.CommitOid,
            HubFormat.Time(createdAt),
            HubFormat.Time(lastModified),
            Private: false,
            Gated: false,
            Disabled: false,
            Downloads: 0,
            Likes: 0,
            tags,
            description);
    }

    private static List<DatasetItem> Order(List<DatasetItem> items, Func<DatasetItem, string> key, string? direction) =>
        // Hub times are fixed-width UTC strings, so they sort as text; the Hub's default direction is descending.
        direction == "1"
            ? items.OrderBy(key, StringComparer.Ordinal).ToList()
            : items.OrderByDescending(key, StringComparer.Ordinal).ToList();
}
