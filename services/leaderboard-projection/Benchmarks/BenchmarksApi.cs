using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Leaderboards;
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
        app.MapGroup("/api/benchmarks").MapGet("/", ListBenchmarksAsync);
        app.MapGroup("/api/benchmarks/{org}/{name}").MapGet("/", GetBenchmarkAsync);
        var datasets = app.MapGroup("/api/datasets");
        datasets.MapGet("/", ListDatasetsAsync);
        datasets.MapGet("/{org}/{name}", (string org, string name, IQuerySession session, HttpResponse response, CancellationToken cancellationToken) =>
            GetDatasetAsync(org, name, "HEAD", session, response, cancellationToken));
        datasets.MapGet("/{org}/{name}/revision/{**revision}", GetDatasetAsync);
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
        [property: JsonPropertyName("gated")] object Gated,
        [property: JsonPropertyName("disabled")] bool Disabled,
        [property: JsonPropertyName("downloads")] int Downloads,
        [property: JsonPropertyName("likes")] int Likes,
        [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags,
        [property: JsonPropertyName("description"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description,
        [property: JsonPropertyName("cardData"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DatasetCardData? CardData)
    {
        /// <summary>The files of a revision: only in one dataset's info (<c>datasetInfo</c>, <c>snapshot_download</c>), not in lists.</summary>
        [JsonPropertyName("siblings"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public IReadOnlyList<ModelsApi.Sibling>? Siblings { get; init; }
    }

    /// <summary>What the dataset card (and the benchmark's name) say, in the Hub's <c>cardData</c> keys.</summary>
    public sealed record DatasetCardData(
        [property: JsonPropertyName("pretty_name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PrettyName,
        [property: JsonPropertyName("language")] IReadOnlyList<string> Language,
        [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags,
        [property: JsonPropertyName("task_categories")] IReadOnlyList<string> TaskCategories,
        [property: JsonPropertyName("license"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? License);

    /// <summary>One registered benchmark as the native list shows it.</summary>
    /// <param name="Results">Eligible results on its boards (all tasks): what the home page orders by.</param>
    public sealed record BenchmarkSummary(
        string Id,
        string? Name,
        string? Description,
        bool Official,
        IReadOnlyList<string> Tasks,
        IReadOnlyList<string> Languages,
        IReadOnlyList<string> Tags,
        int Results,
        DateTimeOffset LastModified);

    /// <summary>
    /// <c>GET /api/benchmarks[?search=][&amp;language=][&amp;tag=]</c>: every registered benchmark,
    /// official first, then by number of results, then by id.
    /// </summary>
    public static async Task<Ok<IReadOnlyList<BenchmarkSummary>>> ListBenchmarksAsync(
        string? search, string? language, string? tag, HttpRequest request, IQuerySession session, CancellationToken cancellationToken)
    {
        var (benchmarks, repos) = await VisibleDatasetsAsync(session, request, cancellationToken);
        var cards = repos.ToDictionary(page => page.Repo, StringComparer.Ordinal);
        var counts = await ResultCountsAsync(session, cancellationToken);
        var list = benchmarks
            .Select(benchmark => Summarize(benchmark, cards.GetValueOrDefault(benchmark.DatasetId), counts.GetValueOrDefault(benchmark.DatasetId)))
            .Where(summary => string.IsNullOrWhiteSpace(search)
                || summary.Id.Contains(search.Trim(), StringComparison.OrdinalIgnoreCase)
                || (summary.Name?.Contains(search.Trim(), StringComparison.OrdinalIgnoreCase) ?? false))
            .Where(summary => string.IsNullOrWhiteSpace(language) || summary.Languages.Contains(language.Trim(), StringComparer.OrdinalIgnoreCase))
            .Where(summary => string.IsNullOrWhiteSpace(tag) || summary.Tags.Contains(tag.Trim(), StringComparer.OrdinalIgnoreCase))
            .OrderByDescending(summary => summary.Official)
            .ThenByDescending(summary => summary.Results)
            .ThenBy(summary => summary.Id, StringComparer.Ordinal)
            .ToList();
        return TypedResults.Ok<IReadOnlyList<BenchmarkSummary>>(list);
    }

    private static BenchmarkSummary Summarize(BenchmarkDocument benchmark, RepoPage? card, int results)
    {
        string? Text(string key) =>
            benchmark.Definition is { ValueKind: JsonValueKind.Object } definition
            && definition.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return new BenchmarkSummary(
            benchmark.DatasetId,
            Text("name"),
            Text("description"),
            benchmark.Official,
            benchmark.TaskIds(),
            card?.Languages ?? [],
            card?.CardTags ?? [],
            results,
            card is null || benchmark.UpdatedAt > card.LastModified ? benchmark.UpdatedAt : card.LastModified);
    }

    /// <summary>
    /// Eligible results per benchmark, counted in the database: loading every board to count its
    /// entries would read each board whole (a 1,000-row board is about a megabyte).
    /// </summary>
    private static async Task<Dictionary<string, int>> ResultCountsAsync(IQuerySession session, CancellationToken cancellationToken)
    {
        var table = session.DocumentStore.Options.Schema.For<LeaderboardBoard>();
        var command = new Npgsql.NpgsqlCommand($"select data->>'datasetId', coalesce(jsonb_array_length(data->'entries'), 0) from {table}");
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            await using var reader = await session.ExecuteReaderAsync(command, cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (!reader.IsDBNull(0))
                {
                    counts[reader.GetString(0)] = reader.GetInt32(1);
                }
            }
        }
        catch (Exception exception) when (CommunityEvals.Platform.EventStore.PostgresErrors.IsUndefinedTable(exception))
        {
            // No board has been stored yet.
        }

        return counts;
    }

    public static async Task<Results<Ok<JsonObject>, ProblemDocumentResult>> GetBenchmarkAsync(
        string org, string name, HttpRequest request, IQuerySession session, CancellationToken cancellationToken)
    {
        var datasetId = $"{org}/{name}";
        if (await session.IsHiddenFromAsync("dataset", datasetId, request, cancellationToken))
        {
            return Problems.RepoNotFound("dataset", datasetId);
        }

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

    /// <summary>
    /// <c>GET /api/datasets/{org}/{name}[/revision/{rev}]</c>: the list item at the revision, with its files;
    /// 404 with the Hub's <c>X-Error-Code</c> for a missing repo or revision.
    /// </summary>
    public static async Task<Results<Ok<DatasetItem>, ProblemDocumentResult>> GetDatasetAsync(
        string org, string name, string revision, IQuerySession session, HttpResponse response, CancellationToken cancellationToken)
    {
        var datasetId = $"{org}/{name}";
        var page = await session.LoadVisiblePageAsync("dataset", datasetId, response.HttpContext.Request, cancellationToken);
        if (page is null)
        {
            return Problems.RepoNotFound("dataset", datasetId);
        }

        var rev = Uri.UnescapeDataString(revision);
        var resolved = ModelsApi.TryResolveRef(page, rev, out var onRef)
            ? onRef
            : ModelsApi.ResolveCommit(await ModelsApi.RevisionsAsync(page, session, cancellationToken), rev);
        if (resolved is null)
        {
            response.Headers["X-Error-Code"] = "RevisionNotFound";
            return Problems.NotFound($"revision '{rev}' does not exist in {datasetId}");
        }

        var benchmark = await session.LoadAsync<BenchmarkDocument>(StreamKeys.Benchmark(datasetId), cancellationToken);
        var item = Item(datasetId, benchmark, page);
        return TypedResults.Ok(item with
        {
            Sha = resolved.Sha,
            LastModified = HubFormat.Time(resolved.LastModified),
            CardData = item.CardData ?? new DatasetCardData(null, [], [], [], null),
            Siblings = [.. resolved.Files.Select(path => new ModelsApi.Sibling(path))],
        });
    }

    public static async Task<Results<Ok<IReadOnlyList<DatasetItem>>, ProblemDocumentResult>> ListDatasetsAsync(
        HttpRequest request, IQuerySession session, CancellationToken cancellationToken)
    {
        var query = request.Query;
        var (limit, refused) = HubFormat.Limit(query);
        if (refused is not null)
        {
            return Problems.BadRequest(refused);
        }

        // ACCESS.md "Discovering test sets": filter=language:xx or a tag (repeated, all must match), or
        // the same as language= and tags= (comma-separated).
        var filters = HubFormat.Values(query, "filter")
            .Concat(Split(query["language"]).Select(language => $"language:{language}"))
            .Concat(Split(query["tags"]))
            .ToList();
        var (benchmarks, repos) = await VisibleDatasetsAsync(session, request, cancellationToken);
        var items = HubFormat.SortByTime(
            List(benchmarks, repos, filters, query["author"].FirstOrDefault(), query["search"].FirstOrDefault()),
            query, item => item.CreatedAt, item => item.LastModified);
        return TypedResults.Ok<IReadOnlyList<DatasetItem>>([.. limit is { } take ? items.Take(take) : items]);
    }

    /// <summary>The benchmarks and dataset pages the caller may see: private datasets only for their owners.</summary>
    private static async Task<(List<BenchmarkDocument> Benchmarks, List<RepoPage> Repos)> VisibleDatasetsAsync(
        IQuerySession session, HttpRequest request, CancellationToken cancellationToken)
    {
        var all = await session.Query<RepoPage>().Where(page => page.Kind == "dataset").ToListAsync(cancellationToken);
        var repos = await session.VisibleAsync(all, request, cancellationToken);
        var unseen = all.Select(page => page.Repo).Except(repos.Select(page => page.Repo), StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
        var benchmarks = (await session.Query<BenchmarkDocument>().ToListAsync(cancellationToken))
            .Where(benchmark => !unseen.Contains(benchmark.DatasetId))
            .ToList();
        return (benchmarks, repos);
    }

    private static IEnumerable<string> Split(Microsoft.Extensions.Primitives.StringValues values) =>
        values.SelectMany(value => (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Dataset repos and registered benchmarks as Hub list items, filtered by tags, author and search (in id and name); by id.</summary>
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
            .Where(item => string.IsNullOrEmpty(search)
                || item.Id.Contains(search, StringComparison.OrdinalIgnoreCase)
                || (item.CardData?.PrettyName?.Contains(search, StringComparison.OrdinalIgnoreCase) ?? false))
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

        if (page is not null)
        {
            // As the Hub writes a card's facts into its tags.
            tags.AddRange(page.CardTags);
            tags.AddRange(page.Languages.Select(language => $"language:{language}"));
            tags.AddRange(page.TaskCategories.Select(category => $"task_categories:{category}"));
            if (page.License is { } license)
            {
                tags.Add($"license:{license}");
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
            Private: page?.Private ?? false,
            Gated: HubFormat.Gated(page?.Gated),
            Disabled: false,
            Downloads: 0,
            Likes: 0,
            tags,
            description,
            CardDataOf(benchmark, page));
    }

    /// <summary>The card's facts and the benchmark's name; null when there is neither.</summary>
    private static DatasetCardData? CardDataOf(BenchmarkDocument? benchmark, RepoPage? page)
    {
        var name = benchmark?.Definition is { ValueKind: JsonValueKind.Object } definition
            && definition.TryGetProperty("name", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString() : null;
        if (name is null && (page is null || (page.Languages.Count == 0 && page.CardTags.Count == 0 && page.TaskCategories.Count == 0 && page.License is null)))
        {
            return null;
        }

        return new DatasetCardData(name, page?.Languages ?? [], page?.CardTags ?? [], page?.TaskCategories ?? [], page?.License);
    }
}
