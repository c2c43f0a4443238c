using CommunityEvals.Ingestion.Repos;
using CommunityEvals.Platform.Identity;
using Marten;

namespace CommunityEvals.Ingestion.Accounts;

public static class ActorLookup
{
    /// <summary>The signed-in caller with their org memberships, or null when anonymous.</summary>
    public static async Task<Actor?> LoadActorAsync(this IQuerySession session, HttpRequest request, CancellationToken cancellationToken)
    {
        if (Caller.From(request) is not { } caller)
        {
            return null;
        }

        if (caller.IsAdmin)
        {
            return new Actor(caller, []);
        }

        var profile = await session.LoadAsync<UserProfile>(caller.Name, cancellationToken);
        return profile is null ? null : new Actor(caller, profile.Orgs);
    }
}
