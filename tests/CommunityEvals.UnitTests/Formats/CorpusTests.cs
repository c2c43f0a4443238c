using System.Diagnostics;
using System.Text.Json;
using CommunityEvals.Formats;

namespace CommunityEvals.UnitTests.Formats;

// Replays Corpus/corpus.json: every hostile or malformed file must get the outcome the manifest
// expects (refused with the field it names, or accepted), fast and without an exception.
public class CorpusTests
{
    private static readonly Lazy<Manifest> Loaded = new(Load);

    private static Manifest Load()
    {
        var json = File.ReadAllText(Path.Combine(FormatsTestData.Corpus, "corpus.json"));
        return JsonSerializer.Deserialize<Manifest>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    private static readonly Lazy<BenchmarkCatalog> Catalog = new(() =>
        FormatsTestData.CatalogFrom(Loaded.Value.Catalog.Select(c => (c.DatasetId, Path.Combine(FormatsTestData.Corpus, c.File)))));

    public static TheoryData<string> Files() => new(Loaded.Value.Files.Select(f => f.File));

    [Fact]
    public void The_corpus_has_at_least_500_files_all_present_and_under_8_MB()
    {
        var files = Loaded.Value.Files;
        Assert.True(files.Count >= 500, $"{files.Count} files");
        // Over HTTP a results file is committed under its own name, so names are unique without folders.
        Assert.Equal(files.Count, files.Select(f => Path.GetFileName(f.File)).Distinct().Count());
        Assert.All(files, f =>
        {
            Assert.True(File.Exists(Path.Combine(FormatsTestData.Corpus, f.File)), f.File);
            Assert.Contains(f.Kind, new[] { "results", "benchmark", "card" });
            Assert.Contains(f.Expect, new[] { "invalid", "too-large", "valid" });
            Assert.Equal(f.Expect switch { "too-large" => 413, "valid" => 200, _ => 422 }, f.Status);
            Assert.False(string.IsNullOrWhiteSpace(f.About));
        });
        var listed = files.Select(f => f.File).Concat(Loaded.Value.Catalog.Select(c => c.File)).Append("corpus.json").Order();
        var onDisk = Directory.GetFiles(FormatsTestData.Corpus, "*", SearchOption.AllDirectories)
            .Where(p => !Path.GetFileName(p).StartsWith('.'))
            .Select(p => Path.GetRelativePath(FormatsTestData.Corpus, p).Replace('\\', '/')).Order();
        Assert.Equal(listed, onDisk);
        Assert.True(Directory.GetFiles(FormatsTestData.Corpus, "*", SearchOption.AllDirectories).Sum(p => new FileInfo(p).Length) < 8_000_000);
    }

    [Fact]
    public void The_corpus_catalog_benchmarks_are_valid()
    {
        // CatalogFrom asserts that each one parses without errors.
        Assert.All(Loaded.Value.Catalog, c => Assert.NotNull(Catalog.Value.Find(c.DatasetId)));
        Assert.Equal(new ValueRange(0, 100), Catalog.Value.Find("corpus/percent")!.FindTask("main")!.Leaderboard.Range);
        Assert.Equal(new ValueRange(0, 1), Catalog.Value.Find("corpus/fraction")!.FindTask("main")!.Leaderboard.Range);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_corpus_file_gets_its_expected_outcome_quickly_and_without_an_exception(string file)
    {
        var entry = Loaded.Value.Files.Single(f => f.File == file);
        var content = File.ReadAllBytes(Path.Combine(FormatsTestData.Corpus, file));
        var catalog = Catalog.Value;
        WarmUp();

        var watch = Stopwatch.StartNew();
        var (errors, tooLarge, valid) = entry.Kind switch
        {
            "results" => Summarise(FormatsTestData.Parser.ParseResults(".eval_results/" + Path.GetFileName(file), content, catalog)),
            "card" => Summarise(FormatsTestData.Parser.ParseModelCard("README.md", content, catalog)),
            _ => Summarise(FormatsTestData.Parser.ParseBenchmark("eval.yaml", content)),
        };
        watch.Stop();

        Assert.True(valid == (entry.Expect == "valid"), $"{file}: expected {entry.Expect}, errors: {string.Join(" | ", errors)}");
        Assert.True(valid ? errors.Count == 0 : errors.Count > 0);
        // The target is well under a second (about 0.3 s at worst on an idle two-core machine); the
        // bound is loose because other test classes run beside this one, and what it must catch
        // (expansion bombs, runaway recursion) would take minutes, not seconds.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{file} took {watch.ElapsedMilliseconds} ms");
        Assert.Equal(entry.Expect == "too-large", tooLarge);
        if (entry.Field is not null)
        {
            var withField = errors.Where(e => e.Field == entry.Field).ToList();
            Assert.True(withField.Count > 0, $"no error for field '{entry.Field}' in: {string.Join(" | ", errors)}");
            if (entry.Item is not null)
            {
                Assert.Contains(withField, e => e.Item == entry.Item);
            }
        }
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Message)));
    }

    private static (IReadOnlyList<FormatIssue>, bool, bool) Summarise<T>(ParseOutcome<T> outcome) where T : class =>
        (outcome.Errors, outcome.TooLarge, outcome.IsValid);

    // The first parse of each kind pays for JIT; the one-second budget is about the input.
    private static void WarmUp() => WarmedUp.Value.ToString();

    private static readonly Lazy<bool> WarmedUp = new(() =>
    {
        var results = """
            - {dataset: {id: corpus/percent, task_id: main}, value: 1, notes: 'a', source: {url: "https://x.org"}}
            - dataset:
                id: corpus/percent
                task_id: main
              value: 2.5
              extra: [a, "b", {c: d}]
              more: |
                block
            """u8;
        var card = """
            ---
            license: mit
            model-index:
            - name: warm
              results:
              - dataset: {type: corpus/fraction}
                metrics: [{type: acc, value: 0.5}]
            ---
            # Warm
            """u8;
        for (var i = 0; i < 20; i++)
        {
            FormatsTestData.Parser.ParseResults("w.yaml", results, Catalog.Value);
            FormatsTestData.Parser.ParseModelCard("README.md", card, Catalog.Value);
            FormatsTestData.Parser.ParseBenchmark("eval.yaml", File.ReadAllBytes(Path.Combine(FormatsTestData.Corpus, "catalog", "corpus__percent.eval.yaml")));
        }
        return true;
    });

    private sealed record Manifest(string About, IReadOnlyList<CatalogEntry> Catalog, IReadOnlyList<CorpusFile> Files);

    private sealed record CatalogEntry(string DatasetId, string File);

    private sealed record CorpusFile(string File, string Kind, string Expect, int Status, string? Field, int? Item, string About);
}
