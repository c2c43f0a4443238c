using CommunityEvals.Contracts.Events;

namespace CommunityEvals.Ingestion.Accounts;

/// <summary>An org's stream folded: its members. Id is the stream key.</summary>
public sealed class OrgAccount
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    public List<string> Members { get; set; } = [];

    public long Version { get; set; }

    public static OrgAccount Create(OrgCreated created) => new() { Name = created.Name };

    public void Apply(OrgMemberAdded added)
    {
        if (!Members.Contains(added.User))
        {
            Members.Add(added.User);
        }
    }
}
