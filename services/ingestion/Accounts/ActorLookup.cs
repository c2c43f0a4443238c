using CommunityEvals.Platform.Access;
using CommunityEvals.Ingestion.Repos;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Http;
using CommunityEvals.Platform.Identity;
using Marten;

namespace CommunityEvals.Ingestion.Accounts;

public static class ActorLookup
{
    /// <summary>
    /// The signed-in caller of a write, or the problem to answer: 401 when anonymous, else the
    /// request body's own problem if it had one (identity is checked first, as everywhere).
    /// </summary>
    public static async Task<(Actor? Actor, ProblemDocumentResult? Problem)> RequireActorAsync(
        this IDocumentStore store, HttpRequest request, ProblemDocumentResult? bodyProblem, CancellationToken cancellationToken)
    {
        await using var query = store.QuerySession();
        return await query.LoadActorAsync(request, cancellationToken) is not { } actor
            ? (null, Problems.Unauthorized())
            : (actor, bodyProblem);
    }

    /// <summary>The signed-in caller with their org memberships, or null when anonymous.</summary>
    public static async Task<Actor?> LoadActorAsync(this IQuerySession session, HttpRequest request, CancellationToken cancellationToken) =>
        await Viewer.LoadAsync(session, request, cancellationToken) is { } viewer ? new Actor(viewer.Caller, viewer.Orgs) : null;
}
