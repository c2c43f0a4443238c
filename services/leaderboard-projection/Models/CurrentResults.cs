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
        var standing = new ResultStanding(pullRequests, hidden);
        return results
            .Where(standing.IsCurrent)
            .Select(result =>
            {
                var mark = standing.HiddenMarkOf(result);
                return new CurrentResult(
                    result,
                    result.RefName(),
                    result.PullRequest,
                    ResultStanding.OriginOf(result),
                    mark is not null,
                    mark?.Reason);
            })
            .Where(current => includeHidden || !current.Hidden)
            .OrderBy(current => current.PullRequest ?? 0)
            .ThenBy(current => current.Result.Path, StringComparer.Ordinal)
            .ThenBy(current => current.Result.Index)
            .ToList();
    }
}

/// <summary>
/// Which pull requests of a page are open and which of its results are hidden: what decides whether
/// a result counts (see <see cref="CurrentResults"/>). The boards ask it of one result at a time.
/// </summary>
public sealed class ResultStanding
{
    private readonly HashSet<int> _open = [];
    private readonly Dictionary<string, HiddenMark> _marks = new(StringComparer.Ordinal);

    public ResultStanding(IEnumerable<RepoPullRequest> pullRequests, IEnumerable<HiddenMark> hidden)
    {
        foreach (var pullRequest in pullRequests)
        {
            if (pullRequest.Status == DiscussionStatus.Open)
            {
                _open.Add(pullRequest.Number);
            }
        }

        foreach (var mark in hidden)
        {
            _marks[mark.ResultId] = mark;
        }
    }

    public static ResultStanding Of(RepoPage page) => new(page.PullRequests, page.Hidden);

    /// <summary><c>author</c> for a result on main, <c>community</c> for a pull request's.</summary>
    public static string OriginOf(RepoResult result) => result.PullRequest is null ? CurrentResult.Author : CurrentResult.Community;

    /// <summary>On main, or on a pull request that is open.</summary>
    public bool IsCurrent(RepoResult result) => result.PullRequest is not { } number || _open.Contains(number);

    public HiddenMark? HiddenMarkOf(RepoResult result) => _marks.GetValueOrDefault(result.ResultId);

    /// <summary>Current and not hidden: on the boards.</summary>
    public bool Counts(RepoResult result) => IsCurrent(result) && !_marks.ContainsKey(result.ResultId);
}
