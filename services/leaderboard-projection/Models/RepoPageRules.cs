using CommunityEvals.Contracts.Events;
using CommunityEvals.Formats;
using CommunityEvals.LeaderboardProjection.Shared;

namespace CommunityEvals.LeaderboardProjection.Models;

/// <summary>How each repo event changes a <see cref="RepoPage"/>: pure, so a rebuild gives the same page.</summary>
public static class RepoPageRules
{
    public const string Card = "README.md";

    private static readonly FormatParser CardReader = new();

    /// <param name="revisions">
    /// Where each commit goes as a revision, when they are wanted. The page does not keep them: the
    /// list would grow with every commit and be rewritten whole each time. Past revisions are
    /// folded from the repo's events when one is asked for (see <see cref="ModelsApi.Resolve"/>).
    /// </param>
    public static RepoPage? Evolve(RepoPage? page, string id, object data, EventInfo info, ICollection<RepoRevision>? revisions = null)
    {
        if (data is RepoCreated created)
        {
            return page ?? new RepoPage
            {
                Id = id,
                Repo = created.Repo,
                Kind = created.Kind,
                Owner = created.Owner,
                OwnerIsOrg = created.OwnerIsOrg,
                Private = created.Private,
                CreatedAt = info.Timestamp,
                LastModified = info.Timestamp,
            };
        }

        if (page is null)
        {
            return null;
        }

        switch (data)
        {
            case RepoSettingsChanged settings:
                page.Private = settings.Private;
                page.Gated = settings.Gated;
                break;
            case MainCommitted committed:
                ApplyToMain(page, committed.Commit, info, revisions);
                if (committed.CardChanged)
                {
                    page.BaseModel = committed.BaseModel?.ToList();
                }

                break;
            case PullRequestOpened opened:
                var pullRequest = page.PullRequest(opened.Number);
                if (pullRequest is null)
                {
                    pullRequest = new RepoPullRequest
                    {
                        Number = opened.Number,
                        Title = opened.Title,
                        Author = opened.Author,
                        Status = DiscussionStatus.Open,
                        OpenedAt = info.Timestamp,
                    };
                    page.PullRequests.Add(pullRequest);
                }

                ApplyToPullRequest(page, pullRequest, opened.Commit, info, revisions);
                break;
            case PullRequestUpdated updated when page.PullRequest(updated.Number) is { } target:
                ApplyToPullRequest(page, target, updated.Commit, info, revisions);
                break;
            case PullRequestClosed closed when page.PullRequest(closed.Number) is { } target:
                target.Status = DiscussionStatus.Closed;
                break;
            case PullRequestReopened reopened when page.PullRequest(reopened.Number) is { } target:
                target.Status = DiscussionStatus.Open;
                break;
            case PullRequestMerged merged:
                if (page.PullRequest(merged.Number) is { } mergedPullRequest)
                {
                    mergedPullRequest.Status = DiscussionStatus.Merged;
                }

                // Its results now live on main under new ids; the pull request's own never count again.
                page.Results.RemoveAll(result => result.PullRequest == merged.Number);
                ApplyToMain(page, merged.Commit, info, revisions);
                if (merged.BaseModel is not null || merged.Commit.Files.Any(file => file.Path == Card))
                {
                    page.BaseModel = merged.BaseModel?.ToList();
                }

                break;
            case ResultHidden hidden:
                page.Hidden.RemoveAll(mark => mark.ResultId == hidden.ResultId);
                page.Hidden.Add(new HiddenMark { ResultId = hidden.ResultId, Reason = hidden.Reason, By = info.Actor, At = info.Timestamp });
                break;
            case ResultUnhidden unhidden:
                page.Hidden.RemoveAll(mark => mark.ResultId == unhidden.ResultId);
                break;
        }

        return page;
    }

    private static void ApplyToMain(RepoPage page, CommitChanges commit, EventInfo info, ICollection<RepoRevision>? revisions)
    {
        var touched = TouchedPaths(commit);
        page.MainFiles.RemoveAll(file => touched.Contains(file.Path));
        page.MainFiles.AddRange(commit.Files.Select(file => new RepoFile { Path = file.Path, Sha256 = file.Sha256 }));
        page.MainFiles.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        ReplaceResults(page, commit, null, touched, info);
        if (page.Kind == "dataset" && touched.Contains(Card))
        {
            var card = commit.Files.FirstOrDefault(file => file.Path == Card) is { } readme
                ? CardReader.ParseDatasetCard(Card, readme.Content)
                : DatasetCard.Empty;
            page.Languages = [.. card.Languages];
            page.CardTags = [.. card.Tags];
            page.TaskCategories = [.. card.TaskCategories];
            page.License = card.License;
        }

        page.MainHead = commit.CommitOid;
        page.LastModified = info.Timestamp;
        revisions?.Add(new RepoRevision
        {
            Oid = commit.CommitOid,
            Ref = Refs.Main,
            At = info.Timestamp,
            Files = page.MainFiles.Select(file => file.Path).ToList(),
        });
    }

    private static void ApplyToPullRequest(RepoPage page, RepoPullRequest pullRequest, CommitChanges commit, EventInfo info, ICollection<RepoRevision>? revisions)
    {
        var number = pullRequest.Number;
        var touched = TouchedPaths(commit);
        pullRequest.Files.RemoveAll(file => touched.Contains(file.Path));
        pullRequest.Files.AddRange(commit.Files.Select(file => new RepoFile { Path = file.Path, Sha256 = file.Sha256 }));
        pullRequest.Files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        pullRequest.DeletedPaths.RemoveAll(path => commit.Files.Any(file => file.Path == path));
        pullRequest.DeletedPaths.AddRange(commit.DeletedPaths.Where(path => !pullRequest.DeletedPaths.Contains(path)));
        ReplaceResults(page, commit, number, touched, info);

        pullRequest.Head = commit.CommitOid;
        pullRequest.HeadAt = info.Timestamp;
        revisions?.Add(new RepoRevision
        {
            Oid = commit.CommitOid,
            Ref = Refs.PullRequest(number),
            At = info.Timestamp,
            Files = FilesOf(page, pullRequest),
        });
    }

    private static FewNames TouchedPaths(CommitChanges commit) => new([.. commit.DeletedPaths, .. commit.Files.Select(file => file.Path)]);

    /// <summary>The files a pull request's ref holds: main's, with its own written over and its deletions gone.</summary>
    public static List<string> FilesOf(RepoPage page, RepoPullRequest pullRequest) =>
        page.MainFiles.Select(file => file.Path)
            .Where(path => !pullRequest.DeletedPaths.Contains(path))
            .Union(pullRequest.Files.Select(file => file.Path))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// A commit to a ref (main when <paramref name="pullRequest"/> is null): the ref's results in the
    /// files it wrote or deleted, or that it retracted, are gone; its own results take their place,
    /// keeping when they last changed if the ref held them unchanged. One pass over the page's
    /// results: this runs for every commit of every repo, on pages that keep closed pull requests' results.
    /// </summary>
    private static void ReplaceResults(RepoPage page, CommitChanges commit, int? pullRequest, FewNames touched, EventInfo info)
    {
        var entries = commit.Results;
        var retracted = new FewNames(commit.RetractedResultIds);
        // Result ids are unique in a page (they name their ref): a written id replaces its result wherever it is.
        var written = new FewNames([.. entries.Select(entry => entry.ResultId)]);
        var before = new RepoResult?[entries.Count];
        page.Results.RemoveAll(result =>
        {
            var index = written.IndexOf(result.ResultId);
            if (result.PullRequest != pullRequest)
            {
                return index >= 0;
            }

            if (index >= 0)
            {
                before[index] = result;
                return true;
            }

            return touched.Contains(result.Path) || retracted.Contains(result.ResultId);
        });

        string? lastDataset = null;
        foreach (var entry in entries)
        {
            if (written.HasRepeats)
            {
                // The last entry under an id is the one that stands.
                page.Results.RemoveAll(result => result.ResultId == entry.ResultId);
            }

            var earlier = before[written.IndexOf(entry.ResultId)];
            var unchanged = earlier is not null && SameAs(earlier, entry);
            // A page's results name a few datasets, each many times: equal ids share one string (the
            // earlier result's, or the last entry's), so the many comparisons of them mostly end at
            // the reference.
            var datasetId = earlier is not null && string.Equals(earlier.DatasetId, entry.DatasetId, StringComparison.Ordinal) ? earlier.DatasetId
                : string.Equals(lastDataset, entry.DatasetId, StringComparison.Ordinal) ? lastDataset!
                : entry.DatasetId;
            lastDataset = datasetId;
            page.Results.Add(new RepoResult
            {
                ResultId = entry.ResultId,
                PullRequest = pullRequest,
                Path = entry.Path,
                Index = entry.Index,
                DatasetId = datasetId,
                TaskId = entry.TaskId,
                Value = entry.Value,
                ValueText = entry.ValueText,
                Notes = entry.Notes,
                Verified = entry.Verified,
                Data = entry.Data.Clone(),
                Sequence = unchanged ? earlier!.Sequence : info.Sequence,
                UpdatedAt = unchanged ? earlier!.UpdatedAt : info.Timestamp,
            });
        }
    }

    /// <summary>
    /// The paths or result ids a commit names: usually one or two, looked up for every result of a
    /// page, so they are compared in turn (most differ at the first character) rather than hashed.
    /// </summary>
    private sealed class FewNames
    {
        private const int MostScanned = 8;
        private readonly IReadOnlyList<string> _names;
        private readonly Dictionary<string, int>? _firstIndex;

        public FewNames(IReadOnlyList<string> names)
        {
            _names = names;
            if (names.Count > MostScanned)
            {
                _firstIndex = new Dictionary<string, int>(names.Count, StringComparer.Ordinal);
                for (var index = 0; index < names.Count; index++)
                {
                    HasRepeats |= !_firstIndex.TryAdd(names[index], index);
                }
            }
            else
            {
                for (var index = 1; index < names.Count && !HasRepeats; index++)
                {
                    HasRepeats = IndexOf(names[index]) < index;
                }
            }
        }

        public bool HasRepeats { get; }

        /// <summary>Where the name first is, or -1.</summary>
        public int IndexOf(string name)
        {
            if (_firstIndex is not null)
            {
                return _firstIndex.GetValueOrDefault(name, -1);
            }

            for (var index = 0; index < _names.Count; index++)
            {
                if (string.Equals(_names[index], name, StringComparison.Ordinal))
                {
                    return index;
                }
            }

            return -1;
        }

        public bool Contains(string name) => IndexOf(name) >= 0;
    }

    private static bool SameAs(RepoResult before, ResultEntry entry) =>
        before.Value.Equals(entry.Value)
        && before.ValueText == entry.ValueText
        && before.Verified == entry.Verified
        && before.Notes == entry.Notes
        && before.DatasetId == entry.DatasetId
        && before.TaskId == entry.TaskId
        && JsonElementText.Same(before.Data, entry.Data);
}
