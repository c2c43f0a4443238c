using System.Diagnostics;
using System.Net;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;

namespace CommunityEvals.IntegrationTests.Results;

/// <summary>
/// Every hostile or malformed file of the formats corpus, committed through the gateway as a
/// Hub client would: a clear 4xx problem document and nothing appended, or, for a hostile shape
/// the rules accept, 200 and exactly one commit's events; never a 500.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class BadInputCorpusTests(StackFixture stack)
{
    private static readonly string CorpusDirectory = Path.Combine(AppContext.BaseDirectory, "Corpus");
    private static readonly SemaphoreSlim SetupGate = new(1, 1);
    private static (HttpClient Owner, string Model, string CardModel, string Dataset)? _setup;

    public static IEnumerable<object[]> Files()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(CorpusDirectory, "corpus.json")));
        return manifest.RootElement.GetProperty("files").EnumerateArray()
            .Select(file => new object[] { file.GetProperty("file").GetString()! })
            .ToList();
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Gets_its_expected_answer_and_a_refusal_changes_nothing(string file)
    {
        var (owner, model, cardModel, dataset) = await SetupAsync();
        var entry = Entry(file);
        var kind = entry.GetProperty("kind").GetString();
        var (repoKind, repo, path) = kind switch
        {
            "results" => ("model", model, $".eval_results/{Path.GetFileName(file)}"),
            "card" => ("model", cardModel, "README.md"),
            _ => ("dataset", dataset, "eval.yaml"),
        };
        var content = await File.ReadAllBytesAsync(Path.Combine(CorpusDirectory, file));
        var eventsBefore = await EventStoreProbe.TotalAsync(stack);

        var clock = Stopwatch.StartNew();
        using var response = await owner.CommitFilesAsync(repoKind, repo, "main", [(path, content)], []);
        clock.Stop();

        var status = entry.GetProperty("status").GetInt32();
        Assert.True(status == (int)response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        // Generous against a loaded two-core machine; the parser itself is held to one second in the unit tests.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        if (status == 200)
        {
            // One commit: its MainCommitted, and for an eval.yaml the benchmark's registration or update.
            Assert.True((await response.JsonAsync()).GetProperty("success").GetBoolean());
            Assert.Equal(eventsBefore + (kind == "benchmark" ? 2 : 1), await EventStoreProbe.TotalAsync(stack));
            return;
        }

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
    }

    private static JsonElement Entry(string file)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(CorpusDirectory, "corpus.json")));
        return manifest.RootElement.GetProperty("files").EnumerateArray()
            .Single(entry => entry.GetProperty("file").GetString() == file).Clone();
    }

    /// <summary>The corpus names its benchmarks <c>corpus/percent</c> and <c>corpus/fraction</c>: register them once.</summary>
    private async Task<(HttpClient Owner, string Model, string CardModel, string Dataset)> SetupAsync()
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
            var cardModel = await owner.Client.CreateRepoAsync("model", "corpus-card", "corpus");
            var dataset = await owner.Client.CreateRepoAsync("dataset", "corpus-target", "corpus");
            _setup = (owner.Client, model, cardModel, dataset);
            return _setup.Value;
        }
        finally
        {
            SetupGate.Release();
        }
    }
}
