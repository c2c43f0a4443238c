using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CommunityEvals.UnitTests.Formats;

// Corpus/shapes/ and its entries in corpus.json are CorpusShapes' output, committed so they can be
// read. This fails when they drift from the generator; CORPUS_SHAPES_WRITE=1 writes them anew into
// the source tree (rebuild afterwards, so the copy the tests read is refreshed):
//   CORPUS_SHAPES_WRITE=1 dotnet test tests/CommunityEvals.UnitTests --filter FullyQualifiedName~CorpusShapesTests
public class CorpusShapesTests
{
    private static readonly JsonSerializerOptions ManifestJson = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    [Fact]
    public void The_committed_shapes_are_what_the_generator_makes()
    {
        var generated = CorpusShapes.Files();
        if (Environment.GetEnvironmentVariable("CORPUS_SHAPES_WRITE") == "1")
        {
            Write(SourceCorpus(), generated);
        }

        var corpus = FormatsTestData.Corpus;
        var folder = Path.Combine(corpus, CorpusShapes.Folder);
        Assert.Equal(
            generated.Select(file => file.File).Order(StringComparer.Ordinal),
            Directory.GetFiles(folder).Select(path => $"{CorpusShapes.Folder}/{Path.GetFileName(path)}").Order(StringComparer.Ordinal));
        Assert.All(generated, file => Assert.True(file.Content.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(corpus, file.File))),
            $"{file.File} differs from the generator's output"));

        var listed = ShapeEntries(JsonNode.Parse(File.ReadAllText(Path.Combine(corpus, "corpus.json")))!);
        Assert.Equal(generated.Select(file => Entry(file).ToJsonString()), listed.Select(entry => entry.ToJsonString()));
    }

    private static void Write(string corpus, IReadOnlyList<CorpusShapes.GeneratedFile> generated)
    {
        var folder = Path.Combine(corpus, CorpusShapes.Folder);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        foreach (var file in generated)
        {
            File.WriteAllBytes(Path.Combine(corpus, file.File), file.Content);
        }

        // Hand-written entries keep their place; the generated ones follow them.
        var manifestPath = Path.Combine(corpus, "corpus.json");
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        var files = manifest["files"]!.AsArray();
        foreach (var entry in ShapeEntries(manifest))
        {
            files.Remove(entry);
        }

        foreach (var file in generated)
        {
            files.Add(Entry(file));
        }

        File.WriteAllText(manifestPath, manifest.ToJsonString(ManifestJson) + "\n");
    }

    private static List<JsonNode> ShapeEntries(JsonNode manifest) =>
        manifest["files"]!.AsArray()
            .Where(entry => entry!["file"]!.GetValue<string>().StartsWith(CorpusShapes.Folder + "/", StringComparison.Ordinal))
            .Select(entry => entry!)
            .ToList();

    private static JsonObject Entry(CorpusShapes.GeneratedFile file)
    {
        var entry = new JsonObject
        {
            ["file"] = file.File,
            ["kind"] = file.Kind,
            ["expect"] = file.Outcome.Expect,
            ["status"] = file.Outcome.Status,
        };
        if (file.Outcome.Field is { } field)
        {
            entry["field"] = field;
        }

        if (file.Outcome.Item is { } item)
        {
            entry["item"] = item;
        }

        entry["about"] = file.About;
        return entry;
    }

    private static string SourceCorpus([CallerFilePath] string sourceFile = "") =>
        Path.Combine(Path.GetDirectoryName(sourceFile)!, "Corpus");
}
