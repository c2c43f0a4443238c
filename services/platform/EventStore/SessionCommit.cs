using CommunityEvals.Platform.Http;
using CommunityEvals.Platform.Identity;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Http;

namespace CommunityEvals.Platform.EventStore;

public static class SessionCommit
{
    /// <summary>How often a command is decided again when another writer committed to its streams first.</summary>
    public const int Attempts = 5;

    /// <summary>
    /// Runs one command: load state and decide (in <paramref name="decide"/>), then append the
    /// accepted events at the stream versions the decision saw, as <paramref name="actor"/>. When
    /// a concurrent writer got there first, the command is decided again on fresh state, so no
    /// update is lost and nothing is half-written. Rejections come back as problem documents.
    /// </summary>
    public static async Task<(T? Outcome, ProblemDocumentResult? Problem)> DecideAndCommitAsync<T>(
        this IDocumentStore store,
        Caller actor,
        Func<IDocumentSession, Task<(Decision Decision, T Outcome)>> decide,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            var (decision, outcome) = await decide(session);
            if (decision.Rejection is { } rejection)
            {
                return (default, rejection.ToProblem());
            }

            session.LastModifiedBy = actor.Name;
            session.Stage(decision);
            Idempotency.ReserveIn(session);
            try
            {
                await session.SaveChangesAsync(cancellationToken);
                return (outcome, null);
            }
            catch (Exception exception) when (IsConcurrencyConflict(exception) && attempt < Attempts)
            {
                // Someone else moved the stream on; decide again on what they wrote.
            }
            catch (Exception exception) when (IsConcurrencyConflict(exception))
            {
                return (default, Problems.Conflict("Other changes to the same data kept winning the race; retry the request."));
            }
            catch (JasperFx.DocumentAlreadyExistsException)
            {
                return (default, Problems.Conflict($"A request with this {Idempotency.Header} was already processed or is in progress."));
            }
        }
    }

    private static bool IsConcurrencyConflict(Exception exception) => exception
        is Marten.Exceptions.ExistingStreamIdCollisionException
        or JasperFx.Events.ExistingStreamIdCollisionException
        or EventStreamUnexpectedMaxEventIdException
        or JasperFx.ConcurrencyException;

    public static ProblemDocumentResult ToProblem(this Rejection rejection) => rejection.Kind switch
    {
        RejectionKind.Invalid => Problems.Create(StatusCodes.Status422UnprocessableEntity, "Validation failed", rejection.Message, rejection.Errors),
        RejectionKind.TooLarge => Problems.Create(StatusCodes.Status413PayloadTooLarge, "Too large", rejection.Message, rejection.Errors),
        RejectionKind.NotFound => Problems.NotFound(rejection.Message),
        RejectionKind.Conflict => Problems.Conflict(rejection.Message),
        RejectionKind.Forbidden => Problems.Forbidden(rejection.Message),
        RejectionKind.PreconditionFailed => Problems.Create(StatusCodes.Status412PreconditionFailed, "Precondition failed", rejection.Message),
        _ => throw new ArgumentOutOfRangeException(nameof(rejection)),
    };
}
