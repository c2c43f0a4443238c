using CommunityEvals.Platform.Http;
using CommunityEvals.Platform.Identity;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Http;

namespace CommunityEvals.Platform.EventStore;

public static class SessionCommit
{
    /// <summary>
    /// How often a command is decided again when another writer committed to its streams first:
    /// enough for every one of dozens of simultaneous writers to one repo to get its turn.
    /// </summary>
    public const int Attempts = 50;

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
            // One transaction from the first read to the append, so LockStreamsAsync holds.
            await session.BeginTransactionAsync(cancellationToken);
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
                // Someone else moved the stream on; decide again on what they wrote, after a
                // short random pause so the racing writers do not collide in lockstep again.
                await Task.Delay(Random.Shared.Next(1, 5 + 2 * Math.Min(attempt, 10)), cancellationToken);
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

    /// <summary>
    /// Appends <paramref name="events"/> to <paramref name="stream"/> as <paramref name="actor"/>, for
    /// writes that decide nothing (an upload, a comment): when concurrent writers race to start the
    /// same new stream, the losers append again instead of failing.
    /// </summary>
    public static async Task<ProblemDocumentResult?> AppendAsync(
        this IDocumentStore store, Caller actor, string stream, object[] events, CancellationToken cancellationToken)
    {
        var (_, problem) = await store.DecideAndCommitAsync(actor, async session =>
        {
            await session.LockStreamsAsync(cancellationToken, stream);
            var version = (await session.Events.FetchStreamStateAsync(stream, cancellationToken))?.Version ?? 0;
            return (Decision.Accept(events.Select(e => new PendingEvent(stream, e, version)).ToArray()), true);
        }, cancellationToken);
        return problem;
    }

    /// <summary>
    /// Makes writers to the same streams take turns until this command's transaction ends. Called
    /// by a decide step before it loads the state it decides on, it turns most races into a short
    /// wait instead of a failed append, and every failed append leaves a gap in the event
    /// sequence that the projection daemon must wait out before it moves on.
    /// </summary>
    public static async Task LockStreamsAsync(this IDocumentSession session, CancellationToken cancellationToken, params string[] streams)
    {
        // One statement takes them all, in a fixed order (a select list is evaluated left to right),
        // so two writers wanting the same streams cannot deadlock.
        var ordered = streams.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray<object>();
        if (ordered.Length == 0)
        {
            return;
        }

        var locks = string.Join(", ", ordered.Select(_ => "pg_advisory_xact_lock(hashtextextended(?, 41000))"));
        await session.QueryAsync<int>($"select 1 from (select {locks}) as locked", cancellationToken, ordered);
    }

    private static bool IsConcurrencyConflict(Exception exception) => exception
        is Marten.Exceptions.ExistingStreamIdCollisionException
        or JasperFx.Events.ExistingStreamIdCollisionException
        or EventStreamUnexpectedMaxEventIdException
        or JasperFx.ConcurrencyException;

    public static ProblemDocumentResult ToProblem(this Rejection rejection) => rejection.ToProblemWithoutCode().WithErrorCode(rejection.ErrorCode);

    private static ProblemDocumentResult ToProblemWithoutCode(this Rejection rejection) => rejection.Kind switch
    {
        RejectionKind.Invalid => Problems.Create(StatusCodes.Status422UnprocessableEntity, "Validation failed", rejection.Message, rejection.Errors),
        RejectionKind.TooLarge => Problems.Create(StatusCodes.Status413PayloadTooLarge, "Too large", rejection.Message, rejection.Errors),
        RejectionKind.NotFound => Problems.NotFound(rejection.Message),
        RejectionKind.Conflict => Problems.Conflict(rejection.Message),
        RejectionKind.Forbidden => Problems.Forbidden(rejection.Message),
        RejectionKind.PreconditionFailed => Problems.Create(StatusCodes.Status412PreconditionFailed, "Precondition failed", rejection.Message),
        RejectionKind.Gone => Problems.Create(StatusCodes.Status410Gone, "Gone", rejection.Message),
        _ => throw new ArgumentOutOfRangeException(nameof(rejection)),
    };
}
