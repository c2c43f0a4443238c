namespace CommunityEvals.Ingestion.Repos;

/// <summary>Hub-shaped public URLs, built on the address the client used to reach the gateway.</summary>
public static class RepoUrls
{
    public static string Base(HttpRequest request)
    {
        var forwardedHost = request.Headers["X-Forwarded-Host"].ToString();
        var forwardedProto = request.Headers["X-Forwarded-Proto"].ToString();
        var host = forwardedHost.Length > 0 ? forwardedHost.Split(',')[0].Trim() : request.Host.Value;
        var scheme = forwardedProto.Length > 0 ? forwardedProto.Split(',')[0].Trim() : request.Scheme;
        return $"{scheme}://{host}";
    }

    public static string Repo(HttpRequest request, string kind, string repoId) =>
        kind == RepoPaths.Dataset ? $"{Base(request)}/datasets/{repoId}" : $"{Base(request)}/{repoId}";

    public static string Commit(HttpRequest request, string kind, string repoId, string commitOid) =>
        $"{Repo(request, kind, repoId)}/commit/{commitOid}";

    public static string Discussion(HttpRequest request, string kind, string repoId, int number) =>
        $"{Repo(request, kind, repoId)}/discussions/{number}";
}

public static class RepoLookup
{
    /// <summary>
    /// The repo as <paramref name="actor"/> may know it: null when it does not exist or is private to
    /// others (both are answered alike, ACCESS.md "Visibility").
    /// </summary>
    public static async Task<RepoState?> LoadVisibleRepoAsync(this Marten.IQuerySession session, string kind, string repo, Actor? actor, CancellationToken cancellationToken) =>
        await session.LoadAsync<RepoState>(CommunityEvals.Contracts.Events.StreamKeys.Repo(kind, repo), cancellationToken) is { } state
        && state.Access.VisibleTo(actor?.Viewer)
            ? state
            : null;
}
