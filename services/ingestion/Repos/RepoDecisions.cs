using CommunityEvals.Contracts.Events;
using CommunityEvals.Platform.Access;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Identity;

namespace CommunityEvals.Ingestion.Repos;

public sealed record CreateRepo(string Kind, string Name, string? Organization, bool Private = false);

/// <summary>Who the caller is, as far as a repo's rules care.</summary>
/// <param name="Orgs">The orgs the caller belongs to.</param>
public sealed record Actor(Caller Caller, IReadOnlyList<string> Orgs)
{
    public string Name => Caller.Name;

    public Viewer Viewer => new(Caller, Orgs);

    /// <summary>The owner is the repo's namespace: the user, or any member of the org. The admin may do what an owner may.</summary>
    public bool Owns(RepoState repo) => Viewer.Owns(repo.Owner, repo.OwnerIsOrg);

    /// <summary>Whether the repo exists for this caller: a private repo does for its owners only.</summary>
    public bool Sees(RepoState repo) => repo.Access.VisibleTo(Viewer);
}

public static class RepoDecisions
{
    /// <param name="namespaceIsOrg">Whether the target namespace is an existing org (null: unknown namespace).</param>
    /// <param name="existing">The repo if it already exists.</param>
    public static Decision Decide(CreateRepo command, Actor actor, bool? namespaceIsOrg, RepoState? existing)
    {
        if (command.Kind is not (RepoPaths.Model or RepoPaths.Dataset))
        {
            return Decision.Reject(RejectionKind.Invalid, "type must be 'model' or 'dataset'");
        }

        if (!Names.IsValid(command.Name))
        {
            return Decision.Reject(RejectionKind.Invalid, Names.Describe("name"));
        }

        var owner = string.IsNullOrEmpty(command.Organization) ? actor.Name : command.Organization;
        var ownerIsOrg = owner != actor.Name;
        if (ownerIsOrg)
        {
            if (namespaceIsOrg is not true)
            {
                return Decision.Reject(RejectionKind.Forbidden, $"'{owner}' is not an org you belong to");
            }

            if (!actor.Caller.IsAdmin && !actor.Orgs.Contains(owner, StringComparer.Ordinal))
            {
                return Decision.Reject(RejectionKind.Forbidden, $"you are not a member of the org '{owner}'");
            }
        }
        else if (actor.Caller.IsAdmin)
        {
            return Decision.Reject(RejectionKind.Invalid, "the admin creates repos in an org: name an organization");
        }

        var repo = $"{owner}/{command.Name}";
        if (existing is not null)
        {
            return Decision.Reject(RejectionKind.Conflict, $"the {command.Kind} repo '{repo}' already exists");
        }

        return Decision.Accept(new PendingEvent(StreamKeys.Repo(command.Kind, repo), new RepoCreated(repo, command.Kind, owner, ownerIsOrg, command.Private), 0));
    }
}
