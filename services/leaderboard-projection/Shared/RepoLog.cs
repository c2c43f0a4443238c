using Marten;

namespace CommunityEvals.LeaderboardProjection.Shared;

/// <summary>
/// A repo's events straight from the log, for what is folded when it is read instead of kept in
/// a document that would grow with every commit: result histories and past revisions.
/// </summary>
public static class RepoLog
{
    public static async Task<IReadOnlyList<(object Data, EventInfo Info)>> ReadAsync(IQuerySession session, string repoKey, CancellationToken cancellationToken)
    {
        var events = await session.Events.FetchStreamAsync(repoKey, token: cancellationToken);
        return events.Select(@event => (@event.Data, EventInfo.From(@event))).ToList();
    }
}
