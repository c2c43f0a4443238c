using System.Globalization;
using System.Text.Json;
using CsvHelper;
using Parquet;
using Parquet.Schema;

namespace CommunityEvals.LeaderboardProjection.Exports;

/// <summary>
/// One board row as exports give it: every column of the native board, flat, with the benchmark and
/// task it belongs to (a dataset's export holds all its tasks). The source is split into its name and
/// url so that a spreadsheet shows plain cells.
/// </summary>
public sealed record BoardExportRow(
    string Benchmark,
    string Task,
    int Rank,
    string Model,
    double Value,
    double? Stderr,
    bool Verified,
    bool Disputed,
    string Origin,
    string? SourceName,
    string? SourceUrl,
    string ResultId,
    bool BaseModel,
    string? Notes,
    DateTimeOffset UpdatedAt);

/// <summary>The export formats and how each is written: CSV by CsvHelper, Parquet by Parquet.Net, JSON by System.Text.Json.</summary>
public static class ExportFormats
{
    public const string Csv = "csv";
    public const string Json = "json";
    public const string Ndjson = "ndjson";
    public const string Parquet = "parquet";

    public static string ContentType(string format) => format switch
    {
        Csv => "text/csv; charset=utf-8",
        Json => "application/json",
        Ndjson => "application/x-ndjson",
        _ => "application/vnd.apache.parquet",
    };

    /// <summary>The CSV header, the same names as the Parquet columns.</summary>
    private static readonly string[] CsvHeader =
        ["benchmark", "task", "rank", "model", "value", "stderr", "verified", "disputed", "origin", "source_name", "source_url", "result_id", "base_model", "notes", "updated_at"];

    /// <summary>
    /// RFC 4180 with a header; booleans as <c>true</c>/<c>false</c>, times in ISO 8601 UTC, numbers as
    /// the shortest text that round-trips. Text a spreadsheet would run as a formula (a model's notes are
    /// anyone's words) is escaped.
    /// </summary>
    public static async Task WriteCsvAsync(IReadOnlyList<BoardExportRow> rows, Stream output, CancellationToken cancellationToken)
    {
        var options = new CsvWriterOptions { TrueValue = "true", FalseValue = "false", Injection = CsvInjection.Escape };
        await using var csv = CsvWriter.Create(output, options, leaveOpen: true);
        csv.WriteHeader(CsvHeader);
        foreach (var row in rows)
        {
            csv.WriteField(row.Benchmark);
            csv.WriteField(row.Task);
            csv.WriteField(row.Rank, default);
            csv.WriteField(row.Model);
            csv.WriteField(row.Value, default);
            csv.WriteField(row.Stderr, default);
            csv.WriteField(row.Verified);
            csv.WriteField(row.Disputed);
            csv.WriteField(row.Origin);
            WriteText(csv, row.SourceName);
            WriteText(csv, row.SourceUrl);
            csv.WriteField(row.ResultId);
            csv.WriteField(row.BaseModel);
            WriteText(csv, row.Notes);
            csv.WriteField(row.UpdatedAt.ToUniversalTime(), default);
            await csv.EndRecordAsync(cancellationToken);
        }

        await csv.FlushAsync(cancellationToken);
    }

    private static void WriteText(CsvWriter csv, string? text)
    {
        if (text is null)
        {
            csv.WriteField(string.Empty);
        }
        else
        {
            csv.WriteField(text);
        }
    }

    public static Task WriteJsonAsync(IReadOnlyList<BoardExportRow> rows, Stream output, CancellationToken cancellationToken) =>
        JsonSerializer.SerializeAsync(output, rows, JsonSerializerOptions.Web, cancellationToken);

    /// <summary>The board rows as one Parquet row group, each column typed (int32, double, boolean, string, timestamp).</summary>
    public static async Task WriteParquetAsync(IReadOnlyList<BoardExportRow> rows, Stream output, CancellationToken cancellationToken)
    {
        var schema = new ParquetSchema(BoardFields.All);
        await using var body = new WriteOnlyPositionStream(output);
        await using (var writer = await ParquetWriter.CreateAsync(schema, body, cancellationToken: cancellationToken))
        {
            using var group = writer.CreateRowGroup();
            await WriteBoardColumnsAsync(group, rows, cancellationToken);
        }

        await body.FlushAsync(cancellationToken);
    }

    private static async Task WriteBoardColumnsAsync(ParquetRowGroupWriter group, IReadOnlyList<BoardExportRow> rows, CancellationToken cancellationToken)
    {
        await group.WriteAsync(BoardFields.Benchmark, rows.Select(row => row.Benchmark).ToList());
        await group.WriteAsync(BoardFields.Task, rows.Select(row => row.Task).ToList());
        await group.WriteAsync<int>(BoardFields.Rank, rows.Select(row => row.Rank).ToArray(), cancellationToken: cancellationToken);
        await group.WriteAsync(BoardFields.Model, rows.Select(row => row.Model).ToList());
        await group.WriteAsync<double>(BoardFields.Value, rows.Select(row => row.Value).ToArray(), cancellationToken: cancellationToken);
        await group.WriteAsync<double>(BoardFields.Stderr, rows.Select(row => row.Stderr).ToArray(), cancellationToken: cancellationToken);
        await group.WriteAsync<bool>(BoardFields.Verified, rows.Select(row => row.Verified).ToArray(), cancellationToken: cancellationToken);
        await group.WriteAsync<bool>(BoardFields.Disputed, rows.Select(row => row.Disputed).ToArray(), cancellationToken: cancellationToken);
        await group.WriteAsync(BoardFields.Origin, rows.Select(row => row.Origin).ToList());
        await group.WriteAsync(BoardFields.SourceName, rows.Select(row => row.SourceName!).ToList());
        await group.WriteAsync(BoardFields.SourceUrl, rows.Select(row => row.SourceUrl!).ToList());
        await group.WriteAsync(BoardFields.ResultId, rows.Select(row => row.ResultId).ToList());
        await group.WriteAsync<bool>(BoardFields.BaseModel, rows.Select(row => row.BaseModel).ToArray(), cancellationToken: cancellationToken);
        await group.WriteAsync(BoardFields.Notes, rows.Select(row => row.Notes!).ToList());
        await group.WriteAsync<DateTime>(BoardFields.UpdatedAt, rows.Select(row => row.UpdatedAt.UtcDateTime).ToArray(), cancellationToken: cancellationToken);
    }

    /// <summary>The columns of a board export, in the order of <see cref="BoardExportRow"/>, with the CSV header's names.</summary>
    private static class BoardFields
    {
        public static readonly DataField Benchmark = new DataField<string>("benchmark", nullable: false);
        public static readonly DataField Task = new DataField<string>("task", nullable: false);
        public static readonly DataField Rank = new DataField<int>("rank");
        public static readonly DataField Model = new DataField<string>("model", nullable: false);
        public static readonly DataField Value = new DataField<double>("value");
        public static readonly DataField Stderr = new DataField<double?>("stderr");
        public static readonly DataField Verified = new DataField<bool>("verified");
        public static readonly DataField Disputed = new DataField<bool>("disputed");
        public static readonly DataField Origin = new DataField<string>("origin", nullable: false);
        public static readonly DataField SourceName = new DataField<string>("source_name", nullable: true);
        public static readonly DataField SourceUrl = new DataField<string>("source_url", nullable: true);
        public static readonly DataField ResultId = new DataField<string>("result_id", nullable: false);
        public static readonly DataField BaseModel = new DataField<bool>("base_model");
        public static readonly DataField Notes = new DataField<string>("notes", nullable: true);
        public static readonly DataField UpdatedAt = new DataField<DateTime>("updated_at");

        public static readonly Field[] All =
            [Benchmark, Task, Rank, Model, Value, Stderr, Verified, Disputed, Origin, SourceName, SourceUrl, ResultId, BaseModel, Notes, UpdatedAt];
    }
}

/// <summary>
/// A response body as the Parquet writer needs it: the writer asks where it is (column chunks record
/// their offsets) and writes some parts synchronously, which a response body refuses. Bytes are kept
/// here until <see cref="FlushAsync(CancellationToken)"/> sends them, which the export does after each
/// row group: memory holds one row group's bytes, never the whole file.
/// </summary>
public sealed class WriteOnlyPositionStream(Stream inner) : Stream
{
    private readonly MemoryStream _pending = new();
    private long _written;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _written;

    public override long Position
    {
        get => _written;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        _pending.Write(buffer, offset, count);
        _written += count;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _pending.Write(buffer);
        _written += buffer.Length;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    /// <summary>Nothing is sent synchronously: the bytes wait for <see cref="FlushAsync(CancellationToken)"/>.</summary>
    public override void Flush()
    {
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_pending.Length > 0)
        {
            await inner.WriteAsync(_pending.GetBuffer().AsMemory(0, (int)_pending.Length), cancellationToken);
            _pending.SetLength(0);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _pending.Dispose();
        }

        base.Dispose(disposing);
    }
}
