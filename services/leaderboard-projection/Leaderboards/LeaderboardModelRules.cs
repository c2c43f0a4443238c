using System.Text.Json;
using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Models;
using CommunityEvals.LeaderboardProjection.Shared;

namespace CommunityEvals.LeaderboardProjection.Leaderboards;

/// <summary>
/// How repo events change a <see cref="LeaderboardModel"/>, and which of its results are on boards.
/// The page is folded by <see cref="RepoPageRules"/> and read by <see cref="CurrentResults"/>, the
/// same rules as the model pages, so a board never disagrees with a model page about what counts.
/// </summary>
public static class LeaderboardModelRules
{
    public const string ModelKind = "model";

    /// <summary>Null while the repo is unknown or is not a model repo (dataset repos hold no results).</summary>
    /// <param name="keepFiles">Keep the page's file lists, so that it is the model's whole <see cref="RepoPage"/> (see <see cref="LeaderboardWorld.KeepsPageFiles"/>).</param>
    public static LeaderboardModel? Evolve(LeaderboardModel? model, string id, object data, EventInfo info, bool keepFiles = false)
    {
        if (model is null && data is not RepoCreated { Kind: ModelKind })
        {
            return null;
        }

        if (ResultEvidence.ResultIdOf(data) is not null)
        {
            if (model is not null)
            {
                ResultEvidence.Evolve(model.Evidence, data, resultId => model.Page.Results.FirstOrDefault(r => r.ResultId == resultId)?.ValueText);
            }

            return model;
        }

        var page = RepoPageRules.Evolve(model?.Page, id, data, info);
        if (page is null)
        {
            return model;
        }

        if (!keepFiles)
        {
            DropFiles(page);
        }

        model ??= new LeaderboardModel { Id = id };
        model.Page = page;
        model.Datasets = DatasetsOf(page);
        return model;
    }

    /// <summary>
    /// Boards need no file lists: the fold of results, pull-request states and hidden marks never
    /// reads them, and the model is written often.
    /// </summary>
    public static void DropFiles(RepoPage page)
    {
        page.MainFiles.Clear();
        foreach (var pullRequest in page.PullRequests)
        {
            pullRequest.Files.Clear();
            pullRequest.DeletedPaths.Clear();
        }
    }

    /// <summary>The dataset ids the page's results name, in ordinal order (a model names a few: kept sorted as they are found).</summary>
    private static List<string> DatasetsOf(RepoPage page)
    {
        var datasets = new List<string>();
        string? last = null;
        foreach (var result in page.Results)
        {
            // A file's results are side by side and mostly name one dataset.
            if (string.Equals(result.DatasetId, last, StringComparison.Ordinal))
            {
                continue;
            }

            last = result.DatasetId;
            var place = datasets.BinarySearch(result.DatasetId, StringComparer.Ordinal);
            if (place < 0)
            {
                datasets.Insert(~place, result.DatasetId);
            }
        }

        return datasets;
    }

    /// <summary>Whether a result takes a place on the boards: it counts, and its model is not private (private repos leave the boards for everyone).</summary>
    public static bool CountsOnBoards(RepoPage page, ResultStanding standing, RepoResult result) => !page.Private && standing.Counts(result);

    /// <summary>Whether the model's card declares no <c>base_model</c>: only such models show on the Hub's default board.</summary>
    public static bool IsBaseModel(RepoPage page) => page.BaseModel is not { Count: > 0 };

    /// <summary>The model's eligible results (main and open pull requests, not hidden), by dataset id, each list in stored order.</summary>
    public static Dictionary<string, List<BoardEntry>> EntriesOf(LeaderboardModel model)
    {
        var standing = ResultStanding.Of(model.Page);
        var isBaseModel = IsBaseModel(model.Page);
        var entries = new Dictionary<string, List<BoardEntry>>(StringComparer.Ordinal);
        foreach (var result in model.Page.Results.Where(result => CountsOnBoards(model.Page, standing, result)))
        {
            if (!entries.TryGetValue(result.DatasetId, out var list))
            {
                list = [];
                entries[result.DatasetId] = list;
            }

            list.Add(new EntryDraft(model, result, isBaseModel).Make());
        }

        foreach (var list in entries.Values)
        {
            list.Sort(InStoredOrder);
        }

        return entries;
    }

    /// <summary>
    /// The model's entries on one board, made from its counting results that name the board's
    /// dataset, in stored order; null when they are exactly the entries it has there now
    /// (<paramref name="count"/> of <paramref name="entries"/> from <paramref name="start"/>).
    /// An entry that would be made again as it is, is taken from there: the boards fold this for
    /// every event of a model, and most of its entries stay as they were.
    /// </summary>
    /// <param name="results">The counting results naming the dataset; sorted here.</param>
    public static List<BoardEntry>? EntriesOn(LeaderboardModel model, List<RepoResult> results, List<BoardEntry> entries, int start, int count)
    {
        results.Sort((a, b) => string.CompareOrdinal(a.ResultId, b.ResultId));
        var isBaseModel = IsBaseModel(model.Page);
        List<BoardEntry>? made = null;
        for (var index = 0; index < results.Count; index++)
        {
            var draft = new EntryDraft(model, results[index], isBaseModel);
            var current = index < count ? entries[start + index] : null;
            var same = current is not null && draft.Matches(current);
            if (made is null)
            {
                if (same)
                {
                    continue;
                }

                // The first that differs: the entries before it stay as they are.
                made = new List<BoardEntry>(results.Count);
                for (var kept = 0; kept < index; kept++)
                {
                    made.Add(entries[start + kept]);
                }
            }

            made.Add(same ? current! : draft.Make());
        }

        if (made is null && results.Count < count)
        {
            // The first entries stay; the others are gone.
            made = entries.GetRange(start, results.Count);
        }

        return made;
    }

    /// <summary>A model's entries are kept by result id (unique in a page) after its model key.</summary>
    private static int InStoredOrder(BoardEntry a, BoardEntry b) => string.CompareOrdinal(a.ResultId, b.ResultId);

    /// <summary>What a board entry for a result shows, worked out once: made into an entry, or matched against one (every property).</summary>
    private readonly struct EntryDraft
    {
        private readonly LeaderboardModel _model;
        private readonly RepoResult _result;
        private readonly bool _isBaseModel;
        private readonly EvidenceStanding _standing;

        public EntryDraft(LeaderboardModel model, RepoResult result, bool isBaseModel)
        {
            _model = model;
            _result = result;
            _isBaseModel = isBaseModel;
            _standing = StandingOf(model, result);
        }

        private bool Verified => _standing.Verified;

        private bool Disputed => _standing.Disputed;

        public BoardEntry Make() => new()
        {
            ModelKey = _model.Id,
            ModelId = _model.Page.Repo,
            ResultId = _result.ResultId,
            TaskId = _result.TaskId,
            Value = _result.Value,
            Verified = Verified,
            Disputed = Disputed,
            Origin = ResultStanding.OriginOf(_result),
            Sequence = _result.Sequence,
            Notes = _result.Notes,
            Source = _model.SourceOf(_result),
            Stderr = _standing.Stderr,
            UpdatedAt = _result.UpdatedAt,
            Filename = _result.Path,
            PullRequest = _result.PullRequest,
            IsBaseModel = _isBaseModel,
            Owner = _model.Page.Owner,
            OwnerIsOrg = _model.Page.OwnerIsOrg,
        };

        /// <summary>Whether <see cref="Make"/> would make an entry equal to this one.</summary>
        public bool Matches(BoardEntry entry) =>
            entry.Sequence == _result.Sequence
            && string.Equals(entry.ResultId, _result.ResultId, StringComparison.Ordinal)
            && entry.Value.Equals(_result.Value)
            && entry.Verified == Verified
            && entry.Disputed == Disputed
            && entry.Stderr.Equals(_standing.Stderr)
            && entry.IsBaseModel == _isBaseModel
            && entry.OwnerIsOrg == _model.Page.OwnerIsOrg
            && entry.PullRequest == _result.PullRequest
            && entry.UpdatedAt.Equals(_result.UpdatedAt)
            && string.Equals(entry.ModelKey, _model.Id, StringComparison.Ordinal)
            && string.Equals(entry.ModelId, _model.Page.Repo, StringComparison.Ordinal)
            && string.Equals(entry.TaskId, _result.TaskId, StringComparison.Ordinal)
            && string.Equals(entry.Origin, ResultStanding.OriginOf(_result), StringComparison.Ordinal)
            && string.Equals(entry.Notes, _result.Notes, StringComparison.Ordinal)
            && string.Equals(entry.Filename, _result.Path, StringComparison.Ordinal)
            && string.Equals(entry.Owner, _model.Page.Owner, StringComparison.Ordinal)
            && string.Equals(entry.Source, _model.SourceOf(_result), StringComparison.Ordinal);
    }

    /// <summary>Whether evidence or a token proves (or disputes) the value the result has now, in every view the same.</summary>
    public static EvidenceStanding StandingOf(LeaderboardModel model, RepoResult result) =>
        ResultEvidence.StandingOf(model.Evidence.GetValueOrDefault(result.ResultId), result.ValueText, result.Verified);

    /// <summary>The item's <c>source</c> object as JSON text in the documented key order; null when absent.</summary>
    public static string? SourceOf(JsonElement item) => KnownOrder.ResultSourceText(item);
}
