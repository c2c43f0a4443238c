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
    /// <summary>Numbers above this are looked up in a set rather than flagged in an array.</summary>
    private const int MostFlagged = 4096;

    // Pull requests are numbered from 1 as they are opened: the open ones are flags by number. The
    // boards build this for every event of a model, whose page holds dozens of pull requests.
    private readonly bool[] _openFlags = [];
    private readonly HashSet<int>? _openBeyond;
    private readonly Dictionary<string, HiddenMark>? _marks;

    public ResultStanding(IEnumerable<RepoPullRequest> pullRequests, IEnumerable<HiddenMark> hidden)
    {
        foreach (var pullRequest in pullRequests)
        {
            if (pullRequest.Status != DiscussionStatus.Open)
            {
                continue;
            }

            var number = pullRequest.Number;
            if (number is >= 0 and <= MostFlagged)
            {
                if (number >= _openFlags.Length)
                {
                    Array.Resize(ref _openFlags, Math.Max(number + 1, 2 * _openFlags.Length));
                }

                _openFlags[number] = true;
            }
            else
            {
                (_openBeyond ??= []).Add(number);
            }
        }

        foreach (var mark in hidden)
        {
            (_marks ??= new Dictionary<string, HiddenMark>(StringComparer.Ordinal))[mark.ResultId] = mark;
        }
    }

    public static ResultStanding Of(RepoPage page) => new(page.PullRequests, page.Hidden);

    /// <summary><c>author</c> for a result on main, <c>community</c> for a pull request's.</summary>
    public static string OriginOf(RepoResult result) => result.PullRequest is null ? CurrentResult.Author : CurrentResult.Community;

    /// <summary>On main, or on a pull request that is open.</summary>
    public bool IsCurrent(RepoResult result) => result.PullRequest is not { } number || IsOpen(number);

    public HiddenMark? HiddenMarkOf(RepoResult result) => _marks?.GetValueOrDefault(result.ResultId);

    /// <summary>Current and not hidden: on the boards.</summary>
    public bool Counts(RepoResult result) => IsCurrent(result) && _marks?.ContainsKey(result.ResultId) != true;

    private bool IsOpen(int number) =>
        (uint)number < (uint)_openFlags.Length ? _openFlags[number] : _openBeyond?.Contains(number) == true;
}
