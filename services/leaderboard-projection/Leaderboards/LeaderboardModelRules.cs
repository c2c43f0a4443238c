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

        switch (data)
        {
            case EvidenceVerified verified when model is not null:
                var verifying = model.Evidence.GetValueOrDefault(verified.ResultId) ?? new ResultEvidence();
                verifying.Verified = true;
                verifying.Stderr = verified.Recomputed.Stderr;
                model.Evidence[verified.ResultId] = verifying;
                return model;
            case EvidenceContradicted contradicted when model is not null:
                var disputing = model.Evidence.GetValueOrDefault(contradicted.ResultId) ?? new ResultEvidence();
                disputing.Contradicted = true;
                model.Evidence[contradicted.ResultId] = disputing;
                return model;
            case EvidenceVerified or EvidenceContradicted:
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

    /// <summary>Whether the model's card declares no <c>base_model</c>: only such models show on the Hub's default board.</summary>
    public static bool IsBaseModel(RepoPage page) => page.BaseModel is not { Count: > 0 };

    /// <summary>The model's eligible results (main and open pull requests, not hidden), by dataset id, each list in stored order.</summary>
    public static Dictionary<string, List<BoardEntry>> EntriesOf(LeaderboardModel model)
    {
        var standing = ResultStanding.Of(model.Page);
        return EntriesOf(model, model.Page.Results.Where(standing.Counts), datasets: null);
    }

    /// <param name="counting">The page's results that count (current and not hidden), in page order.</param>
    /// <param name="datasets">Only the entries of these datasets; all when null.</param>
    public static Dictionary<string, List<BoardEntry>> EntriesOf(LeaderboardModel model, IEnumerable<RepoResult> counting, IReadOnlySet<string>? datasets)
    {
        var page = model.Page;
        var isBaseModel = IsBaseModel(page);
        var entries = new Dictionary<string, List<BoardEntry>>(StringComparer.Ordinal);
        // A plain loop: this runs for every repo event the boards fold.
        foreach (var result in counting)
        {
            if (datasets is not null && !datasets.Contains(result.DatasetId))
            {
                continue;
            }

            var evidence = model.Evidence.GetValueOrDefault(result.ResultId);
            if (!entries.TryGetValue(result.DatasetId, out var list))
            {
                list = [];
                entries[result.DatasetId] = list;
            }

            list.Add(new BoardEntry
            {
                ModelKey = model.Id,
                ModelId = page.Repo,
                ResultId = result.ResultId,
                TaskId = result.TaskId,
                Value = result.Value,
                Verified = result.Verified || evidence?.Verified == true,
                Disputed = evidence?.Contradicted == true,
                Origin = ResultStanding.OriginOf(result),
                Sequence = result.Sequence,
                Notes = result.Notes,
                Source = model.SourceOf(result),
                Stderr = evidence?.Stderr,
                UpdatedAt = result.UpdatedAt,
                Filename = result.Path,
                PullRequest = result.PullRequest,
                IsBaseModel = isBaseModel,
                Owner = page.Owner,
                OwnerIsOrg = page.OwnerIsOrg,
            });
        }

        // One model's entries: the stored order (model key, then result id) is by result id, unique in a page.
        foreach (var list in entries.Values)
        {
            list.Sort((a, b) => string.CompareOrdinal(a.ResultId, b.ResultId));
        }

        return entries;
    }

    /// <summary>The item's <c>source</c> object as JSON text in the documented key order; null when absent.</summary>
    public static string? SourceOf(JsonElement item) => KnownOrder.ResultSourceText(item);
}
