using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Models;
using CommunityEvals.Platform.Access;
using Marten;

namespace CommunityEvals.LeaderboardProjection.Shared;

/// <summary>
/// Repo pages as the caller may know them (ACCESS.md "Visibility"): a private repo exists for its
/// owners and the admin only, and is answered to everyone else exactly as a missing one.
/// </summary>
public static class VisiblePages
{
    public static bool VisibleTo(this RepoPage page, Viewer? viewer) => Viewer.CanSee(viewer, page.Private, page.Owner, page.OwnerIsOrg);

    /// <summary>The repo's page, or null when it does not exist or the caller may not see it.</summary>
    public static async Task<RepoPage?> LoadVisiblePageAsync(this IQuerySession session, string kind, string repo, HttpRequest request, CancellationToken cancellationToken)
    {
        var page = await session.LoadAsync<RepoPage>(StreamKeys.Repo(kind, repo), cancellationToken);
        if (page is null || !page.Private)
        {
            return page;
        }

        return page.VisibleTo(await Viewer.LoadAsync(session, request, cancellationToken)) ? page : null;
    }

    /// <summary>Whether the repo exists, is private, and is not the caller's to see: then everything of it is answered as missing.</summary>
    public static async Task<bool> IsHiddenFromAsync(this IQuerySession session, string kind, string repo, HttpRequest request, CancellationToken cancellationToken) =>
        await session.LoadAsync<RepoPage>(StreamKeys.Repo(kind, repo), cancellationToken) is { Private: true } page
        && !page.VisibleTo(await Viewer.LoadAsync(session, request, cancellationToken));

    /// <summary>Only the pages the caller may see; the caller's orgs are looked up only when some page is private.</summary>
    public static async Task<List<RepoPage>> VisibleAsync(this IQuerySession session, IReadOnlyList<RepoPage> pages, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!pages.Any(page => page.Private))
        {
            return [.. pages];
        }

        var viewer = await Viewer.LoadAsync(session, request, cancellationToken);
        return [.. pages.Where(page => page.VisibleTo(viewer))];
    }

    /// <summary>The private datasets the caller may not see: their benchmarks' results are shown to no one else (ACCESS.md).</summary>
    public static async Task<IReadOnlySet<string>> HiddenDatasetsAsync(this IQuerySession session, HttpRequest request, CancellationToken cancellationToken)
    {
        var pages = await session.Query<RepoPage>().Where(page => page.Kind == "dataset" && page.Private).ToListAsync(cancellationToken);
        if (pages.Count == 0)
        {
            return new HashSet<string>();
        }

        var viewer = await Viewer.LoadAsync(session, request, cancellationToken);
        return pages.Where(page => !page.VisibleTo(viewer)).Select(page => page.Repo).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The ids (<c>org/name</c>) of the private repos of a kind: what boards, feeds and streams leave out for everyone.</summary>
    public static async Task<IReadOnlySet<string>> PrivateReposAsync(this IQuerySession session, string kind, CancellationToken cancellationToken) =>
        (await session.Query<RepoPage>().Where(page => page.Kind == kind && page.Private).Select(page => page.Repo).ToListAsync(cancellationToken))
            .ToHashSet(StringComparer.Ordinal);
}
