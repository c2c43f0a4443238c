using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Shared;
using CommunityEvals.Platform.Http;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace CommunityEvals.LeaderboardProjection.Leaderboards;

/// <summary>
/// Leaderboards: the Hub's (<c>/api/datasets/{org}/{name}/leaderboard</c>, base models only by
/// default) and the native one per task, with filters, paging, time travel and an ETag.
/// </summary>
public static class LeaderboardsApi
{
    public static IEndpointRouteBuilder MapLeaderboardsApi(this IEndpointRouteBuilder app)
    {
        // Answered from the board cache (CachedJsonResult): its shape is declared here.
        app.MapGet("/api/datasets/{org}/{name}/leaderboard", GetHubLeaderboardAsync).Produces<IReadOnlyList<HubLeaderboardRow>>();
        app.MapGet("/api/leaderboards/{org}/{name}/{taskId}", GetLeaderboardAsync);
        return app;
    }

    public sealed record HubAuthor(
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("name")] string Name);

    /// <summary>One row in the Hub's shape; <c>source</c>, <c>pullRequest</c> and <c>notes</c> only when there are.</summary>
    public sealed record HubLeaderboardRow(
        [property: JsonPropertyName("rank")] int Rank,
        [property: JsonPropertyName("modelId")] string ModelId,
        [property: JsonPropertyName("value")] double Value,
        [property: JsonPropertyName("filename")] string Filename,
        [property: JsonPropertyName("verified")] bool Verified,
        [property: JsonPropertyName("source"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Source,
        [property: JsonPropertyName("author")] HubAuthor Author,
        [property: JsonPropertyName("pullRequest"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? PullRequest,
        [property: JsonPropertyName("notes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Notes);

    /// <param name="BaseModel">Whether the model's card declares no <c>base_model</c>.</param>
    public sealed record LeaderboardRow(
        int Rank,
        string ModelId,
        double Value,
        string ResultId,
        bool Verified,
        string Origin,
        bool Disputed,
        int ResultsCount,
        bool BaseModel,
        JsonElement? Source,
        string? Notes,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Stderr,
        DateTimeOffset UpdatedAt);

    /// <param name="AsOf">The time asked for; null for the live board.</param>
    /// <param name="Total">Rows before paging.</param>
    public sealed record LeaderboardView(
        string Benchmark,
        string Task,
        string? Metric,
        bool HigherIsBetter,
        DateTimeOffset? AsOf,
        int Total,
        IReadOnlyList<LeaderboardRow> Rows);

    public static async Task<Results<CachedJsonResult, ProblemDocumentResult>> GetHubLeaderboardAsync(
        string org,
        string name,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "task_id")] string? taskId,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "base_model")] string? baseModelText,
        HttpRequest request,
        IDocumentStore store,
        BoardCache cache,
        IOptions<JsonOptions> json,
        CancellationToken cancellationToken)
    {
        if (HubFormat.Flag(baseModelText, absent: true) is not { } baseModelsOnly)
        {
            return Problems.BadRequest("'base_model' must be true or false.");
        }

        var datasetId = $"{org}/{name}";
        var cached = await cache.GetOrBuildAsync($"hub|{datasetId}|{taskId}|{baseModelsOnly}", async () =>
        {
            await using var session = store.QuerySession();
            var board = await session.LoadAsync<LeaderboardBoard>(StreamKeys.Benchmark(datasetId), CancellationToken.None);
            // A private benchmark's board is never shared between callers.
            var task = board is not { Registered: true, Private: false } ? null
                : string.IsNullOrEmpty(taskId) ? board.Tasks.FirstOrDefault() : board.Task(taskId);
            return task is null
                ? null
                : new CachedBody(JsonSerializer.SerializeToUtf8Bytes(HubRows(board!, task, baseModelsOnly), json.Value.SerializerOptions), etag: null);
        });
        if (cached is not null)
        {
            return new CachedJsonResult(cached);
        }

        await using var reader = store.QuerySession();
        var missing = await reader.LoadAsync<LeaderboardBoard>(StreamKeys.Benchmark(datasetId), cancellationToken);
        if (missing is { Private: true })
        {
            if (await reader.IsHiddenFromAsync("dataset", datasetId, request, cancellationToken))
            {
                return Problems.RepoNotFound("dataset", datasetId);
            }

            var privateTask = string.IsNullOrEmpty(taskId) ? missing.Tasks.FirstOrDefault() : missing.Task(taskId);
            if (missing.Registered && privateTask is not null)
            {
                return new CachedJsonResult(new CachedBody(JsonSerializer.SerializeToUtf8Bytes(HubRows(missing, privateTask, baseModelsOnly), json.Value.SerializerOptions), etag: null));
            }
        }

        return missing is not { Registered: true } ? NotABenchmark(datasetId) : NoSuchTask(datasetId, taskId ?? "");
    }

    /// <summary>The Hub's rows of one task: base models only, or all of them.</summary>
    public static IReadOnlyList<HubLeaderboardRow> HubRows(LeaderboardBoard board, TaskSpec task, bool baseModelsOnly)
    {
        var entries = EntriesById(board, task);
        return LeaderboardFold.Rank(board, task, new BoardFilter(BaseModelsOnly: baseModelsOnly))
            .Select(row =>
            {
                var entry = entries[row.Result.ResultId];
                return new HubLeaderboardRow(
                    row.Rank,
                    row.ModelId,
                    row.Value,
                    entry.Filename,
                    entry.Verified,
                    ParseSource(entry.Source),
                    new HubAuthor(entry.OwnerIsOrg ? "org" : "user", entry.Owner),
                    entry.PullRequest,
                    entry.Notes);
            })
            .ToList();
    }

    public static async Task<Results<CachedJsonResult, Ok<LeaderboardView>, StatusCodeHttpResult, ProblemDocumentResult>> GetLeaderboardAsync(
        string org,
        string name,
        string taskId,
        HttpContext context,
        IQuerySession session,
        IDocumentStore store,
        BoardCache cache,
        IOptions<JsonOptions> json,
        CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        if (HubFormat.Flag(query["verified"].FirstOrDefault(), absent: false) is not { } verifiedOnly)
        {
            return Problems.BadRequest("'verified' must be true or false.");
        }

        if (HubFormat.Flag(query["community"].FirstOrDefault(), absent: true) is not { } includeCommunity)
        {
            return Problems.BadRequest("'community' must be true or false.");
        }

        DateTimeOffset? asOf = null;
        if (query["as_of"].FirstOrDefault() is { Length: > 0 } asOfText)
        {
            if (ParseTime(asOfText) is not { } parsed)
            {
                return Problems.BadRequest("'as_of' must be an ISO-8601 time, e.g. 2026-03-01T12:00:00Z.");
            }

            asOf = parsed;
        }

        int? limit = null;
        if (query["limit"].FirstOrDefault() is { Length: > 0 } limitText)
        {
            if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < 1)
            {
                return Problems.BadRequest("'limit' must be a positive integer.");
            }

            limit = parsed;
        }

        var offset = 0;
        if (query["offset"].FirstOrDefault() is { Length: > 0 } offsetText
            && !int.TryParse(offsetText, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
        {
            return Problems.BadRequest("'offset' must be a non-negative integer.");
        }

        var datasetId = $"{org}/{name}";
        var filter = new BoardFilter(verifiedOnly, includeCommunity);
        if (asOf is null)
        {
            var cached = await cache.GetOrBuildAsync($"native|{datasetId}|{taskId}|{verifiedOnly}|{includeCommunity}|{offset}|{limit}", async () =>
            {
                await using var live = store.QuerySession();
                var current = await live.LoadAsync<LeaderboardBoard>(StreamKeys.Benchmark(datasetId), CancellationToken.None);
                if (current is not { Registered: true, Private: false } || current.Task(taskId) is not { } currentTask)
                {
                    return null;
                }

                var body = JsonSerializer.SerializeToUtf8Bytes(View(current, currentTask, filter, null, offset, limit), json.Value.SerializerOptions);
                return new CachedBody(body, ETagOf(body));
            });
            if (cached is not null)
            {
                return new CachedJsonResult(cached);
            }
        }

        var (board, missing) = await BoardForAsync(session, datasetId, asOf, context.Request, cancellationToken);
        if (missing is not null)
        {
            return missing;
        }

        if (board!.Task(taskId) is not { } task)
        {
            return NoSuchTask(datasetId, taskId);
        }

        var view = View(board, task, filter, asOf, offset, limit);
        var etag = ETagOf(JsonSerializer.SerializeToUtf8Bytes(view, json.Value.SerializerOptions));
        context.Response.Headers.ETag = etag;
        return Matches(context.Request.Headers.IfNoneMatch, etag)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Ok(view);
    }

    /// <summary>
    /// The board of a registered benchmark as the caller may see it: live, or as it stood at
    /// <paramref name="asOf"/> (following the repos' current visibility); a private benchmark is missing
    /// to all but its owners.
    /// </summary>
    public static async Task<(LeaderboardBoard? Board, ProblemDocumentResult? Problem)> BoardForAsync(
        IQuerySession session, string datasetId, DateTimeOffset? asOf, HttpRequest request, CancellationToken cancellationToken)
    {
        var liveBoard = await session.LoadAsync<LeaderboardBoard>(StreamKeys.Benchmark(datasetId), cancellationToken);
        if (liveBoard is { Private: true } && await session.IsHiddenFromAsync("dataset", datasetId, request, cancellationToken))
        {
            return (null, Problems.RepoNotFound("dataset", datasetId));
        }

        var board = asOf is { } time
            ? await LeaderboardReplay.BoardAsOfAsync(session, datasetId, time, await session.PrivateReposAsync("model", cancellationToken), cancellationToken)
            : liveBoard;
        return board is { Registered: true }
            ? (board, null)
            : (null, asOf is null ? NotABenchmark(datasetId) : Problems.NotFound($"{datasetId} was not a registered benchmark at {HubFormat.Time(asOf.Value)}"));
    }

    /// <summary>The native board of one task: filters, ranking, then paging.</summary>
    public static LeaderboardView View(LeaderboardBoard board, TaskSpec task, BoardFilter filter, DateTimeOffset? asOf, int offset, int? limit)
    {
        var entries = EntriesById(board, task);
        var rows = LeaderboardFold.Rank(board, task, filter);
        var page = rows.Skip(offset).Take(limit ?? int.MaxValue)
            .Select(row =>
            {
                var entry = entries[row.Result.ResultId];
                return new LeaderboardRow(
                    row.Rank,
                    row.ModelId,
                    row.Value,
                    row.Result.ResultId,
                    row.Result.Verified,
                    row.Result.Origin,
                    row.Disputed,
                    row.ResultsCount,
                    entry.IsBaseModel,
                    ParseSource(entry.Source),
                    entry.Notes,
                    task.InBoardScale(entry.Stderr, row.Value),
                    entry.UpdatedAt);
            })
            .ToList();
        return new LeaderboardView(board.DatasetId, task.Id, task.Metric, task.HigherIsBetter, asOf?.ToUniversalTime(), rows.Count, page);
    }

    /// <summary>A strong validator: a hash of the exact body.</summary>
    public static string ETagOf(byte[] body) => $"\"{Convert.ToHexStringLower(SHA256.HashData(body))[..32]}\"";

    /// <summary>Whether <c>If-None-Match</c> names this tag (weak comparison, as RFC 9110 asks for it), or is <c>*</c>.</summary>
    public static bool Matches(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string etag)
    {
        if (ifNoneMatch.Count == 0)
        {
            return false;
        }

        if (EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags))
        {
            return tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Tag.Equals(etag, StringComparison.Ordinal));
        }

        return ifNoneMatch.Any(value => value?.Trim() == etag);
    }

    /// <summary>An ISO-8601 time; without an offset it is UTC. A <c>+</c> a query string turned into a space is put back.</summary>
    public static DateTimeOffset? ParseTime(string text)
    {
        foreach (var candidate in new[] { text.Trim(), text.Trim().Replace(' ', '+') })
        {
            if (candidate.Length >= 10 && char.IsAsciiDigit(candidate[0])
                && DateTimeOffset.TryParse(candidate, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            {
                return time;
            }
        }

        return null;
    }

    private static Dictionary<string, BoardEntry> EntriesById(LeaderboardBoard board, TaskSpec task) =>
        board.Entries.Where(entry => entry.TaskId == task.Id).ToDictionary(entry => entry.ResultId, StringComparer.Ordinal);

    public static JsonElement? ParseSource(string? source)
    {
        if (source is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(source);
        return document.RootElement.Clone();
    }

    private static ProblemDocumentResult NotABenchmark(string datasetId) => Problems.NotFound($"{datasetId} is not a registered benchmark");

    public static ProblemDocumentResult NoSuchTask(string datasetId, string taskId) =>
        Problems.NotFound($"benchmark {datasetId} has no task '{taskId}'");
}
