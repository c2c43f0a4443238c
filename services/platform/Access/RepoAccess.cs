using CommunityEvals.Contracts.Events;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Identity;
using Marten;
using Microsoft.AspNetCore.Http;

namespace CommunityEvals.Platform.Access;

/// <summary>How a gated dataset hands out access (ACCESS.md "Gated test sets").</summary>
public static class Gating
{
    public const string Auto = "auto";
    public const string Manual = "manual";

    public const string Pending = "pending";
    public const string Accepted = "accepted";
    public const string Rejected = "rejected";

    public static bool IsStatus(string? status) => status is Pending or Accepted or Rejected;
}

/// <summary>One user's standing with a gated dataset.</summary>
public sealed class AccessRequestState
{
    public string User { get; set; } = "";

    public string Status { get; set; } = Gating.Pending;

    public string? Reason { get; set; }

    public string? RejectionReason { get; set; }

    public DateTimeOffset RequestedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// Who may see a repo and read its data, folded from its stream (ACCESS.md "Visibility", "Gated test
/// sets"). The write side keeps it inside its repo state; the other services fold it from the log when
/// a route needs it, so every service applies the same rules.
/// </summary>
public sealed class RepoAccessState
{
    public string Owner { get; set; } = "";

    public bool OwnerIsOrg { get; set; }

    public bool Private { get; set; }

    /// <summary><see cref="Gating.Auto"/>, <see cref="Gating.Manual"/>, or null when not gated.</summary>
    public string? Gated { get; set; }

    public List<AccessRequestState> Requests { get; set; } = [];

    public static RepoAccessState Create(RepoCreated created) => new()
    {
        Owner = created.Owner,
        OwnerIsOrg = created.OwnerIsOrg,
        Private = created.Private,
    };

    public void Apply(RepoSettingsChanged changed)
    {
        Private = changed.Private;
        Gated = changed.Gated;
    }

    public void Apply(JasperFx.Events.IEvent<AccessRequested> requested)
    {
        var request = Request(requested.Data.User);
        if (request is null)
        {
            request = new AccessRequestState { User = requested.Data.User, RequestedAt = requested.Timestamp };
            Requests.Add(request);
        }

        request.Status = requested.Data.Status;
        request.Reason = requested.Data.Reason;
        request.RejectionReason = null;
        request.UpdatedAt = requested.Timestamp;
    }

    public void Apply(JasperFx.Events.IEvent<AccessRequestHandled> handled) =>
        Set(handled.Data.User, handled.Data.Status, handled.Data.RejectionReason, handled.Timestamp);

    public void Apply(JasperFx.Events.IEvent<AccessGranted> granted) =>
        Set(granted.Data.User, Gating.Accepted, null, granted.Timestamp);

    public AccessRequestState? Request(string user) => Requests.FirstOrDefault(request => request.User == user);

    /// <summary>Owners are the user, or every member of the org; the admin may do what an owner may.</summary>
    public bool OwnedBy(Viewer? viewer) => viewer is not null && viewer.Owns(Owner, OwnerIsOrg);

    /// <summary>Whether the repo exists for <paramref name="viewer"/> (null: anonymous). A private repo exists for its owners only.</summary>
    public bool VisibleTo(Viewer? viewer) => Viewer.CanSee(viewer, Private, Owner, OwnerIsOrg);

    /// <summary>Whether <paramref name="viewer"/> may read the data files (and sample texts) of the repo.</summary>
    public bool DataReadableBy(Viewer? viewer) =>
        VisibleTo(viewer)
        && (Gated is null || OwnedBy(viewer) || (viewer is not null && Request(viewer.Caller.Name)?.Status == Gating.Accepted));

    private void Set(string user, string status, string? rejectionReason, DateTimeOffset at)
    {
        var request = Request(user);
        if (request is null)
        {
            request = new AccessRequestState { User = user, RequestedAt = at };
            Requests.Add(request);
        }

        request.Status = status;
        request.RejectionReason = status == Gating.Rejected ? rejectionReason : null;
        request.UpdatedAt = at;
    }

    /// <summary>The access state of a repo's stream, folded from the log; null when the repo does not exist.</summary>
    public static Task<RepoAccessState?> LoadAsync(IQuerySession session, string kind, string repo, CancellationToken cancellationToken) =>
        session.Events.AggregateStreamAsync<RepoAccessState>(StreamKeys.Repo(kind, repo), token: cancellationToken);
}

/// <summary>A signed-in caller with the orgs they belong to: what access rules need to know of them.</summary>
public sealed record Viewer(Caller Caller, IReadOnlyList<string> Orgs)
{
    public string Name => Caller.Name;

    public bool Owns(string owner, bool ownerIsOrg) =>
        Caller.IsAdmin || (ownerIsOrg ? Orgs.Contains(owner, StringComparer.Ordinal) : owner == Caller.Name);

    /// <summary>Whether a repo exists for <paramref name="viewer"/> (null: anonymous): a private one does for its owners only.</summary>
    public static bool CanSee(Viewer? viewer, bool isPrivate, string owner, bool ownerIsOrg) =>
        !isPrivate || (viewer is not null && viewer.Owns(owner, ownerIsOrg));

    /// <summary>The request's signed-in caller with their orgs, or null when anonymous (or unknown).</summary>
    public static async Task<Viewer?> LoadAsync(IQuerySession session, HttpRequest request, CancellationToken cancellationToken)
    {
        if (Caller.From(request) is not { } caller)
        {
            return null;
        }

        if (caller.IsAdmin)
        {
            return new Viewer(caller, []);
        }

        var profile = await session.LoadAsync<UserProfile>(caller.Name, cancellationToken);
        return profile is null ? null : new Viewer(caller, profile.Orgs);
    }
}
