using CommunityEvals.Contracts;
using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Models;
using CommunityEvals.LeaderboardProjection.ScoreChanges;
using CommunityEvals.LeaderboardProjection.Shared;

namespace CommunityEvals.LeaderboardProjection.Leaderboards;

/// <summary>
/// The model and board documents a fold works on, held in memory. The projection fills it with
/// what a page of events can touch (see <see cref="LeaderboardFold.ModelKeysOf"/> and
/// <see cref="LeaderboardFold.DatasetsOf"/>); a replay starts it empty.
/// </summary>
public sealed class LeaderboardWorld
{
    public Dictionary<string, LeaderboardModel> Models { get; } = new(StringComparer.Ordinal);

    /// <summary>Boards by dataset id.</summary>
    public Dictionary<string, LeaderboardBoard> Boards { get; } = new(StringComparer.Ordinal);

    public HashSet<string> ChangedModels { get; } = new(StringComparer.Ordinal);

    /// <summary>Dataset ids of the boards that changed.</summary>
    public HashSet<string> ChangedBoards { get; } = new(StringComparer.Ordinal);

    /// <summary>Keys of models the store was asked for and does not have (not models, or not created yet).</summary>
    public HashSet<string> MissingModels { get; } = new(StringComparer.Ordinal);

    /// <summary>Dataset ids of boards the store was asked for and does not have.</summary>
    public HashSet<string> MissingBoards { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether the models' pages keep their file lists, and so are the repos' whole pages: the
    /// one-pass rebuild takes the model repos' <see cref="RepoPage"/> documents from them instead
    /// of folding every model event twice. Their files are dropped before the models are written.
    /// </summary>
    public bool KeepsPageFiles { get; init; }

    /// <summary>Each model's shape after the last event folded into it (in memory only; see <see cref="LeaderboardFold.ModelShape"/>).</summary>
    internal Dictionary<string, LeaderboardFold.ModelShape> Shapes { get; } = new(StringComparer.Ordinal);

    /// <summary>A shape no longer held by <see cref="Shapes"/>, whose array the next shape made takes over.</summary>
    internal LeaderboardFold.ModelShape? SpareShape { get; set; }

    /// <summary>Whether this holds every model and board there is (folded from the start of the log), so nothing need be loaded.</summary>
    public bool Complete { get; set; }

    /// <summary>The last event folded into it.</summary>
    public long Sequence { get; set; }

    /// <summary>When the last event folded into it happened.</summary>
    public DateTimeOffset Timestamp { get; set; }

    /// <summary>The last event of the documents as last written (the stored cursor, once that write commits).</summary>
    public long WrittenSequence { get; set; }

    /// <summary>The last event whose score changes were already stored when this was loaded: folding it again changes no row of the log.</summary>
    public long ChangesStoredThrough { get; set; }

    /// <summary>
    /// The native ranking of a board's task as it stands, by dataset id then task id: a task's rows
    /// after one event are its rows before the next that touches it. Kept only in memory; changed
    /// whenever the fold changes the board's entries or tasks.
    /// </summary>
    public Dictionary<(string DatasetId, string TaskId), IReadOnlyList<RankedRow>> NativeRows { get; } = [];

    public void ClearChanges()
    {
        ChangedModels.Clear();
        ChangedBoards.Clear();
    }

    public void Add(LeaderboardModel model) => Models[model.Id] = model;

    public void Add(LeaderboardBoard board) => Boards[board.DatasetId] = board;

    /// <summary>The board of a dataset, a new empty one when it has none yet.</summary>
    public LeaderboardBoard Board(string datasetId)
    {
        if (!Boards.TryGetValue(datasetId, out var board))
        {
            board = new LeaderboardBoard { Id = StreamKeys.Benchmark(datasetId), DatasetId = datasetId };
            Boards[datasetId] = board;
        }

        return board;
    }
}

/// <summary>
/// Folds one event into the leaderboards: the model's eligible results are recomputed with the
/// model-page rules and put on the boards they name; a benchmark's registration or update
/// replaces its tasks. Every native board row the event changed becomes a <see cref="ScoreChanged"/>.
/// The live projection and the <c>as_of</c> replay both fold with this, so they cannot differ.
/// </summary>
public static class LeaderboardFold
{
    /// <summary>The event types boards depend on (the replay reads only these).</summary>
    public static readonly IReadOnlyList<Type> EventTypes =
    [
        typeof(RepoCreated),
        typeof(RepoSettingsChanged),
        typeof(MainCommitted),
        typeof(PullRequestOpened),
        typeof(PullRequestUpdated),
        typeof(PullRequestClosed),
        typeof(PullRequestReopened),
        typeof(PullRequestMerged),
        typeof(ResultHidden),
        typeof(ResultUnhidden),
        typeof(BenchmarkRegistered),
        typeof(BenchmarkUpdated),
        typeof(EvidenceSubmitted),
        typeof(EvidenceVerified),
        typeof(EvidenceContradicted),
        typeof(EvidenceRejected),
    ];

    /// <summary><see cref="EventTypes"/> as event-store queries take them (<c>EventTypesAre</c>).</summary>
    internal static readonly Type[] EventTypesToQuery = [.. EventTypes];

    public static bool IsRepoEvent(object data) => data is RepoCreated or RepoSettingsChanged or MainCommitted or PullRequestOpened or PullRequestUpdated
        or PullRequestClosed or PullRequestReopened or PullRequestMerged or ResultHidden or ResultUnhidden
        or EvidenceSubmitted or EvidenceVerified or EvidenceContradicted or EvidenceRejected;

    /// <param name="streamKey">The event's stream: a repo's for repo events.</param>
    /// <param name="computeChanges">False when only the resulting boards matter (a replay).</param>
    /// <returns>The native board rows the event changed, numbered from 1.</returns>
    public static IReadOnlyList<ScoreChanged> Apply(LeaderboardWorld world, string streamKey, object data, EventInfo info, bool computeChanges = true)
    {
        var diffs = data switch
        {
            BenchmarkRegistered registered => ApplyBenchmark(world, registered.DatasetId, registered.CommitOid, registered.Definition, info, computeChanges),
            BenchmarkUpdated updated => ApplyBenchmark(world, updated.DatasetId, updated.CommitOid, updated.Definition, info, computeChanges),
            RepoCreated { Kind: DatasetKind, Private: true } created => ApplyDatasetVisibility(world, created.Repo, isPrivate: true, info),
            RepoSettingsChanged { Kind: DatasetKind } settings => ApplyDatasetVisibility(world, settings.Repo, settings.Private, info),
            _ when IsRepoEvent(data) => ApplyRepo(world, streamKey, data, info, computeChanges),
            _ => [],
        };
        return computeChanges && diffs.Count > 0 && ScoreChangeRules.CauseOf(data) is { } cause
            ? ScoreChangeRules.Number(diffs, cause, info.Sequence, info.Timestamp)
            : [];
    }

    /// <summary>The model documents events may touch: the streams of their repo events.</summary>
    public static IEnumerable<string> ModelKeysOf(IEnumerable<(string StreamKey, object Data)> events) =>
        events.Where(e => IsRepoEvent(e.Data)).Select(e => e.StreamKey).Distinct(StringComparer.Ordinal);

    /// <summary>
    /// The boards events may touch, given the models they belong to as they stand before them: every
    /// dataset a model's results name, every dataset the events' results name, every benchmark
    /// registered or updated. A model's entries only ever sit on boards its results name.
    /// </summary>
    public static IEnumerable<string> DatasetsOf(IEnumerable<object> events, IEnumerable<LeaderboardModel> models) =>
        models.SelectMany(model => model.Datasets)
            .Concat(events.SelectMany(data => data switch
            {
                MainCommitted e => e.Commit.Results.Select(result => result.DatasetId),
                PullRequestOpened e => e.Commit.Results.Select(result => result.DatasetId),
                PullRequestUpdated e => e.Commit.Results.Select(result => result.DatasetId),
                PullRequestMerged e => e.Commit.Results.Select(result => result.DatasetId),
                BenchmarkRegistered e => [e.DatasetId],
                BenchmarkUpdated e => [e.DatasetId],
                RepoCreated { Kind: DatasetKind, Private: true } e => [e.Repo],
                RepoSettingsChanged { Kind: DatasetKind } e => [e.Repo],
                _ => [],
            }))
            .Distinct(StringComparer.Ordinal);

    /// <summary>The rows of one registered task, ranked with the given filters.</summary>
    public static IReadOnlyList<RankedRow> Rank(LeaderboardBoard board, TaskSpec task, BoardFilter filter) =>
        LeaderboardRanking.Rank(
            board.Entries.Where(entry => entry.TaskId == task.Id).Select(entry => entry.ToCandidate()),
            task.ToScale(),
            filter);

    private const string DatasetKind = "dataset";

    /// <summary>
    /// A benchmark's dataset made private or public: its board says so (read routes show a private
    /// board to owners only; nothing of it is published), and is marked changed so cached copies go.
    /// </summary>
    private static List<BoardDiff> ApplyDatasetVisibility(LeaderboardWorld world, string datasetId, bool isPrivate, EventInfo info)
    {
        var board = world.Board(datasetId);
        if (board.Private != isPrivate)
        {
            board.Private = isPrivate;
            board.LastSequence = info.Sequence;
            board.UpdatedAt = info.Timestamp;
            world.ChangedBoards.Add(datasetId);
        }

        return [];
    }

    private static List<BoardDiff> ApplyRepo(LeaderboardWorld world, string streamKey, object data, EventInfo info, bool computeChanges)
    {
        var existing = world.Models.GetValueOrDefault(streamKey);
        // Taken before the fold changes the model in place: the shape the last event left, unless
        // the model was loaded or replaced since.
        var shapeBefore = existing is null
            ? null
            : world.Shapes.GetValueOrDefault(streamKey) is { } kept && kept.IsOf(existing) ? kept : ModelShape.Of(existing);
        var model = LeaderboardModelRules.Evolve(existing, streamKey, data, info, world.KeepsPageFiles);
        if (model is null)
        {
            return [];
        }

        world.Models[streamKey] = model;
        world.ChangedModels.Add(streamKey);
        var shapeAfter = ModelShape.Of(model, world.SpareShape);
        world.SpareShape = null;
        world.Shapes[streamKey] = shapeAfter;

        // Only the boards whose entries from this model can differ are looked at: a model's event
        // usually touches one or two of the many benchmarks its results name.
        var touched = shapeBefore?.DatasetsTouchedBy(shapeAfter) ?? model.Datasets.ToHashSet(StringComparer.Ordinal);
        var counting = shapeAfter.CountingIn(touched);
        // Nothing holds the shape before any more (the model's is the shape after): the next event's shape takes its array.
        world.SpareShape = shapeBefore;
        var diffs = new List<BoardDiff>();
        foreach (var datasetId in touched.Order(StringComparer.Ordinal))
        {
            var board = world.Board(datasetId);
            var changed = false;
            // Contributors are kept sorted, so a lookup is a binary search and a newcomer goes where it sorts.
            if (model.Datasets.Contains(datasetId, StringComparer.Ordinal)
                && board.Contributors.BinarySearch(streamKey, StringComparer.Ordinal) is var place and < 0)
            {
                board.Contributors.Insert(~place, streamKey);
                changed = true;
            }

            var (start, count) = RangeOf(board.Entries, streamKey);
            if (LeaderboardModelRules.EntriesOn(model, counting.GetValueOrDefault(datasetId) ?? [], board.Entries, start, count) is { } after)
            {
                var before = board.Entries.GetRange(start, count);
                var tasks = board.Tasks
                    .Where(task => before.Any(entry => entry.TaskId == task.Id) || after.Any(entry => entry.TaskId == task.Id))
                    .ToList();
                var rowsBefore = computeChanges ? tasks.Select(task => NativeRank(world, board, task)).ToList() : [];
                // Entries are kept by model key then result id, and a model's new ones are in that
                // order (see LeaderboardModelRules.EntriesOn): they take the place of its old ones.
                board.Entries.RemoveRange(start, count);
                board.Entries.InsertRange(start, after);
                // The entries differ, so one side has some; both name the same model.
                var modelId = (before.Count > 0 ? before[0] : after[0]).ModelId;
                for (var index = 0; index < tasks.Count; index++)
                {
                    var task = tasks[index];
                    if (computeChanges)
                    {
                        var rowsAfter = LeaderboardRanking.Rerank(
                            rowsBefore[index],
                            modelId,
                            after.Where(entry => entry.TaskId == task.Id).Select(entry => entry.ToCandidate()),
                            task.ToScale(),
                            BoardFilter.Native);
                        world.NativeRows[(datasetId, task.Id)] = rowsAfter;
                        diffs.Add(new BoardDiff(datasetId, task.Id, rowsBefore[index], rowsAfter, OnlyModel: modelId));
                    }
                    else
                    {
                        world.NativeRows.Remove((datasetId, task.Id));
                    }
                }

                changed = true;
            }

            if (changed)
            {
                board.LastSequence = info.Sequence;
                board.UpdatedAt = info.Timestamp;
                world.ChangedBoards.Add(datasetId);
            }
        }

        return diffs;
    }

    /// <summary>
    /// What a model's board entries are made of, as it stands after an event: its results (by
    /// reference: the page rules never change a result in place, they put a new one in its place),
    /// whether each counts and what evidence says of it, and what every entry shows of the repo.
    /// Compared with the shape before the event, the datasets of whatever differs are the only ones
    /// whose entries can. Kept in the world between events, it is the next event's shape before.
    /// </summary>
    internal sealed class ModelShape
    {
        private LeaderboardModel _model = null!;
        private (RepoResult Result, Standing Standing)[] _results = [];
        private int _count;
        private bool _isBaseModel;
        private string _owner = "";
        private bool _ownerIsOrg;
        private string _repo = "";

        private ModelShape()
        {
        }

        private void Take(LeaderboardModel model)
        {
            var page = model.Page;
            var standing = ResultStanding.Of(page);
            var count = page.Results.Count;
            if (_results.Length < count)
            {
                _results = new (RepoResult, Standing)[Math.Max(count, 2 * _results.Length)];
            }
            else
            {
                // What a longer page left is let go.
                Array.Clear(_results, count, _count - Math.Min(_count, count));
            }

            _model = model;
            _count = count;
            for (var index = 0; index < count; index++)
            {
                var result = page.Results[index];
                var evidence = LeaderboardModelRules.StandingOf(model, result);
                _results[index] = (result, new Standing(LeaderboardModelRules.CountsOnBoards(page, standing, result), evidence.Verified, evidence.Disputed, evidence.Stderr));
            }

            _isBaseModel = LeaderboardModelRules.IsBaseModel(page);
            _owner = page.Owner;
            _ownerIsOrg = page.OwnerIsOrg;
            _repo = page.Repo;
        }

        /// <summary>What an entry shows of a result besides the result itself.</summary>
        private readonly record struct Standing(bool Counts, bool Verified, bool Contradicted, double? Stderr);

        /// <param name="recycled">A shape no longer used, whose array this one may take over (the fold makes one per event).</param>
        public static ModelShape Of(LeaderboardModel model, ModelShape? recycled = null)
        {
            var shape = recycled ?? new ModelShape();
            shape.Take(model);
            return shape;
        }

        /// <summary>Whether this is the shape of that very model object (one loaded again is not).</summary>
        public bool IsOf(LeaderboardModel model) => ReferenceEquals(_model, model);

        /// <summary>The results on the boards (current and not hidden) that name these datasets, by dataset.</summary>
        public Dictionary<string, List<RepoResult>> CountingIn(IReadOnlySet<string> datasets)
        {
            var counting = new Dictionary<string, List<RepoResult>>(StringComparer.Ordinal);
            for (var index = 0; index < _count; index++)
            {
                var (result, standing) = _results[index];
                if (!standing.Counts || !datasets.Contains(result.DatasetId))
                {
                    continue;
                }

                if (!counting.TryGetValue(result.DatasetId, out var list))
                {
                    list = [];
                    counting[result.DatasetId] = list;
                }

                list.Add(result);
            }

            return counting;
        }

        public HashSet<string> DatasetsTouchedBy(ModelShape after)
        {
            var touched = new HashSet<string>(StringComparer.Ordinal);
            if (after._isBaseModel != _isBaseModel || after._owner != _owner || after._ownerIsOrg != _ownerIsOrg || after._repo != _repo)
            {
                // Shown by every entry.
                touched.UnionWith(_results.Take(_count).Select(pair => pair.Result.DatasetId));
                touched.UnionWith(after._results.Take(after._count).Select(pair => pair.Result.DatasetId));
                return touched;
            }

            // The page rules keep the results they do not replace in order and add new ones at the
            // end, so both lists are walked side by side. A result out of step counts as gone and
            // as new: its dataset is looked at for nothing, never missed.
            var next = 0;
            for (var index = 0; index < after._count; index++)
            {
                var (result, standing) = after._results[index];
                var at = next;
                while (at < _count && !ReferenceEquals(_results[at].Result, result))
                {
                    at++;
                }

                if (at == _count)
                {
                    touched.Add(result.DatasetId);
                    continue;
                }

                for (; next < at; next++)
                {
                    touched.Add(_results[next].Result.DatasetId);
                }

                if (_results[at].Standing != standing)
                {
                    touched.Add(result.DatasetId);
                }

                next = at + 1;
            }

            // What is left was taken away by the event.
            for (; next < _count; next++)
            {
                touched.Add(_results[next].Result.DatasetId);
            }

            return touched;
        }
    }

    /// <summary>The native rows of a task, from the world's memory when it has them.</summary>
    private static IReadOnlyList<RankedRow> NativeRank(LeaderboardWorld world, LeaderboardBoard board, TaskSpec task)
    {
        var key = (board.DatasetId, task.Id);
        if (!world.NativeRows.TryGetValue(key, out var rows))
        {
            rows = Rank(board, task, BoardFilter.Native);
            world.NativeRows[key] = rows;
        }

        return rows;
    }

    /// <summary>Where a model's entries are in a board's entries (kept by model key, then result id).</summary>
    private static (int Start, int Count) RangeOf(List<BoardEntry> entries, string modelKey)
    {
        int low = 0, high = entries.Count;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (string.CompareOrdinal(entries[middle].ModelKey, modelKey) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        var end = low;
        while (end < entries.Count && string.Equals(entries[end].ModelKey, modelKey, StringComparison.Ordinal))
        {
            end++;
        }

        return (low, end - low);
    }

    private static List<BoardDiff> ApplyBenchmark(
        LeaderboardWorld world, string datasetId, string commitOid, System.Text.Json.JsonElement definition, EventInfo info, bool computeChanges)
    {
        var board = world.Board(datasetId);
        var oldTasks = board.Registered ? board.Tasks : [];
        var newTasks = BenchmarkTasks.Of(definition);
        var rowsBefore = computeChanges
            ? oldTasks.ToDictionary(task => task.Id, task => NativeRank(world, board, task), StringComparer.Ordinal)
            : [];
        foreach (var task in board.Tasks)
        {
            world.NativeRows.Remove((datasetId, task.Id));
        }

        board.Registered = true;
        board.CommitOid = commitOid;
        board.Tasks = newTasks;
        board.LastSequence = info.Sequence;
        board.UpdatedAt = info.Timestamp;
        world.ChangedBoards.Add(datasetId);
        if (!computeChanges)
        {
            return [];
        }

        // The new tasks in file order, then the tasks that are gone.
        var diffs = newTasks
            .Select(task => new BoardDiff(datasetId, task.Id, rowsBefore.GetValueOrDefault(task.Id) ?? [], NativeRank(world, board, task)))
            .ToList();
        diffs.AddRange(oldTasks
            .Where(task => newTasks.All(current => current.Id != task.Id))
            .Select(task => new BoardDiff(datasetId, task.Id, rowsBefore[task.Id], [])));
        return diffs;
    }
}
