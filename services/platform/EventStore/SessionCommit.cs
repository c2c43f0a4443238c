using CommunityEvals.Platform.Http;
using CommunityEvals.Platform.Identity;
using JasperFx.Events;
using Marten;
using Marten.Exceptions;
using Microsoft.AspNetCore.Http;

namespace CommunityEvals.Platform.EventStore;

public static class SessionCommit
{
    /// <summary>
    /// Appends an accepted decision as <paramref name="actor"/> and commits. A concurrent writer
    /// that got there first surfaces as 409, so the client retries on fresh state; nothing is
    /// half-written either way. Returns null on success.
    /// </summary>
    public static async Task<ProblemDocumentResult?> CommitAsync(
        this IDocumentSession session, Caller actor, Decision decision, CancellationToken cancellationToken)
    {
        if (decision.Rejection is { } rejection)
        {
            return rejection.ToProblem();
        }

        session.LastModifiedBy = actor.Name;
        session.Stage(decision);
        try
        {
            await session.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (Exception exception) when (IsConcurrencyConflict(exception))
        {
            return Problems.Conflict("Another change to the same data was committed first; retry the request.");
        }
    }

    private static bool IsConcurrencyConflict(Exception exception) => exception
        is Marten.Exceptions.ExistingStreamIdCollisionException
        or JasperFx.Events.ExistingStreamIdCollisionException
        or EventStreamUnexpectedMaxEventIdException
        or JasperFx.ConcurrencyException;

    public static ProblemDocumentResult ToProblem(this Rejection rejection) => rejection.Kind switch
    {
        RejectionKind.Invalid => Problems.Create(StatusCodes.Status422UnprocessableEntity, "Invalid request", rejection.Message),
        RejectionKind.NotFound => Problems.NotFound(rejection.Message),
        RejectionKind.Conflict => Problems.Conflict(rejection.Message),
        RejectionKind.Forbidden => Problems.Forbidden(rejection.Message),
        RejectionKind.PreconditionFailed => Problems.Create(StatusCodes.Status412PreconditionFailed, "Precondition failed", rejection.Message),
        _ => throw new ArgumentOutOfRangeException(nameof(rejection)),
    };
}
