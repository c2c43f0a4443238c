using CommunityEvals.Contracts.Events;
using CommunityEvals.Platform.EventStore;
using Marten.Events.Projections;

namespace CommunityEvals.Ingestion.Accounts;

public sealed class UserProfileProjection : MultiStreamProjection<UserProfile, string>
{
    public UserProfileProjection()
    {
        Identity<UserCreated>(created => created.Name);
        Identity<OrgMemberAdded>(added => added.User);
    }

    public static UserProfile Create(JasperFx.Events.IEvent<UserCreated> created) =>
        new() { Id = created.Data.Name, CreatedAt = created.Timestamp };

    public static void Apply(OrgMemberAdded added, UserProfile profile)
    {
        if (!profile.Orgs.Contains(added.Org))
        {
            profile.Orgs.Add(added.Org);
        }
    }
}
