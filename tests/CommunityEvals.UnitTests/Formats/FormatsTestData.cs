using System.Runtime.CompilerServices;
using System.Text;
using CommunityEvals.Formats;

namespace CommunityEvals.UnitTests.Formats;

// Locates Fixtures/ and Corpus/: in the build output when they are copied there, else in the
// source tree next to this file (the test project's csproj is shared, so it does not copy them).
internal static class FormatsTestData
{
    public static string Root { get; } = Locate();

    public static string Fixtures => Path.Combine(Root, "Fixtures");

    public static string Corpus => Path.Combine(Root, "Corpus");

    public static FormatParser Parser { get; } = new();

    public static ParseOutcome<BenchmarkDefinition> Benchmark(string yaml) => Parser.ParseBenchmark("eval.yaml", Encoding.UTF8.GetBytes(yaml));

    public static ParseOutcome<IReadOnlyList<ResultItem>> Results(string yaml, IBenchmarkCatalog? catalog = null) =>
        Parser.ParseResults(".eval_results/test.yaml", Encoding.UTF8.GetBytes(yaml), catalog ?? HubCatalog);

    /// <summary>The Hub benchmark fixtures, keyed by the dataset id their file name encodes (org__name.eval.yaml).</summary>
    public static BenchmarkCatalog HubCatalog { get; } = CatalogFrom(
        Directory.GetFiles(Path.Combine(Fixtures, "benchmarks"), "*.eval.yaml")
            .Select(f => (Path.GetFileName(f)[..^".eval.yaml".Length].Replace("__", "/"), f)));

    public static BenchmarkCatalog CatalogFrom(IEnumerable<(string DatasetId, string Path)> files) =>
        new(files.Select(x =>
        {
            var parsed = Parser.ParseBenchmark(System.IO.Path.GetFileName(x.Path), File.ReadAllBytes(x.Path));
            Assert.True(parsed.IsValid, string.Join("\n", parsed.Errors));
            return KeyValuePair.Create(x.DatasetId, parsed.Value!);
        }));

    private static string Locate([CallerFilePath] string sourceFile = "")
    {
        var output = Path.Combine(AppContext.BaseDirectory, "Formats");
        if (File.Exists(Path.Combine(output, "Corpus", "corpus.json")))
        {
            return output;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "Formats");
            if (File.Exists(Path.Combine(candidate, "Corpus", "corpus.json")))
            {
                return candidate;
            }
        }
        return Path.GetDirectoryName(sourceFile)!;
    }
}
