using CommunityEvals.Contracts.Events;
using CommunityEvals.Ingestion.Repos;
using CommunityEvals.Platform.Access;
using CommunityEvals.Platform.EventStore;

namespace CommunityEvals.Ingestion.Access;

/// <summary>What a settings change asks for; null fields stay as they are.</summary>
public sealed record ChangeSettings(bool? Private, string? Gated, bool ChangesGating);

public sealed record AskAccess(string? Reason);

public sealed record HandleAccessRequest(string User, string Status, string? RejectionReason);

/// <summary>
/// The pure rules of visibility and gated access (ACCESS.md "Visibility", "Gated test sets"). A repo
/// the actor cannot see is answered as missing, before anything else, so nothing confirms it exists.
/// </summary>
public static class AccessDecisions
{
    public static Decision Decide(ChangeSettings command, RepoState repo, Actor actor)
    {
        if (OwnerOnly(repo, actor) is { } refused)
        {
            return refused;
        }

        var isPrivate = command.Private ?? repo.Access.Private;
        var gated = command.ChangesGating ? command.Gated : repo.Access.Gated;
        if (gated is not (null or Gating.Auto or Gating.Manual))
        {
            return Decision.Reject(RejectionKind.Invalid, "gated must be false, \"auto\" or \"manual\"");
        }

        return isPrivate == repo.Access.Private && gated == repo.Access.Gated
            ? Decision.Accept()
            : Decision.Accept(new PendingEvent(repo.Id, new RepoSettingsChanged(repo.Repo, repo.Kind, isPrivate, gated), repo.Version));
    }

    public static Decision Decide(AskAccess command, RepoState repo, Actor actor)
    {
        if (!actor.Sees(repo))
        {
            return Missing(repo);
        }

        if (repo.Access.Gated is not { } gating)
        {
            return Decision.Reject(RejectionKind.Invalid, $"{repo.Repo} is not gated: its files can be downloaded without asking");
        }

        if (command.Reason?.Length > MaxReasonLength)
        {
            return Decision.Reject(RejectionKind.Invalid, $"reason is longer than {MaxReasonLength} characters");
        }

        var status = gating == Gating.Auto ? Gating.Accepted : Gating.Pending;
        switch (repo.Access.Request(actor.Name)?.Status)
        {
            case Gating.Accepted:
                return Decision.Accept();
            case Gating.Pending when status == Gating.Pending:
                return Decision.Accept();
            case Gating.Rejected:
                return Decision.Reject(RejectionKind.Forbidden, $"your request for access to {repo.Repo} was rejected; ask its owners");
        }

        return Decision.Accept(new PendingEvent(repo.Id, new AccessRequested(repo.Repo, actor.Name, command.Reason, status), repo.Version));
    }

    public static Decision Decide(HandleAccessRequest command, RepoState repo, Actor actor)
    {
        if (OwnerOnly(repo, actor) is { } refused)
        {
            return refused;
        }

        if (!Gating.IsStatus(command.Status))
        {
            return Decision.Reject(RejectionKind.Invalid, "status must be \"accepted\", \"rejected\" or \"pending\"");
        }

        if (repo.Access.Request(command.User) is not { } request)
        {
            return Decision.Reject(RejectionKind.NotFound, $"{command.User} has not asked for access to {repo.Repo}");
        }

        return request.Status == command.Status && request.RejectionReason == command.RejectionReason
            ? Decision.Accept()
            : Decision.Accept(new PendingEvent(repo.Id,
                new AccessRequestHandled(repo.Repo, command.User, command.Status, command.Status == Gating.Rejected ? command.RejectionReason : null), repo.Version));
    }

    /// <param name="userExists">Whether <paramref name="user"/> is a known user.</param>
    public static Decision DecideGrant(string user, bool userExists, RepoState repo, Actor actor)
    {
        if (OwnerOnly(repo, actor) is { } refused)
        {
            return refused;
        }

        if (!userExists)
        {
            return Decision.Reject(RejectionKind.NotFound, $"user '{user}' does not exist");
        }

        return repo.Access.Request(user)?.Status == Gating.Accepted
            ? Decision.Accept()
            : Decision.Accept(new PendingEvent(repo.Id, new AccessGranted(repo.Repo, user), repo.Version));
    }

    /// <summary>Why <paramref name="actor"/> may not read the repo's access requests, or null when they may.</summary>
    public static Decision? OwnerOnly(RepoState repo, Actor actor) =>
        !actor.Sees(repo) ? Missing(repo)
        : !actor.Owns(repo) ? Decision.Reject(RejectionKind.Forbidden, $"only the owners of {repo.Repo} may do this")
        : null;

    public const int MaxReasonLength = 2_000;

    /// <summary>The same answer as for a repo that does not exist.</summary>
    public static Decision Missing(RepoState repo) =>
        Decision.RepoNotFound(repo.Kind, repo.Repo);
}
