using System.Globalization;
using System.Text;

namespace CommunityEvals.Ingestion.Repos;

/// <summary>Which files each kind of repo accepts; anything else in a commit is refused.</summary>
public static class RepoPaths
{
    public const string Card = "README.md";
    public const string BenchmarkDefinition = "eval.yaml";
    public const string ResultsFolder = ".eval_results/";

    public const string Model = "model";
    public const string Dataset = "dataset";

    /// <summary>The URL segment Hub clients use for each kind (<c>models</c>, <c>datasets</c>).</summary>
    public static string? KindFromSegment(string segment) => segment switch
    {
        "models" => Model,
        "datasets" => Dataset,
        _ => null,
    };

    public static bool IsResultsFile(string path) =>
        path.StartsWith(ResultsFolder, StringComparison.Ordinal)
        && path.Length > ResultsFolder.Length
        && path.IndexOf('/', ResultsFolder.Length) < 0
        && (path.EndsWith(".yaml", StringComparison.Ordinal) || path.EndsWith(".yml", StringComparison.Ordinal));

    /// <summary>Longest path accepted, in characters; real ones are a few dozen.</summary>
    public const int MaxPathLength = 1024;

    /// <summary>Null when the path is accepted, else why not.</summary>
    public static string? Refusal(string kind, string path)
    {
        if (path.Length > MaxPathLength)
        {
            return $"a path of {path.Length:N0} characters is longer than the limit of {MaxPathLength:N0}";
        }

        if (path.Length == 0 || path.StartsWith('/') || path.Contains('\\') || path.Contains('\0')
            || path.Split('/').Any(segment => segment is "" or "." or ".." or ".git"))
        {
            return $"'{path}' is not a valid repo path";
        }

        // A line break would forge lines in logs and commit listings, and a right-to-left override
        // or zero-width character makes one name look like another ("x\u202Elmay.yaml").
        if (path.Any(IsInvisible))
        {
            return $"'{Visible(path)}' holds a control or invisible formatting character";
        }

        return kind switch
        {
            Model when path == Card || IsResultsFile(path) => null,
            Model => $"'{path}' is not accepted in a model repo: only README.md and .eval_results/*.yaml",
            _ => null,
        };
    }

    /// <summary>
    /// Whether <paramref name="path"/> is a data file: anything in a dataset repo but its card and
    /// <c>eval.yaml</c>. Its bytes live in the blob store, not in the commit's event.
    /// </summary>
    public static bool IsDataFile(string kind, string path) => kind == Dataset && path is not (Card or BenchmarkDefinition);

    private static bool IsInvisible(char c) =>
        char.IsControl(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format;

    // The path as it can be shown: every control or formatting character spelled as \uXXXX.
    private static string Visible(string path)
    {
        var shown = new StringBuilder(path.Length);
        foreach (var c in path)
        {
            if (IsInvisible(c))
            {
                shown.Append($"\\u{(int)c:X4}");
            }
            else
            {
                shown.Append(c);
            }
        }

        return shown.ToString();
    }
}
