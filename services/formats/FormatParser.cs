using System.Runtime.ExceptionServices;
using CommunityEvals.Formats.Validation;
using CommunityEvals.Formats.Yaml;

namespace CommunityEvals.Formats;

/// <summary>
/// Reads the Hub formats CommunityEvals accepts from raw, untrusted bytes. Thread-safe; one
/// instance can serve a whole service. No method throws for bad input: every problem is in the
/// returned <see cref="ParseOutcome{T}"/>.
/// </summary>
public sealed class FormatParser
{
    private readonly IReadOnlyList<string> _frameworks;

    public FormatParser(FormatOptions? options = null)
    {
        Options = options ?? new FormatOptions();
        _frameworks = Options.EvaluationFrameworks ?? FormatOptions.DefaultEvaluationFrameworks;
    }

    public FormatOptions Options { get; }

    /// <summary>A dataset repo's <c>eval.yaml</c>.</summary>
    /// <param name="file">The path to name in issues, e.g. <c>eval.yaml</c>.</param>
    public ParseOutcome<BenchmarkDefinition> ParseBenchmark(string file, ReadOnlySpan<byte> content)
    {
        var issues = new IssueCollector(file, Options.Limits);
        var text = Decode(file, content, issues);
        return text is null
            ? issues.Outcome<BenchmarkDefinition>(null)
            : Guard(issues, () => ReadYaml(text, issues, 0, root => BenchmarkValidator.Validate(root, _frameworks, issues)));
    }

    /// <summary>A model repo's <c>.eval_results/*.yaml</c>: a list of results, all valid or none.</summary>
    /// <param name="catalog">The registered benchmarks the results must refer to.</param>
    public ParseOutcome<IReadOnlyList<ResultItem>> ParseResults(string file, ReadOnlySpan<byte> content, IBenchmarkCatalog catalog)
    {
        var issues = new IssueCollector(file, Options.Limits);
        var text = Decode(file, content, issues);
        var guarded = new GuardedCatalog(catalog);
        return text is null
            ? issues.Outcome<IReadOnlyList<ResultItem>>(null)
            : Guard(issues, () => ReadYaml(text, issues, 0, root => EvalResultsValidator.Validate(root, guarded, issues, Options.Limits)));
    }

    /// <summary>
    /// A model repo's <c>README.md</c>: <c>base_model</c> and legacy <c>model-index</c> results from its
    /// front matter. A README without front matter is valid and yields an empty card.
    /// </summary>
    public ParseOutcome<ModelCard> ParseModelCard(string file, ReadOnlySpan<byte> content, IBenchmarkCatalog catalog)
    {
        var issues = new IssueCollector(file, Options.Limits);
        var text = Decode(file, content, issues);
        if (text is null)
        {
            return issues.Outcome<ModelCard>(null);
        }
        if (RefuseNul(text, issues))
        {
            return issues.Outcome<ModelCard>(null);
        }
        var guarded = new GuardedCatalog(catalog);
        return Guard(issues, () =>
        {
            var (frontMatter, lineOffset, error) = ModelCardValidator.Split(file, text);
            if (error is not null)
            {
                issues.Add(error);
                return null;
            }
            return frontMatter is null
                ? new ModelCard([], [], null)
                : ReadYaml(frontMatter, issues, lineOffset, root => ModelCardValidator.Validate(root, guarded, issues, Options.Limits));
        });
    }

    /// <summary>
    /// A dataset repo's <c>README.md</c>, read for what the pages show (<see cref="DatasetCard"/>). A
    /// card is accepted as text whatever its front matter says (see <see cref="ParseText"/>), so this
    /// never fails: a card it cannot read says nothing.
    /// </summary>
    public DatasetCard ParseDatasetCard(string file, string text)
    {
        var issues = new IssueCollector(file, Options.Limits);
        var (frontMatter, lineOffset, error) = ModelCardValidator.Split(file, text);
        if (error is not null || frontMatter is null)
        {
            return DatasetCard.Empty;
        }
        return Guard(issues, () => ReadYaml(frontMatter, issues, lineOffset, root => root is YMapping map
            ? new DatasetCard(Strings(map.Get("language")), Strings(map.Get("tags")))
            {
                TaskCategories = Strings(map.Get("task_categories")),
                License = Strings(map.Get("license")).FirstOrDefault(),
            }
            : DatasetCard.Empty)).Value ?? DatasetCard.Empty;

        static IReadOnlyList<string> Strings(YNode? node) => node switch
        {
            YScalar scalar when !YamlScalars.IsNull(scalar) && scalar.Value.Trim() is { Length: > 0 } one => [one],
            YSequence list => [.. list.Items.OfType<YScalar>().Where(item => !YamlScalars.IsNull(item)).Select(item => item.Value.Trim()).Where(item => item.Length > 0).Distinct()],
            _ => [],
        };
    }

    /// <summary>
    /// A file that is stored as text but not interpreted (a dataset repo's <c>README.md</c>): within
    /// the size limit, valid UTF-8 and free of NUL characters. The value is the decoded text.
    /// </summary>
    public ParseOutcome<string> ParseText(string file, ReadOnlySpan<byte> content)
    {
        var issues = new IssueCollector(file, Options.Limits);
        var text = Decode(file, content, issues);
        return issues.Outcome(text is null || RefuseNul(text, issues) ? null : text);
    }

    // Committed text is stored in the event log, and PostgreSQL text cannot hold U+0000: a README
    // (whose Markdown body the YAML reader never sees) is refused rather than failing the append.
    private static bool RefuseNul(string text, IssueCollector issues)
    {
        var at = text.IndexOf('\0');
        if (at < 0)
        {
            return false;
        }
        var before = text.AsSpan(0, at);
        issues.Add(new FormatIssue(issues.File, null, before.Count('\n') + 1, at - before.LastIndexOf('\n'), null,
            "The file contains a NUL character (U+0000); text files cannot hold one."));
        return true;
    }

    private string? Decode(string file, ReadOnlySpan<byte> content, IssueCollector issues)
    {
        var decoded = SafeYamlReader.Decode(file, content, Options.Limits);
        if (decoded.Error is not null)
        {
            issues.Add(decoded.Error, decoded.TooLarge);
        }
        return decoded.Text;
    }

    private T? ReadYaml<T>(string text, IssueCollector issues, int lineOffset, Func<YNode?, T?> validate) where T : class
    {
        var read = SafeYamlReader.Read(issues.File, text, Options.Limits, lineOffset);
        if (read.Error is not null)
        {
            issues.Add(read.Error);
            return null;
        }
        return validate(read.Root);
    }

    // Input that slips past every rule must still come back as a 422-style issue, not a 500; but a
    // failing catalog is the caller's infrastructure, so its exceptions go back to the caller unchanged.
    private static ParseOutcome<T> Guard<T>(IssueCollector issues, Func<T?> read) where T : class
    {
        try
        {
            return issues.Outcome(read());
        }
        catch (CatalogFailure failure)
        {
            ExceptionDispatchInfo.Capture(failure.InnerException!).Throw();
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            issues.Add(new FormatIssue(issues.File, null, null, null, null, $"The file could not be read ({e.GetType().Name})."));
            return issues.Outcome<T>(null);
        }
    }

    private sealed class GuardedCatalog(IBenchmarkCatalog inner) : IBenchmarkCatalog
    {
        public BenchmarkDefinition? Find(string datasetId)
        {
            try
            {
                return inner.Find(datasetId);
            }
            catch (Exception e)
            {
                throw new CatalogFailure(e);
            }
        }
    }

    private sealed class CatalogFailure(Exception inner) : Exception("The benchmark catalog failed.", inner);
}
