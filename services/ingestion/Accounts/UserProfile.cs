using CommunityEvals.Contracts.Events;
using Marten.Events.Projections;

namespace CommunityEvals.Ingestion.Accounts;

/// <summary>A user and the orgs they belong to, keyed by user name (the write side's own view).</summary>
public sealed class UserProfile
{
    public string Id { get; set; } = "";

    public List<string> Orgs { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }
}

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
