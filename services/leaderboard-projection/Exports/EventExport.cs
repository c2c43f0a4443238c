using System.Buffers;
using System.Globalization;
using System.Text.Json;
using CommunityEvals.LeaderboardProjection.Feed;
using CommunityEvals.LeaderboardProjection.Leaderboards;
using CommunityEvals.Platform.Http;
using Marten;
using Parquet;
using Parquet.Schema;

namespace CommunityEvals.LeaderboardProjection.Exports;

/// <summary>
/// <c>GET /api/events/export?format=ndjson|parquet[&amp;after=&amp;until=]</c>: the public event log
/// (the feed's rows, with its rules on private repos and access requests), streamed from one query so
/// memory stays flat whatever its length, and resumable by <c>after</c> (the last <c>sequence</c> received).
/// </summary>
public static class EventExport
{
    /// <summary>Rows per Parquet row group: what the writer holds at once (a few MB of JSON text).</summary>
    public const int RowsPerGroup = 10_000;

    /// <summary>NDJSON is flushed to the client every this many bytes.</summary>
    private const int FlushBytes = 64 * 1024;

    private static readonly string[] Formats = [ExportFormats.Ndjson, ExportFormats.Parquet];

    public static async Task<IResult> ExportAsync(HttpContext context, IQuerySession session, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        var format = query["format"].FirstOrDefault() ?? ExportFormats.Ndjson;
        if (!Formats.Contains(format))
        {
            return Problems.BadRequest($"'format' must be one of {string.Join(", ", Formats)}.");
        }

        long after = 0;
        if (query["after"].FirstOrDefault() is { Length: > 0 } afterText
            && (!long.TryParse(afterText, NumberStyles.None, CultureInfo.InvariantCulture, out after)))
        {
            return Problems.BadRequest("'after' must be an event id (a non-negative integer).");
        }

        long? through = null;
        DateTimeOffset? until = null;
        if (query["until"].FirstOrDefault() is { Length: > 0 } untilText)
        {
            if (long.TryParse(untilText, NumberStyles.None, CultureInfo.InvariantCulture, out var lastId))
            {
                through = lastId;
            }
            else if (LeaderboardsApi.ParseTime(untilText) is { } time)
            {
                until = time;
            }
            else
            {
                return Problems.BadRequest("'until' must be an event id or an ISO-8601 time, e.g. 2026-03-01T12:00:00Z.");
            }
        }

        var feed = new FeedQuery(After: after, Before: through + 1, Until: until);
        context.Response.ContentType = ExportFormats.ContentType(format);
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"events_after_{after}.{format}\"";
        // The log only grows: an export is never the same answer twice to rely on, so no validator.
        context.Response.Headers.CacheControl = "no-store";
        var rows = FeedTable.RowsAsync(session, feed, take: null, cancellationToken);
        if (format == ExportFormats.Ndjson)
        {
            await WriteNdjsonAsync(rows, context.Response.Body, cancellationToken);
        }
        else
        {
            await WriteParquetAsync(rows, context.Response.Body, cancellationToken);
        }

        return Microsoft.AspNetCore.Http.Results.Empty;
    }

    /// <summary>One line per event, <c>{"sequence","type","stream","actor","occurredAt","data"}</c> (the feed's shape), the data passed on as stored.</summary>
    public static async Task WriteNdjsonAsync(IAsyncEnumerable<FeedRow> rows, Stream output, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(FlushBytes * 2);
        await using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            json.WriteStartObject();
            json.WriteNumber("sequence", row.Sequence);
            json.WriteString("type", row.Type);
            json.WriteString("stream", row.Stream);
            json.WriteString("actor", row.Actor);
            json.WriteString("occurredAt", row.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            json.WritePropertyName("data");
            json.WriteRawValue(row.Data, skipInputValidation: true);
            json.WriteEndObject();
            json.Flush();
            buffer.Write("\n"u8);
            json.Reset();
            if (buffer.WrittenCount >= FlushBytes)
            {
                await output.WriteAsync(buffer.WrittenMemory, cancellationToken);
                buffer.ResetWrittenCount();
            }
        }

        await output.WriteAsync(buffer.WrittenMemory, cancellationToken);
    }

    /// <summary>Typed columns (sequence int64, type, stream, actor, occurred_at timestamp, data as JSON text), a row group per <see cref="RowsPerGroup"/> events.</summary>
    public static async Task WriteParquetAsync(IAsyncEnumerable<FeedRow> rows, Stream output, CancellationToken cancellationToken)
    {
        var id = new DataField<long>("sequence");
        var type = new DataField<string>("type", nullable: false);
        var stream = new DataField<string>("stream", nullable: false);
        var actor = new DataField<string>("actor", nullable: true);
        var occurredAt = new DataField<DateTime>("occurred_at");
        var data = new DataField<string>("data", nullable: false);
        await using var body = new WriteOnlyPositionStream(output);
        var writer = await ParquetWriter.CreateAsync(new ParquetSchema(id, type, stream, actor, occurredAt, data), body, cancellationToken: cancellationToken);
        var group = new List<FeedRow>(RowsPerGroup);
        async Task FlushAsync()
        {
            using var rowGroup = writer.CreateRowGroup();
            await rowGroup.WriteAsync<long>(id, group.Select(row => row.Sequence).ToArray(), cancellationToken: cancellationToken);
            await rowGroup.WriteAsync(type, group.Select(row => row.Type).ToList());
            await rowGroup.WriteAsync(stream, group.Select(row => row.Stream).ToList());
            await rowGroup.WriteAsync(actor, group.Select(row => row.Actor!).ToList());
            await rowGroup.WriteAsync<DateTime>(occurredAt, group.Select(row => row.OccurredAt.UtcDateTime).ToArray(), cancellationToken: cancellationToken);
            await rowGroup.WriteAsync(data, group.Select(row => row.Data).ToList());
            group.Clear();
            rowGroup.Dispose();
            await body.FlushAsync(cancellationToken);
        }

        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            group.Add(row);
            if (group.Count == RowsPerGroup)
            {
                await FlushAsync();
            }
        }

        if (group.Count > 0)
        {
            await FlushAsync();
        }

        // The footer, then its bytes.
        await writer.DisposeAsync();
        await body.FlushAsync(cancellationToken);
    }
}
