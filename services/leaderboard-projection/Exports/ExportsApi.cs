using System.Security.Cryptography;
using System.Text.Json;
using CommunityEvals.LeaderboardProjection.Leaderboards;
using CommunityEvals.Platform.Http;
using Marten;

namespace CommunityEvals.LeaderboardProjection.Exports;

/// <summary>
/// Everything out, in the formats data people use: a board (one task, or every task of a benchmark)
/// as CSV, JSON or Parquet, computed from the read models when asked and cacheable by ETag; and the
/// public event log as NDJSON or Parquet, streamed (<see cref="EventExport"/>).
/// </summary>
public static class ExportsApi
{
    public static IEndpointRouteBuilder MapExportsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/leaderboards/{org}/{name}/{taskId}/export", ExportTaskAsync);
        app.MapGet("/api/datasets/{org}/{name}/export", ExportBenchmarkAsync);
        app.MapGet("/api/events/export", EventExport.ExportAsync);
        return app;
    }

    private static readonly string[] BoardFormats = [ExportFormats.Csv, ExportFormats.Json, ExportFormats.Parquet];

    public static Task<IResult> ExportTaskAsync(string org, string name, string taskId, HttpContext context, IQuerySession session, CancellationToken cancellationToken) =>
        ExportAsync(org, name, Uri.UnescapeDataString(taskId), context, session, cancellationToken);

    public static Task<IResult> ExportBenchmarkAsync(string org, string name, HttpContext context, IQuerySession session, CancellationToken cancellationToken) =>
        ExportAsync(org, name, null, context, session, cancellationToken);

    /// <param name="taskId">One task, or null for every task of the benchmark.</param>
    private static async Task<IResult> ExportAsync(string org, string name, string? taskId, HttpContext context, IQuerySession session, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        var format = query["format"].FirstOrDefault() ?? ExportFormats.Csv;
        if (!BoardFormats.Contains(format))
        {
            return Problems.BadRequest($"'format' must be one of {string.Join(", ", BoardFormats)}.");
        }

        DateTimeOffset? asOf = null;
        if (query["as_of"].FirstOrDefault() is { Length: > 0 } asOfText)
        {
            if (LeaderboardsApi.ParseTime(asOfText) is not { } parsed)
            {
                return Problems.BadRequest("'as_of' must be an ISO-8601 time, e.g. 2026-03-01T12:00:00Z.");
            }

            asOf = parsed;
        }

        var datasetId = $"{org}/{name}";
        var (board, missing) = await LeaderboardsApi.BoardForAsync(session, datasetId, asOf, context.Request, cancellationToken);
        if (missing is not null)
        {
            return missing;
        }

        IReadOnlyList<TaskSpec> tasks = taskId is null ? board!.Tasks : board!.Task(taskId) is { } task ? [task] : [];
        if (tasks.Count == 0 && taskId is not null)
        {
            return LeaderboardsApi.NoSuchTask(datasetId, taskId);
        }

        var rows = tasks.SelectMany(task => RowsOf(board, task, asOf)).ToList();
        // Boards are small (a row per model): the body is made whole, so its hash is the ETag.
        using var body = new MemoryStream();
        await (format switch
        {
            ExportFormats.Csv => ExportFormats.WriteCsvAsync(rows, body, cancellationToken),
            ExportFormats.Json => ExportFormats.WriteJsonAsync(rows, body, cancellationToken),
            _ => ExportFormats.WriteParquetAsync(rows, body, cancellationToken),
        });
        var bytes = body.ToArray();
        var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..32]}\"";
        var response = context.Response;
        response.Headers.ETag = etag;
        if (LeaderboardsApi.Matches(context.Request.Headers.IfNoneMatch, etag))
        {
            return Microsoft.AspNetCore.Http.Results.StatusCode(StatusCodes.Status304NotModified);
        }

        var fileName = $"{org}_{name}{(taskId is null ? "" : "_" + taskId)}{(asOf is { } time ? "_" + time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture) : "")}.{format}";
        response.Headers.ContentDisposition = $"attachment; filename=\"{string.Concat(fileName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_'))}\"";
        return Microsoft.AspNetCore.Http.Results.Bytes(bytes, ExportFormats.ContentType(format));
    }

    /// <summary>The native board of one task as export rows: every row, every column.</summary>
    public static IEnumerable<BoardExportRow> RowsOf(LeaderboardBoard board, TaskSpec task, DateTimeOffset? asOf) =>
        LeaderboardsApi.View(board, task, BoardFilter.Native, asOf, 0, null).Rows.Select(row =>
        {
            var (sourceName, sourceUrl) = SourceOf(row.Source);
            return new BoardExportRow(board.DatasetId, task.Id, row.Rank, row.ModelId, row.Value, row.Stderr, row.Verified, row.Disputed,
                row.Origin, sourceName, sourceUrl, row.ResultId, row.BaseModel, row.Notes, row.UpdatedAt);
        });

    /// <summary>A result's <c>source</c> (FORMATS.md: an object with <c>name</c> and <c>url</c>, or a bare text) as two cells.</summary>
    private static (string? Name, string? Url) SourceOf(JsonElement? source) => source switch
    {
        { ValueKind: JsonValueKind.Object } value => (Text(value, "name"), Text(value, "url")),
        { ValueKind: JsonValueKind.String } value => (value.GetString(), null),
        _ => (null, null),
    };

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
