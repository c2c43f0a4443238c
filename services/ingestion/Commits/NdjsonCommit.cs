using System.Text;
using System.Text.Json;
using CommunityEvals.Ingestion.Files;
using CommunityEvals.Platform.Http;

namespace CommunityEvals.Ingestion.Commits;

public sealed record CommitHeader(string Summary, string? Description, string? ParentCommit);

/// <summary>A file a commit writes, decoded; <see cref="Line"/> is its NDJSON line for error messages.</summary>
public sealed record IncomingFile(string Path, byte[] Content, int Line);

/// <summary>A file uploaded beforehand (the LFS batch and upload), named in the commit by its sha256 and size.</summary>
public sealed record IncomingLfsFile(string Path, string Sha256, long Size, int Line);

public sealed record IncomingCommit(CommitHeader Header, IReadOnlyList<IncomingFile> Files, IReadOnlyList<string> DeletedPaths, IReadOnlyList<IncomingLfsFile>? LfsFiles = null)
{
    public IReadOnlyList<IncomingLfsFile> UploadedFiles => LfsFiles ?? [];

    /// <summary>Every path the commit writes, inline or uploaded.</summary>
    public IEnumerable<string> WrittenPaths => Files.Select(file => file.Path).Concat(UploadedFiles.Select(file => file.Path));
}

/// <summary>
/// Reads the Hub's commit body: a header line, then <c>file</c> and <c>deletedFile</c> lines
/// (the last may lack its newline). Malformed input comes back as errors, never as exceptions.
/// </summary>
public static class NdjsonCommit
{
    public const string BodyName = "commit body";

    /// <summary>
    /// Problems listed before reading stops: a 16 MiB body of one-byte lines would otherwise be
    /// answered with millions of errors, an answer far larger than the request and slow to make.
    /// </summary>
    public const int MaxErrors = 100;

    public static (IncomingCommit? Commit, IReadOnlyList<ValidationError> Errors) Parse(ReadOnlySpan<byte> body)
    {
        var errors = new List<ValidationError>();
        CommitHeader? header = null;
        var files = new List<IncomingFile>();
        var deleted = new List<string>();
        var uploaded = new List<IncomingLfsFile>();
        var lineNumber = 0;
        var sawContent = false;

        for (var rest = body; !rest.IsEmpty || lineNumber == 0;)
        {
            var rawLine = NextLine(ref rest);
            lineNumber++;
            if (IsBlank(rawLine))
            {
                continue;
            }

            var isFirstContentLine = !sawContent;
            sawContent = true;
            if (errors.Count >= MaxErrors)
            {
                errors.Add(Error(lineNumber, null, $"more than {MaxErrors} problems; the body was not read past line {lineNumber - 1}"));
                break;
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
                || !line.TryGetProperty("key", out var keyElement) || !TryGetText(keyElement, out var key)
                || !line.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Object)
            {
                errors.Add(Error(lineNumber, null, $"line {lineNumber} must be an object with a string 'key' and an object 'value'"));
                continue;
            }

            switch (key)
            {
                case "header" when header is null && isFirstContentLine:
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
                    if (ReadLfsFile(value, lineNumber, errors) is { } lfsFile)
                    {
                        uploaded.Add(lfsFile);
                    }

                    break;
                default:
                    errors.Add(Error(lineNumber, "key", $"unknown key '{Shorten(key)}'; expected header, file, lfsFile or deletedFile"));
                    break;
            }
        }

        if (header is null && errors.Count == 0)
        {
            errors.Add(Error(1, "header", "the first line must be {\"key\":\"header\",\"value\":{\"summary\":...}}"));
        }

        var duplicates = files.Select(file => file.Path).Concat(uploaded.Select(file => file.Path)).Concat(deleted)
            .GroupBy(path => path).Where(group => group.Count() > 1).Select(group => group.Key);
        errors.AddRange(duplicates.Select(path => new ValidationError(path, null, null, null, "path", $"'{path}' appears more than once in the commit")));

        return errors.Count > 0 ? (null, errors) : (new IncomingCommit(header!, files, deleted, uploaded), errors);
    }

    private static CommitHeader? ReadHeader(JsonElement value, int line, List<ValidationError> errors)
    {
        var summary = OptionalString(value, "summary", line, errors);
        var description = OptionalString(value, "description", line, errors);
        var parent = OptionalString(value, "parentCommit", line, errors);
        // These texts are stored in the commit's event, and PostgreSQL text cannot hold U+0000.
        foreach (var (name, text) in new[] { ("summary", summary), ("description", description), ("parentCommit", parent) })
        {
            if (text?.Contains('\0') == true)
            {
                errors.Add(Error(line, name, $"line {line}: '{name}' must not contain a NUL character"));
            }
        }

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

    private static IncomingLfsFile? ReadLfsFile(JsonElement value, int line, List<ValidationError> errors)
    {
        var path = ReadString(value, "path", line, errors);
        var oid = ReadString(value, "oid", line, errors);
        var algo = OptionalString(value, "algo", line, errors) ?? "sha256";
        if (path is null || oid is null)
        {
            return null;
        }

        if (algo != "sha256")
        {
            errors.Add(new ValidationError(path, null, line, null, "algo", $"'{path}': algo must be 'sha256'"));
            return null;
        }

        if (!Sha256Hex.IsValid(oid))
        {
            errors.Add(new ValidationError(path, null, line, null, "oid", $"'{path}': oid must be a sha256 in 64 lowercase hex digits"));
            return null;
        }

        if (!value.TryGetProperty("size", out var sizeElement) || sizeElement.ValueKind != JsonValueKind.Number
            || !sizeElement.TryGetInt64(out var size) || size < 0)
        {
            errors.Add(new ValidationError(path, null, line, null, "size", $"'{path}': size must be a whole number of bytes"));
            return null;
        }

        return new IncomingLfsFile(path, oid, size, line);
    }

    private static string? ReadString(JsonElement value, string name, int line, List<ValidationError> errors)
    {
        if (!value.TryGetProperty(name, out var property) || property.ValueKind != JsonValueKind.String)
        {
            errors.Add(Error(line, name, $"line {line}: '{name}' is required and must be a string"));
            return null;
        }

        return TextOrError(property, name, line, errors);
    }

    private static string? OptionalString(JsonElement value, string name, int line, List<ValidationError> errors)
    {
        if (!value.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (property.ValueKind != JsonValueKind.String)
        {
            errors.Add(Error(line, name, $"line {line}: '{name}' must be a string"));
            return null;
        }

        return TextOrError(property, name, line, errors);
    }

    private static string? TextOrError(JsonElement property, string name, int line, List<ValidationError> errors)
    {
        if (TryGetText(property, out var text))
        {
            return text;
        }

        errors.Add(Error(line, name, $"line {line}: '{name}' is not valid Unicode text (invalid UTF-8, or a lone surrogate escape such as \\ud800)"));
        return null;
    }

    // JSON lets a string escape half a surrogate pair, and the reader checks UTF-8 inside strings
    // only when a string is read: both surface here, as the one exception GetString documents.
    private static bool TryGetText(JsonElement element, out string text)
    {
        text = "";
        if (element.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        try
        {
            text = element.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "...";

    private static ValidationError Error(int line, string? field, string message) =>
        new(BodyName, null, line, null, field, message);

    private static bool IsBlank(ReadOnlySpan<byte> line) =>
        line.IndexOfAnyExcept((byte)' ', (byte)'\t', (byte)'\r') < 0;

    /// <summary>The next line of <paramref name="rest"/> without its LF (or CRLF), and moves past it.</summary>
    private static ReadOnlySpan<byte> NextLine(ref ReadOnlySpan<byte> rest)
    {
        var end = rest.IndexOf((byte)'\n');
        var line = end < 0 ? rest : rest[..end];
        rest = end < 0 ? [] : rest[(end + 1)..];
        return line.EndsWith((byte)'\r') ? line[..^1] : line;
    }
}
