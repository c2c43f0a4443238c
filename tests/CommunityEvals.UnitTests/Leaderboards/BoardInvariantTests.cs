using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Leaderboards;
using static CommunityEvals.UnitTests.Leaderboards.BoardLog;

namespace CommunityEvals.UnitTests.Leaderboards;

/// <summary>
/// The fold only looks at the boards an event can change (the datasets of the results it added,
/// removed, hid, verified, or whose pull request opened or closed). Whatever the history, every
/// board must still hold exactly what every model's results say when worked out from scratch, with
/// the contributors and the last changing event that a look at every board after every event gives.
/// </summary>
public sealed class BoardInvariantTests
{
    private static readonly string[] Models = ["org/m1", "org/m2", "other/m3", "org/m4"];
    private static readonly string[] Datasets = ["bench/a", "bench/b", "bench/c"];
    private static readonly string[] Tasks = [TaskId, "other"];
    private static readonly string[] Paths = [".eval_results/x.yaml", ".eval_results/y.yaml", ".eval_results/z.yaml"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Every_board_holds_what_every_model_says_after_every_event(int seed)
    {
        var random = new Random(seed);
        var log = new BoardLog();
        var history = new History();
        foreach (var dataset in Datasets)
        {
            Step(log, history, StreamOfBenchmark(dataset), Registered(dataset));
        }

        foreach (var model in Models)
        {
            Step(log, history, ModelStream(model), Created(model, ownerIsOrg: model.StartsWith("org/", StringComparison.Ordinal)));
        }

        var pullRequests = Models.ToDictionary(model => model, _ => new List<(int Number, string Status)>());
        for (var step = 0; step < 400; step++)
        {
            var model = Models[random.Next(Models.Length)];
            var stream = ModelStream(model);
            var prs = pullRequests[model];
            var page = log.World.Models[stream].Page;
            object data;
            switch (random.Next(12))
            {
                case 0 or 1 or 2 or 3:
                    data = ToMain(model, RandomCommit(random, model, "main", page.Results.Where(r => r.PullRequest is null).Select(r => r.ResultId).ToList()),
                        cardChanged: random.Next(5) == 0, baseModel: random.Next(2) == 0 ? ["org/base"] : null);
                    break;
                case 4:
                    var number = prs.Count + 1;
                    prs.Add((number, "open"));
                    data = Opened(model, number, RandomCommit(random, model, $"pr{number}", []));
                    break;
                case 5 when prs.Any(pr => pr.Status == "open"):
                    var open = prs.Where(pr => pr.Status == "open").ToList()[random.Next(prs.Count(pr => pr.Status == "open"))];
                    data = new PullRequestUpdated(model, "model", open.Number,
                        RandomCommit(random, model, $"pr{open.Number}", page.Results.Where(r => r.PullRequest == open.Number).Select(r => r.ResultId).ToList()));
                    break;
                case 6 when prs.Any(pr => pr.Status == "open"):
                    var closing = prs.First(pr => pr.Status == "open");
                    prs[prs.IndexOf(closing)] = (closing.Number, "closed");
                    data = Closed(model, closing.Number);
                    break;
                case 7 when prs.Any(pr => pr.Status == "closed"):
                    var reopening = prs.First(pr => pr.Status == "closed");
                    prs[prs.IndexOf(reopening)] = (reopening.Number, "open");
                    data = Reopened(model, reopening.Number);
                    break;
                case 8 when prs.Any(pr => pr.Status == "open"):
                    var merging = prs.Last(pr => pr.Status == "open");
                    prs[prs.IndexOf(merging)] = (merging.Number, "merged");
                    var fromPr = page.Results.Where(r => r.PullRequest == merging.Number).ToList();
                    var merged = fromPr.Select(r => Result($"{model}:main:{r.Path}:{r.Index}", r.Value, r.Path, r.Index, r.TaskId, r.DatasetId)).ToList();
                    data = Merged(model, merging.Number, Commit(merged),
                        fromPr.ToDictionary(r => r.ResultId, r => $"{model}:main:{r.Path}:{r.Index}"));
                    break;
                case 9 when page.Results.Count > 0:
                    data = new ResultHidden(model, page.Results[random.Next(page.Results.Count)].ResultId, "wrong split");
                    break;
                case 10 when page.Hidden.Count > 0:
                    data = new ResultUnhidden(model, page.Hidden[random.Next(page.Hidden.Count)].ResultId);
                    break;
                case 11 when page.Results.Count > 0:
                    var target = page.Results[random.Next(page.Results.Count)].ResultId;
                    var score = new RecomputedScore(random.Next(100), 0.01 * random.Next(1, 5), 100);
                    data = random.Next(2) == 0
                        ? new EvidenceVerified(target, model, $"e{step}", [], score, "token", 0)
                        : new EvidenceContradicted(target, model, $"e{step}", [], score, 3);
                    break;
                default:
                    var dataset = Datasets[random.Next(Datasets.Length)];
                    data = Updated(random.Next(2) == 0 ? Definition() : Definition(higherIsBetter: false), dataset);
                    stream = StreamOfBenchmark(dataset);
                    break;
            }

            Step(log, history, stream, data);
        }

        Assert.True(history.BoardChanges > 50, $"the random history changed boards only {history.BoardChanges} times");
    }

    private static string StreamOfBenchmark(string dataset) => StreamKeys.Benchmark(dataset);

    /// <summary>A commit to a ref that rewrites one or two files with one or two results each, sometimes deleting a file or retracting a result.</summary>
    private static CommitChanges RandomCommit(Random random, string model, string refName, IReadOnlyList<string> existing)
    {
        var files = Paths.OrderBy(_ => random.Next()).Take(random.Next(1, 3)).ToList();
        var results = files
            .SelectMany(path => Enumerable.Range(0, random.Next(1, 3)).Select(index => Result(
                $"{model}:{refName}:{path}:{index}",
                random.Next(4) == 0 ? 50 : random.Next(40, 90),
                path,
                index,
                Tasks[random.Next(Tasks.Length)],
                Datasets[random.Next(Datasets.Length)],
                verified: random.Next(6) == 0)))
            .ToList();
        var deleted = random.Next(6) == 0 ? Paths.Except(files).Take(1).ToList() : [];
        var retracted = random.Next(6) == 0 && existing.Count > 0 ? [existing[random.Next(existing.Count)]] : new List<string>();
        return Commit(results, files, deleted, retracted);
    }

    private static void Step(BoardLog log, History history, string stream, object data)
    {
        LeaderboardFold.Apply(log.World, stream, data, log.Next(data));
        history.Check(log, data);
    }

    /// <summary>What the boards must be, worked out from every model after every event.</summary>
    private sealed class History
    {
        private readonly Dictionary<string, List<BoardEntry>> _entries = new(StringComparer.Ordinal);
        private readonly Dictionary<string, SortedSet<string>> _contributors = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _lastChange = new(StringComparer.Ordinal);

        public int BoardChanges { get; private set; }

        public void Check(BoardLog log, object data)
        {
            var world = log.World;
            foreach (var dataset in Datasets)
            {
                var expected = StoredOrder(world.Models.Values
                    .SelectMany(model => LeaderboardModelRules.EntriesOf(model).GetValueOrDefault(dataset) ?? []));
                var contributors = _contributors.TryGetValue(dataset, out var known) ? known : _contributors[dataset] = new SortedSet<string>(StringComparer.Ordinal);
                var contributorsBefore = contributors.Count;
                contributors.UnionWith(world.Models.Values.Where(model => model.Datasets.Contains(dataset)).Select(model => model.Id));
                var entriesChanged = !_entries.TryGetValue(dataset, out var previous) || !previous.SequenceEqual(expected);
                var benchmarkEvent = data is BenchmarkRegistered registered && registered.DatasetId == dataset
                    || data is BenchmarkUpdated updated && updated.DatasetId == dataset;
                if ((entriesChanged && (previous is not null || expected.Count > 0)) || contributors.Count != contributorsBefore || benchmarkEvent)
                {
                    _lastChange[dataset] = log.Sequence;
                    BoardChanges++;
                }

                _entries[dataset] = expected;
                var board = world.Boards.GetValueOrDefault(dataset);
                var what = $"board {dataset} after event {log.Sequence} ({data.GetType().Name})";
                Assert.True(expected.SequenceEqual(board?.Entries ?? []), $"{what}: entries differ from the models' own");
                Assert.Equal(contributors.ToList(), board?.Contributors ?? []);
                Assert.True(_lastChange.GetValueOrDefault(dataset) == (board?.LastSequence ?? 0),
                    $"{what}: last changed by {board?.LastSequence}, expected {_lastChange.GetValueOrDefault(dataset)}");
            }
        }
    }

    /// <summary>A board's entries in their stored order: by model key, then result id.</summary>
    private static List<BoardEntry> StoredOrder(IEnumerable<BoardEntry> entries) =>
        [.. entries.OrderBy(entry => entry.ModelKey, StringComparer.Ordinal).ThenBy(entry => entry.ResultId, StringComparer.Ordinal)];
}
