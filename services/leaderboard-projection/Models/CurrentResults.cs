using CommunityEvals.LeaderboardProjection.Shared;

namespace CommunityEvals.LeaderboardProjection.Models;

/// <summary>A result that counts now, with where it comes from and whether it is hidden.</summary>
public sealed record CurrentResult(RepoResult Result, string Ref, int? PullRequest, string Origin, bool Hidden, string? HiddenReason)
{
    public const string Author = "author";
    public const string Community = "community";
}

/// <summary>
/// Which results of a repo are current: every result on <c>main</c> (the author's) and every result
/// of an open pull request (the community's); closed and merged pull requests' results are not.
/// Hidden results are left out unless asked for. Main first, then pull requests by number; within
/// a ref by file and item.
/// </summary>
public static class CurrentResults
{
    public static IReadOnlyList<CurrentResult> Of(RepoPage page, bool includeHidden = false) =>
        Select(page.Results, page.PullRequests, page.Hidden, includeHidden);

    public static IReadOnlyList<CurrentResult> Select(
        IEnumerable<RepoResult> results,
        IEnumerable<RepoPullRequest> pullRequests,
        IEnumerable<HiddenMark> hidden,
        bool includeHidden = false)
    {
        var open = pullRequests.Where(pr => pr.Status == DiscussionStatus.Open).Select(pr => pr.Number).ToHashSet();
        var marks = new Dictionary<string, HiddenMark>(StringComparer.Ordinal);
        foreach (var mark in hidden)
        {
            marks[mark.ResultId] = mark;
        }

        return results
            .Where(result => result.PullRequest is not { } number || open.Contains(number))
            .Select(result =>
            {
                var isHidden = marks.TryGetValue(result.ResultId, out var mark);
                return new CurrentResult(
                    result,
                    result.RefName(),
                    result.PullRequest,
                    result.PullRequest is null ? CurrentResult.Author : CurrentResult.Community,
                    isHidden,
                    mark?.Reason);
            })
            .Where(current => includeHidden || !current.Hidden)
            .OrderBy(current => current.PullRequest ?? 0)
            .ThenBy(current => current.Result.Path, StringComparer.Ordinal)
            .ThenBy(current => current.Result.Index)
            .ToList();
    }
}
