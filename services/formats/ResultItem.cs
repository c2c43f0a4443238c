using System.Text.Json.Nodes;

namespace CommunityEvals.Formats;

/// <summary>
/// One result: an item of a <c>.eval_results/*.yaml</c> file, or one metric of a README's
/// <c>model-index</c> (FORMATS.md sections 2 and 3).
/// </summary>
/// <param name="Index">Item index from 0; with the file path it identifies the result across re-commits.</param>
/// <param name="Line">1-based line where the item starts.</param>
/// <param name="Column">1-based column where the item starts.</param>
/// <param name="ValueText">The value exactly as written (<c>74.20</c>): its last decimal place sets verification's tolerance.</param>
/// <param name="Date">ISO-8601 date or date-time exactly as written, already checked to be one.</param>
/// <param name="Data">The item as JSON with the YAML's own field names, unknown keys included, for echoing back.</param>
/// <param name="UnknownKeys">Dotted paths of keys the format does not define (also reported as warnings).</param>
public sealed record ResultItem(
    int Index,
    int Line,
    int Column,
    string DatasetId,
    string TaskId,
    string? DatasetRevision,
    double Value,
    string ValueText,
    string? VerifyToken,
    string? Date,
    ResultSource? Source,
    string? Notes,
    JsonObject Data,
    IReadOnlyList<string> UnknownKeys);

/// <summary>Attribution of a result; <see cref="Url"/> is an absolute http(s) URL.</summary>
public sealed record ResultSource(string Url, string? Name, string? User, string? Org);
