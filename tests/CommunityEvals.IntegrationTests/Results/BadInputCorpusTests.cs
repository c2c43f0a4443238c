using System.Diagnostics;
using System.Net;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;

namespace CommunityEvals.IntegrationTests.Results;

/// <summary>
/// Every hostile or malformed file of the formats corpus, committed through the gateway as a
/// Hub client would: a clear 4xx problem document, never a 500, and nothing appended.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class BadInputCorpusTests(StackFixture stack)
{
    private static readonly string CorpusDirectory = Path.Combine(AppContext.BaseDirectory, "Corpus");
    private static readonly SemaphoreSlim SetupGate = new(1, 1);
    private static (HttpClient Owner, string Model, string Dataset)? _setup;

    public static IEnumerable<object[]> Files()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(CorpusDirectory, "corpus.json")));
        return manifest.RootElement.GetProperty("files").EnumerateArray()
            .Select(file => new object[] { file.GetProperty("file").GetString()! })
            .ToList();
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Is_refused_with_a_problem_document_and_changes_nothing(string file)
    {
        var (owner, model, dataset) = await SetupAsync();
        var entry = Entry(file);
        var isResults = entry.GetProperty("kind").GetString() == "results";
        var (kind, repo, path) = isResults ? ("model", model, $".eval_results/{file}") : ("dataset", dataset, "eval.yaml");
        var content = await File.ReadAllBytesAsync(Path.Combine(CorpusDirectory, file));
        var eventsBefore = await EventStoreProbe.TotalAsync(stack);

        var clock = Stopwatch.StartNew();
        using var response = await owner.CommitFilesAsync(kind, repo, "main", [(path, content)], []);
        clock.Stop();

        Assert.Equal(entry.GetProperty("status").GetInt32(), (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.JsonAsync();
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("error").GetString()));
        var errors = problem.GetProperty("errors").EnumerateArray().ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, error => Assert.Equal(path, error.GetProperty("file").GetString()));
        if (entry.TryGetProperty("field", out var field))
        {
            Assert.Contains(errors, error => error.TryGetProperty("field", out var named) && named.GetString() == field.GetString());
        }

        // Other tests may append meanwhile only if they run concurrently, which this suite does not.
        Assert.Equal(eventsBefore, await EventStoreProbe.TotalAsync(stack));
        // Generous against a loaded two-core machine; the parser itself is held to one second in the unit tests.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
    }

    private static JsonElement Entry(string file)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(CorpusDirectory, "corpus.json")));
        return manifest.RootElement.GetProperty("files").EnumerateArray()
            .Single(entry => entry.GetProperty("file").GetString() == file).Clone();
    }

    /// <summary>The corpus names its benchmarks <c>corpus/percent</c> and <c>corpus/fraction</c>: register them once.</summary>
    private async Task<(HttpClient Owner, string Model, string Dataset)> SetupAsync()
    {
        await SetupGate.WaitAsync();
        try
        {
            if (_setup is { } ready)
            {
                return ready;
            }

            var owner = await stack.CreateUserAsync("corpus-owner", "corpus");
            using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(CorpusDirectory, "corpus.json")));
            foreach (var benchmark in manifest.RootElement.GetProperty("catalog").EnumerateArray())
            {
                var name = benchmark.GetProperty("datasetId").GetString()!.Split('/')[1];
                await owner.Client.CreateRepoAsync("dataset", name, "corpus");
                var definition = await File.ReadAllTextAsync(Path.Combine(CorpusDirectory, benchmark.GetProperty("file").GetString()!));
                using var registered = await owner.Client.CommitAsync("dataset", $"corpus/{name}", "main", "eval.yaml", definition);
                Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
            }

            var model = await owner.Client.CreateRepoAsync("model", "corpus-model", "corpus");
            var dataset = await owner.Client.CreateRepoAsync("dataset", "corpus-target", "corpus");
            _setup = (owner.Client, model, dataset);
            return _setup.Value;
        }
        finally
        {
            SetupGate.Release();
        }
    }
}
