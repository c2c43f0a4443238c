using CommunityEvals.Contracts.Events;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Identity;

namespace CommunityEvals.Ingestion.Accounts;

/// <param name="FirstTokenId">The public id of the write token the account comes with.</param>
public sealed record CreateUser(string Name, IReadOnlyList<string> Orgs, string FirstTokenId);

public sealed record AddOrgMember(string Org, string User);

/// <summary>What the account deciders need to know about names already taken.</summary>
/// <param name="Orgs">The orgs the command names that exist, by name.</param>
public sealed record NamespaceState(bool NameTakenByUser, bool NameTakenByOrg, IReadOnlyDictionary<string, OrgAccount> Orgs);

/// <summary>Pure deciders for accounts: state and command in, events or a rejection out.</summary>
public static class AccountDecisions
{
    public static Decision Decide(CreateUser command, NamespaceState state)
    {
        if (!Names.IsValid(command.Name))
        {
            return Decision.Reject(RejectionKind.Invalid, Names.Describe("name"));
        }

        if (string.Equals(command.Name, Caller.AdminName, StringComparison.OrdinalIgnoreCase))
        {
            return Decision.Reject(RejectionKind.Conflict, $"the name '{command.Name}' is reserved");
        }

        if (command.Orgs.FirstOrDefault(org => !Names.IsValid(org)) is { } badOrg)
        {
            return Decision.Reject(RejectionKind.Invalid, $"org '{badOrg}': {Names.Describe("an org name")}");
        }

        if (new[] { command.Name }.Concat(command.Orgs).FirstOrDefault(Names.IsReservedNamespace) is { } reserved)
        {
            return Decision.Reject(RejectionKind.Invalid, $"the name '{reserved}' is reserved: the web pages use it as the first segment of their paths");
        }

        if (command.Orgs.Contains(command.Name, StringComparer.OrdinalIgnoreCase))
        {
            return Decision.Reject(RejectionKind.Invalid, "a user cannot belong to an org of the same name");
        }

        if (state.NameTakenByUser || state.NameTakenByOrg)
        {
            return Decision.Reject(RejectionKind.Conflict, $"the name '{command.Name}' is already taken");
        }

        var user = StreamKeys.User(command.Name);
        var events = new List<PendingEvent>
        {
            new(user, new UserCreated(command.Name), 0),
            new(user, new TokenCreated(command.Name, command.FirstTokenId, TokenDecisions.FirstTokenName, Caller.WriteRole), 0),
        };
        foreach (var org in command.Orgs.Distinct(StringComparer.Ordinal))
        {
            events.AddRange(JoinOrg(org, command.Name, state.Orgs.GetValueOrDefault(org)));
        }

        return Decision.Accept(events);
    }

    public static Decision Decide(AddOrgMember command, bool userExists, bool orgNameTakenByUser, OrgAccount? org)
    {
        if (!Names.IsValid(command.Org))
        {
            return Decision.Reject(RejectionKind.Invalid, Names.Describe("org"));
        }

        if (Names.IsReservedNamespace(command.Org))
        {
            return Decision.Reject(RejectionKind.Invalid, $"the name '{command.Org}' is reserved: the web pages use it as the first segment of their paths");
        }

        if (!userExists)
        {
            return Decision.Reject(RejectionKind.NotFound, $"user '{command.User}' does not exist");
        }

        if (org is null && orgNameTakenByUser)
        {
            return Decision.Reject(RejectionKind.Conflict, $"'{command.Org}' is a user, not an org");
        }

        return Decision.Accept(JoinOrg(command.Org, command.User, org).ToArray());
    }

    private static IEnumerable<PendingEvent> JoinOrg(string org, string user, OrgAccount? existing)
    {
        var stream = StreamKeys.Org(org);
        if (existing is null)
        {
            yield return new PendingEvent(stream, new OrgCreated(org), 0);
            yield return new PendingEvent(stream, new OrgMemberAdded(org, user), 0);
        }
        else if (!existing.Members.Contains(user))
        {
            yield return new PendingEvent(stream, new OrgMemberAdded(org, user), existing.Version);
        }
    }
}
