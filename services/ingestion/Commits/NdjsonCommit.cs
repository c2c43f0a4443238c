using System.Text;
using System.Text.Json;
using CommunityEvals.Platform.Http;

namespace CommunityEvals.Ingestion.Commits;

public sealed record CommitHeader(string Summary, string? Description, string? ParentCommit);

/// <summary>A file a commit writes, decoded; <see cref="Line"/> is its NDJSON line for error messages.</summary>
public sealed record IncomingFile(string Path, byte[] Content, int Line);

public sealed record IncomingCommit(CommitHeader Header, IReadOnlyList<IncomingFile> Files, IReadOnlyList<string> DeletedPaths);

/// <summary>
/// Reads the Hub's commit body: a header line, then <c>file</c> and <c>deletedFile</c> lines
/// (the last may lack its newline). Malformed input comes back as errors, never as exceptions.
/// </summary>
public static class NdjsonCommit
{
    public const string BodyName = "commit body";

    public static (IncomingCommit? Commit, IReadOnlyList<ValidationError> Errors) Parse(ReadOnlySpan<byte> body)
    {
        var errors = new List<ValidationError>();
        CommitHeader? header = null;
        var files = new List<IncomingFile>();
        var deleted = new List<string>();
        var lineNumber = 0;

        foreach (var rawLine in Lines(body))
        {
            lineNumber++;
            if (IsBlank(rawLine.Span))
            {
                continue;
            }

            JsonElement line;
            try
            {
                using var document = JsonDocument.Parse(rawLine.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
                line = document.RootElement.Clone();
            }
            catch (JsonException exception)
            {
                errors.Add(Error(lineNumber, null, $"line {lineNumber} is not valid JSON: {exception.Message}"));
                continue;
            }

            if (line.ValueKind != JsonValueKind.Object
                || !line.TryGetProperty("key", out var key) || key.ValueKind != JsonValueKind.String
                || !line.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Object)
            {
                errors.Add(Error(lineNumber, null, $"line {lineNumber} must be an object with a string 'key' and an object 'value'"));
                continue;
            }

            switch (key.GetString())
            {
                case "header" when header is null && lineNumber == FirstContentLine(body):
                    header = ReadHeader(value, lineNumber, errors);
                    break;
                case "header":
                    errors.Add(Error(lineNumber, "key", "the header must be the first line, and only once"));
                    break;
                case "file":
                    if (ReadFile(value, lineNumber, errors) is { } file)
                    {
                        files.Add(file);
                    }

                    break;
                case "deletedFile":
                    if (ReadString(value, "path", lineNumber, errors) is { } path)
                    {
                        deleted.Add(path);
                    }

                    break;
                case "lfsFile":
                    errors.Add(Error(lineNumber, "key", "large-file (LFS) uploads are not accepted: results and cards are small text files"));
                    break;
                default:
                    errors.Add(Error(lineNumber, "key", $"unknown key '{key.GetString()}'; expected header, file or deletedFile"));
                    break;
            }
        }

        if (header is null && errors.Count == 0)
        {
            errors.Add(Error(1, "header", "the first line must be {\"key\":\"header\",\"value\":{\"summary\":...}}"));
        }

        var duplicates = files.Select(file => file.Path).Concat(deleted)
            .GroupBy(path => path).Where(group => group.Count() > 1).Select(group => group.Key);
        errors.AddRange(duplicates.Select(path => new ValidationError(path, null, null, null, "path", $"'{path}' appears more than once in the commit")));

        return errors.Count > 0 ? (null, errors) : (new IncomingCommit(header!, files, deleted), errors);
    }

    private static CommitHeader? ReadHeader(JsonElement value, int line, List<ValidationError> errors)
    {
        var summary = OptionalString(value, "summary", line, errors);
        var description = OptionalString(value, "description", line, errors);
        var parent = OptionalString(value, "parentCommit", line, errors);
        return new CommitHeader(string.IsNullOrWhiteSpace(summary) ? "Upload results" : summary, description, parent);
    }

    private static IncomingFile? ReadFile(JsonElement value, int line, List<ValidationError> errors)
    {
        var path = ReadString(value, "path", line, errors);
        var content = ReadString(value, "content", line, errors);
        var encoding = OptionalString(value, "encoding", line, errors) ?? "utf-8";
        if (path is null || content is null)
        {
            return null;
        }

        switch (encoding)
        {
            case "base64":
                var bytes = new byte[content.Length * 3 / 4 + 3];
                if (!Convert.TryFromBase64String(content, bytes, out var written))
                {
                    errors.Add(new ValidationError(path, null, line, null, "content", $"'{path}': content is not valid base64"));
                    return null;
                }

                return new IncomingFile(path, bytes[..written], line);
            case "utf-8" or "utf8":
                return new IncomingFile(path, Encoding.UTF8.GetBytes(content), line);
            default:
                errors.Add(new ValidationError(path, null, line, null, "encoding", $"'{path}': encoding must be 'base64' or 'utf-8'"));
                return null;
        }
    }

    private static string? ReadString(JsonElement value, string name, int line, List<ValidationError> errors)
    {
        if (value.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String)
        {
            return property.GetString();
        }

        errors.Add(Error(line, name, $"line {line}: '{name}' is required and must be a string"));
        return null;
    }

    private static string? OptionalString(JsonElement value, string name, int line, List<ValidationError> errors)
    {
        if (!value.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (property.ValueKind == JsonValueKind.String)
        {
            return property.GetString();
        }

        errors.Add(Error(line, name, $"line {line}: '{name}' must be a string"));
        return null;
    }

    private static ValidationError Error(int line, string? field, string message) =>
        new(BodyName, null, line, null, field, message);

    private static int FirstContentLine(ReadOnlySpan<byte> body)
    {
        var number = 0;
        foreach (var line in Lines(body))
        {
            number++;
            if (!IsBlank(line.Span))
            {
                return number;
            }
        }

        return 0;
    }

    private static bool IsBlank(ReadOnlySpan<byte> line) =>
        line.IndexOfAnyExcept((byte)' ', (byte)'\t', (byte)'\r') < 0;

    private static List<ReadOnlyMemory<byte>> Lines(ReadOnlySpan<byte> body)
    {
        var lines = new List<ReadOnlyMemory<byte>>();
        var copy = body.ToArray();
        var start = 0;
        for (var i = 0; i <= copy.Length; i++)
        {
            if (i == copy.Length || copy[i] == (byte)'\n')
            {
                var end = i > start && copy[i - 1] == (byte)'\r' ? i - 1 : i;
                lines.Add(copy.AsMemory(start, end - start));
                start = i + 1;
            }
        }

        return lines;
    }
}
