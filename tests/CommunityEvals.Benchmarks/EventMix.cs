using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CommunityEvals.Contracts.Events;
using CommunityEvals.Formats;

namespace CommunityEvals.Benchmarks;

/// <summary>One append: events for one stream (<see cref="Starts"/>: the stream is new).</summary>
public sealed record Append(string Stream, bool Starts, object[] Events);

/// <summary>
/// A realistic event log as the services would have written it, generated without HTTP: accounts,
/// then benchmarks (dataset repo, <c>eval.yaml</c> commit, registration) and model repos, then a
/// long mix of result commits to main, pull requests opened, updated, commented, closed, reopened
/// and merged by community users, results hidden and unhidden, and now and then a benchmark
/// updated. Result ids, files and definitions are made as ingestion makes them (the definitions
/// and result items are parsed by the real format parser); the same seed gives the same log.
/// </summary>
public sealed class EventMix
{
    private const string ModelKind = "model";
    private const string DatasetKind = "dataset";
    private static readonly string[] TaskIds = ["main", "hard", "extended"];

    private readonly Random _random = new(20_260_301);
    private readonly List<string> _orgs = [];
    private readonly List<string> _users = [];
    private readonly List<BenchmarkState> _benchmarks = [];
    private readonly List<ModelState> _models = [];
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    public EventMix(long events, int benchmarks, int models)
    {
        Events = events;
        BenchmarkCount = benchmarks;
        ModelCount = models;
    }

    public long Events { get; }

    public int BenchmarkCount { get; }

    public int ModelCount { get; }

    /// <summary>Events generated so far, by type name.</summary>
    public IReadOnlyDictionary<string, long> Counts => _counts;

    /// <summary>The appends, in order, until exactly <see cref="Events"/> events were produced.</summary>
    /// <summary>
    /// Appends the mix to <paramref name="store"/> in batches of about <paramref name="batchEvents"/>
    /// events, one session each, as <paramref name="actor"/>; the next batch is generated while the last
    /// is saved. Every <paramref name="reportEvery"/> a line says how far it got, with what
    /// <paramref name="progress"/> adds (null: nothing).
    /// </summary>
    public async Task AppendToAsync(
        Marten.IDocumentStore store, string actor, int batchEvents, TimeSpan reportEvery, Func<Task<string?>>? progress, CancellationToken cancellationToken)
    {
        var batch = new List<Append>();
        var events = 0;
        long done = 0;
        var saving = Task.CompletedTask;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var reported = TimeSpan.Zero;
        foreach (var append in Generate())
        {
            batch.Add(append);
            events += append.Events.Length;
            if (events < batchEvents)
            {
                continue;
            }

            await saving;
            cancellationToken.ThrowIfCancellationRequested();
            saving = SaveAsync(store, actor, batch);
            done += events;
            batch = [];
            events = 0;
            if (clock.Elapsed - reported > reportEvery)
            {
                reported = clock.Elapsed;
                var more = progress is null ? null : await progress();
                Console.WriteLine(FormattableString.Invariant($"  {done:N0} events ({done / clock.Elapsed.TotalSeconds:F0}/s){(more is null ? "" : "; " + more)}"));
            }
        }

        await saving;
        if (batch.Count > 0)
        {
            await SaveAsync(store, actor, batch);
        }
    }

    private static async Task SaveAsync(Marten.IDocumentStore store, string actor, List<Append> batch)
    {
        await Task.Yield();
        await using var session = store.LightweightSession();
        session.LastModifiedBy = actor;
        foreach (var append in batch)
        {
            if (append.Starts)
            {
                session.Events.StartStream(append.Stream, append.Events);
            }
            else
            {
                session.Events.Append(append.Stream, append.Events);
            }
        }

        await session.SaveChangesAsync();
    }

    public IEnumerable<Append> Generate()
    {
        long produced = 0;
        foreach (var append in Setup().Concat(Activity()))
        {
            var events = append.Events;
            if (produced + events.Length > Events)
            {
                events = events[..(int)(Events - produced)];
                if (events.Length == 0)
                {
                    yield break;
                }

            }

            foreach (var @event in events)
            {
                var name = @event.GetType().Name;
                _counts[name] = _counts.GetValueOrDefault(name) + 1;
            }

            produced += events.Length;
            yield return append with { Events = events };
            if (produced >= Events)
            {
                yield break;
            }
        }
    }

    private IEnumerable<Append> Setup()
    {
        var orgCount = Math.Clamp((BenchmarkCount + ModelCount) / 25, 4, 60);
        for (var i = 0; i < orgCount * 2; i++)
        {
            var user = $"user-{i:D3}";
            _users.Add(user);
            yield return new Append(StreamKeys.User(user), true, [new UserCreated(user)]);
        }

        for (var i = 0; i < orgCount; i++)
        {
            var org = $"org-{i:D3}";
            _orgs.Add(org);
            yield return new Append(StreamKeys.Org(org), true, [new OrgCreated(org), new OrgMemberAdded(org, _users[i])]);
        }

        var parser = new FormatParser();
        var templates = new Dictionary<string, BenchmarkDefinition>(StringComparer.Ordinal);
        for (var i = 0; i < BenchmarkCount; i++)
        {
            var org = _orgs[i % _orgs.Count];
            var name = $"bench-{i:D4}";
            var datasetId = $"{org}/{name}";
            var tasks = TaskIds[..(1 + (i % 5 == 0 ? 2 : i % 3 == 0 ? 1 : 0))];
            var yaml = EvalYaml(name, tasks, higherIsBetter: i % 17 != 0);
            var definition = parser.ParseBenchmark("eval.yaml", Encoding.UTF8.GetBytes(yaml));
            if (definition.Value is null)
            {
                throw new InvalidOperationException($"the generated eval.yaml does not parse: {string.Join("; ", definition.Errors.Select(e => e.Message))}");
            }

            templates[datasetId] = definition.Value;
            var benchmark = new BenchmarkState(datasetId, tasks, yaml, JsonSerializer.SerializeToElement(definition.Value.Data))
            {
                Ease = [.. tasks.Select(_ => 0.5 + _random.NextDouble() / 2)],
            };
            _benchmarks.Add(benchmark);
            var repo = StreamKeys.Repo(DatasetKind, datasetId);
            yield return new Append(repo, true, [new RepoCreated(datasetId, DatasetKind, org, true)]);
            var commit = Changes(null, [File("eval.yaml", yaml)], []);
            benchmark.Head = commit.CommitOid;
            yield return new Append(repo, false, [new MainCommitted(datasetId, DatasetKind, commit, false, null)]);
            yield return new Append(StreamKeys.Benchmark(datasetId), true, [new BenchmarkRegistered(datasetId, commit.CommitOid, benchmark.Definition)]);
        }

        // Each benchmark's result items as the parser reads them, to copy with other values.
        var catalog = new BenchmarkCatalog(templates);
        foreach (var benchmark in _benchmarks)
        {
            var items = parser.ParseResults(ResultsPath(benchmark), Encoding.UTF8.GetBytes(ResultsYaml(benchmark, [.. benchmark.Tasks.Select(_ => 50.0)])), catalog);
            if (items.Value is not { Count: > 0 } parsed)
            {
                throw new InvalidOperationException($"the generated results do not parse: {string.Join("; ", items.Errors.Select(e => e.Message))}");
            }

            benchmark.ItemTemplates = [.. parsed.Select(item => item.Data)];
        }

        for (var i = 0; i < ModelCount; i++)
        {
            var org = _orgs[(i * 7) % _orgs.Count];
            var repo = $"{org}/model-{i:D5}";
            // A few benchmarks each, popular ones more often.
            var count = Math.Min(BenchmarkCount, 3 + _random.Next(10));
            var chosen = new HashSet<int>();
            while (chosen.Count < count)
            {
                chosen.Add((int)(BenchmarkCount * Math.Pow(_random.NextDouble(), 2)));
            }

            var model = new ModelState(repo, org, [.. chosen.Order()], _random.NextDouble());
            _models.Add(model);
            yield return new Append(model.Stream, true, [new RepoCreated(repo, ModelKind, org, true)]);
        }
    }

    private IEnumerable<Append> Activity()
    {
        while (true)
        {
            var roll = _random.NextDouble() * 100;
            if (roll is >= 34 and < 34.5)
            {
                foreach (var benchmarkAppend in UpdateBenchmark(_benchmarks[_random.Next(_benchmarks.Count)]))
                {
                    yield return benchmarkAppend;
                }

                continue;
            }

            var model = _models[_random.Next(_models.Count)];
            var append = roll switch
            {
                < 12 => OpenPullRequest(model),
                < 15 => UpdatePullRequest(model),
                < 22 => ClosePullRequest(model),
                < 23 => ReopenPullRequest(model),
                < 25 => MergePullRequest(model),
                < 30 => CommentPullRequest(model),
                < 33 => Hide(model),
                < 34 => Unhide(model),
                _ => CommitToMain(model),
            };
            yield return append ?? CommitToMain(model);
        }
    }

    private Append CommitToMain(ModelState model)
    {
        var benchmark = _benchmarks[model.Benchmarks[_random.Next(model.Benchmarks.Length)]];
        var (file, results) = ResultsFile(model, benchmark, "main");
        var commit = Changes(model.Head, [file], results);
        model.Head = commit.CommitOid;
        model.Main[file.Path] = [.. results.Select(r => r.ResultId)];
        return new Append(model.Stream, false, [new MainCommitted(model.Repo, ModelKind, commit, false, null)]);
    }

    private Append OpenPullRequest(ModelState model)
    {
        var number = model.NextDiscussion++;
        var benchmark = _benchmarks[model.Benchmarks[_random.Next(model.Benchmarks.Length)]];
        var (file, results) = ResultsFile(model, benchmark, $"refs/pr/{number}");
        var commit = Changes(model.Head, [file], results);
        var author = _users[_random.Next(_users.Count)];
        model.Open.Add(new PullRequestState(number, benchmark, file.Path, commit.CommitOid));
        return new Append(model.Stream, false, [new PullRequestOpened(model.Repo, ModelKind, number, "Add evaluation results", author, commit)]);
    }

    private Append? UpdatePullRequest(ModelState model)
    {
        if (model.Open.Count == 0)
        {
            return null;
        }

        var pullRequest = model.Open[_random.Next(model.Open.Count)];
        var (file, results) = ResultsFile(model, pullRequest.Benchmark, $"refs/pr/{pullRequest.Number}");
        var commit = Changes(pullRequest.Head, [file], results);
        pullRequest.Head = commit.CommitOid;
        return new Append(model.Stream, false, [new PullRequestUpdated(model.Repo, ModelKind, pullRequest.Number, commit)]);
    }

    private Append? ClosePullRequest(ModelState model)
    {
        if (model.Open.Count == 0)
        {
            return null;
        }

        var pullRequest = model.Open[_random.Next(model.Open.Count)];
        model.Open.Remove(pullRequest);
        model.Closed.Add(pullRequest);
        return new Append(model.Stream, false, [new PullRequestClosed(model.Repo, ModelKind, pullRequest.Number, _random.Next(2) == 0 ? "Not reproducible" : null)]);
    }

    private Append? ReopenPullRequest(ModelState model)
    {
        if (model.Closed.Count == 0)
        {
            return null;
        }

        var pullRequest = model.Closed[_random.Next(model.Closed.Count)];
        model.Closed.Remove(pullRequest);
        model.Open.Add(pullRequest);
        return new Append(model.Stream, false, [new PullRequestReopened(model.Repo, ModelKind, pullRequest.Number, null)]);
    }

    private Append? MergePullRequest(ModelState model)
    {
        if (model.Open.Count == 0)
        {
            return null;
        }

        var pullRequest = model.Open[_random.Next(model.Open.Count)];
        model.Open.Remove(pullRequest);
        var (file, results) = ResultsFile(model, pullRequest.Benchmark, "main");
        var commit = Changes(model.Head, [file], results);
        model.Head = commit.CommitOid;
        model.Main[file.Path] = [.. results.Select(r => r.ResultId)];
        var mergedFrom = results.ToDictionary(
            r => r.ResultId,
            r => ResultId(model.Repo, $"refs/pr/{pullRequest.Number}", r.Path, r.Index),
            StringComparer.Ordinal);
        return new Append(model.Stream, false, [new PullRequestMerged(model.Repo, ModelKind, pullRequest.Number, commit, mergedFrom, null)]);
    }

    private Append? CommentPullRequest(ModelState model)
    {
        var all = model.Open.Concat(model.Closed).ToList();
        if (all.Count == 0)
        {
            return null;
        }

        var pullRequest = all[_random.Next(all.Count)];
        return new Append(model.Stream, false, [new PullRequestCommented(model.Repo, ModelKind, pullRequest.Number, "Could you share the eval log?")]);
    }

    private Append? Hide(ModelState model)
    {
        var visible = model.Main.Values.SelectMany(ids => ids).Where(id => !model.Hidden.Contains(id)).ToList();
        if (visible.Count == 0)
        {
            return null;
        }

        var id = visible[_random.Next(visible.Count)];
        model.Hidden.Add(id);
        return new Append(model.Stream, false, [new ResultHidden(model.Repo, id, "Evaluated on a contaminated split")]);
    }

    private Append? Unhide(ModelState model)
    {
        if (model.Hidden.Count == 0)
        {
            return null;
        }

        var id = model.Hidden.First();
        model.Hidden.Remove(id);
        return new Append(model.Stream, false, [new ResultUnhidden(model.Repo, id)]);
    }

    private IEnumerable<Append> UpdateBenchmark(BenchmarkState benchmark)
    {
        var yaml = benchmark.Yaml + $"# revised {benchmark.Revision++}\n";
        var commit = Changes(benchmark.Head, [File("eval.yaml", yaml)], []);
        benchmark.Head = commit.CommitOid;
        yield return new Append(StreamKeys.Repo(DatasetKind, benchmark.DatasetId), false, [new MainCommitted(benchmark.DatasetId, DatasetKind, commit, false, null)]);
        yield return new Append(StreamKeys.Benchmark(benchmark.DatasetId), false, [new BenchmarkUpdated(benchmark.DatasetId, commit.CommitOid, benchmark.Definition)]);
    }

    private (CommittedFile File, List<ResultEntry> Results) ResultsFile(ModelState model, BenchmarkState benchmark, string refName)
    {
        // A model scores near its own level on each task: its quality and the task's difficulty, plus run-to-run noise.
        var values = benchmark.Tasks
            .Select((_, task) => Math.Round(Math.Clamp(
                20 + 75 * model.Quality * benchmark.Ease[task] + Noise(1.5), 0, 100), 1))
            .ToArray();
        var path = ResultsPath(benchmark);
        var results = new List<ResultEntry>(values.Length);
        for (var index = 0; index < values.Length; index++)
        {
            var data = (JsonObject)benchmark.ItemTemplates[index].DeepClone();
            data["value"] = values[index];
            results.Add(new ResultEntry(
                ResultId(model.Repo, refName, path, index),
                path,
                index,
                benchmark.DatasetId,
                benchmark.Tasks[index],
                values[index],
                values[index].ToString("0.0", CultureInfo.InvariantCulture),
                null,
                false,
                JsonSerializer.SerializeToElement(data)));
        }

        return (File(path, ResultsYaml(benchmark, values)), results);
    }

    /// <summary>Normally distributed noise (Box-Muller).</summary>
    private double Noise(double sigma) =>
        sigma * Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());

    private CommitChanges Changes(string? parent, IReadOnlyList<CommittedFile> files, IReadOnlyList<ResultEntry> results) =>
        new(Oid(), parent, "Upload evaluation results", null, files, [], results, [], []);

    private string Oid()
    {
        Span<byte> bytes = stackalloc byte[20];
        _random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    private static CommittedFile File(string path, string content) =>
        new(path, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content))), content);

    /// <summary>As ingestion derives it: stable for (repo, ref, file, item index).</summary>
    private static string ResultId(string repo, string refName, string path, int index)
    {
        var key = $"{ModelKind}/{repo}\n{refName}\n{path}\n{index.ToString(CultureInfo.InvariantCulture)}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];
    }

    private static string ResultsPath(BenchmarkState benchmark) => $".eval_results/{benchmark.DatasetId.Replace('/', '-')}.yaml";

    private static string ResultsYaml(BenchmarkState benchmark, double[] values)
    {
        var text = new StringBuilder();
        for (var i = 0; i < values.Length; i++)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"- dataset:\n    id: {benchmark.DatasetId}\n    task_id: {benchmark.Tasks[i]}\n  value: {values[i]:0.0}\n  date: '2026-03-01'\n  source:\n    url: https://example.org/{benchmark.DatasetId}\n    name: Eval run\n");
        }

        return text.ToString();
    }

    private static string EvalYaml(string name, string[] tasks, bool higherIsBetter)
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"name: {name}\ndescription: A generated benchmark.\nevaluation_framework: inspect-ai\ntasks:\n");
        foreach (var task in tasks)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"  - id: {task}\n    field_spec: {{input: question, target: answer}}\n    solvers: [{{name: generate}}]\n    scorers: [{{name: match}}]\n");
        }

        text.Append("leaderboard:\n");
        foreach (var task in tasks)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"  {task}: {{metric: accuracy, range: [0, 100]{(higherIsBetter ? "" : ", higher_is_better: false")}}}\n");
        }

        return text.ToString();
    }

    private sealed class BenchmarkState(string datasetId, string[] tasks, string yaml, JsonElement definition)
    {
        public string DatasetId { get; } = datasetId;
        public string[] Tasks { get; } = tasks;
        public string Yaml { get; } = yaml;
        public JsonElement Definition { get; } = definition;
        public string? Head { get; set; }
        public int Revision { get; set; } = 1;
        public JsonObject[] ItemTemplates { get; set; } = [];

        /// <summary>Per task, 0.5..1: how much of a model's quality shows in its score.</summary>
        public double[] Ease { get; init; } = [];
    }

    private sealed class ModelState(string repo, string org, int[] benchmarks, double quality)
    {
        /// <summary>0..1: how good the model is, everywhere.</summary>
        public double Quality { get; } = quality;

        public string Repo { get; } = repo;
        public string Org { get; } = org;
        public string Stream { get; } = StreamKeys.Repo(ModelKind, repo);
        public int[] Benchmarks { get; } = benchmarks;
        public string? Head { get; set; }
        public int NextDiscussion { get; set; } = 1;
        public List<PullRequestState> Open { get; } = [];
        public List<PullRequestState> Closed { get; } = [];
        public Dictionary<string, string[]> Main { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Hidden { get; } = new(StringComparer.Ordinal);
    }

    private sealed class PullRequestState(int number, BenchmarkState benchmark, string path, string head)
    {
        public int Number { get; } = number;
        public BenchmarkState Benchmark { get; } = benchmark;
        public string Path { get; } = path;
        public string Head { get; set; } = head;
    }
}
