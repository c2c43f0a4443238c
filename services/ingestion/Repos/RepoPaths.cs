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

    /// <summary>Null when the path is accepted, else why not.</summary>
    public static string? Refusal(string kind, string path)
    {
        if (path.Length == 0 || path.StartsWith('/') || path.Contains('\\') || path.Contains('\0')
            || path.Split('/').Any(segment => segment is "" or "." or ".."))
        {
            return $"'{path}' is not a valid repo path";
        }

        return kind switch
        {
            Model when path == Card || IsResultsFile(path) => null,
            Model => $"'{path}' is not accepted in a model repo: only README.md and .eval_results/*.yaml",
            Dataset when path is Card or BenchmarkDefinition => null,
            _ => $"'{path}' is not accepted in a dataset repo: only eval.yaml and README.md",
        };
    }
}
