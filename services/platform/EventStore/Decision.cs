using CommunityEvals.Platform.Http;

namespace CommunityEvals.Platform.EventStore;

/// <summary>Why a command was refused; each kind maps to one HTTP status at the edge.</summary>
public enum RejectionKind
{
    Invalid,
    NotFound,
    Conflict,
    Forbidden,
    PreconditionFailed,
    TooLarge,
    Gone,
}

/// <param name="Errors">Where exactly the input is wrong, for validation failures.</param>
/// <param name="ErrorCode">The Hub's <c>X-Error-Code</c> for the answer, when it has one.</param>
public sealed record Rejection(RejectionKind Kind, string Message, IReadOnlyList<ValidationError>? Errors = null, string? ErrorCode = null);

/// <summary>An event a decider wants appended, with the stream version it expects to find.</summary>
/// <param name="ExpectedVersion">
/// The stream's version the decision was made on; 0 means the stream must not exist yet.
/// </param>
public sealed record PendingEvent(string Stream, object Event, long ExpectedVersion);

/// <summary>
/// What a pure decider returns: the events to append, or a rejection. Deciders never throw for
/// bad input and never touch the store.
/// </summary>
public sealed record Decision(IReadOnlyList<PendingEvent> Events, Rejection? Rejection)
{
    public static Decision Accept(IReadOnlyList<PendingEvent> events) => new(events, null);

    public static Decision Accept(params PendingEvent[] events) => new(events, null);

    public static Decision Reject(RejectionKind kind, string message) => new([], new Rejection(kind, message));

    public static Decision Reject(RejectionKind kind, string message, IReadOnlyList<ValidationError> errors) =>
        new([], new Rejection(kind, message, errors));

    /// <summary>A repo that does not exist, or is private to the caller: answered alike (<see cref="Problems.RepoNotFound"/>).</summary>
    public static Decision RepoNotFound(string kind, string repo) =>
        new([], new Rejection(RejectionKind.NotFound, Problems.RepoNotFoundMessage(kind, repo), ErrorCode: Problems.RepoNotFoundCode));

    public bool IsRejected => Rejection is not null;
}
