using System.Globalization;
using System.Text;
using System.Text.Json;
using CommunityEvals.LeaderboardProjection.Arena;
using CommunityEvals.Platform.Http;
using Marten;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityEvals.LeaderboardProjection.ScoreChanges;

/// <summary>
/// <c>GET /api/events/stream</c>: the stored score changes as Server-Sent Events, in id order,
/// then live ones as the projection stores them. Resumes strictly after <c>Last-Event-ID</c>, or
/// after every change of event <c>after</c>; with neither, starts at the newest change stored.
/// </summary>
public static class ScoreChangeStreamApi
{
    public const string EventName = "score-changed";

    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapScoreChangeStream(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/events/stream", StreamAsync);
        app.MapGet("/api/events/changes", ListAsync);
        return app;
    }

    public const int MaxPageSize = 1000;

    /// <summary>A page of stored changes, as the stream would send them: <c>next</c> is the id to pass as <c>after</c> for more, null at the end.</summary>
    public sealed record ChangesPage(IReadOnlyList<CommunityEvals.Contracts.ScoreChanged> Changes, string? Next);

    /// <summary>
    /// <c>GET /api/events/changes</c>: the same changes as the stream, as one JSON page, oldest first
    /// (a board's or a model's history of moves, where a client cannot hold a stream open). <c>after</c>
    /// is a change id (<c>{sequence}.{n}</c>) or an event's sequence.
    /// </summary>
    public static async Task<Results<Ok<ChangesPage>, ProblemDocumentResult>> ListAsync(
        HttpRequest request, IQuerySession session, CancellationToken cancellationToken)
    {
        var (benchmark, model, refused) = Filters(request);
        if (refused is not null)
        {
            return refused;
        }


        var start = ChangePosition.Start;
        if (request.Query["after"].FirstOrDefault() is { Length: > 0 } afterText)
        {
            if (ScoreChangeRules.TryParseId(afterText, out var sequence, out var n))
            {
                start = new ChangePosition(sequence, n);
            }
            else if (long.TryParse(afterText, NumberStyles.None, CultureInfo.InvariantCulture, out var after))
            {
                start = ChangePosition.AfterEvent(after);
            }
            else
            {
                return Problems.BadRequest("'after' must be a change id, {sequence}.{n}, or an event's sequence number.");
            }
        }

        var limit = 100;
        if (request.Query["limit"].FirstOrDefault() is { Length: > 0 } limitText
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxPageSize))
        {
            return Problems.BadRequest($"'limit' must be an integer from 1 to {MaxPageSize}.");
        }

        // One change beyond the page tells whether there are more.
        var changes = await ScoreChangeFeed.AfterAsync(session, start, limit + 1, cancellationToken, benchmark, model);
        var page = changes.Take(limit).Select(change => change.ToMessage()).ToList();
        return TypedResults.Ok(new ChangesPage(page, changes.Count > limit ? page[^1].Id : null));
    }

    public static async Task<Results<ScoreChangeStream, ProblemDocumentResult>> StreamAsync(
        HttpRequest request, IDocumentStore store, ScoreChangeSignal signal, CancellationToken cancellationToken)
    {
        var (benchmark, model, refused) = Filters(request);
        if (refused is not null)
        {
            return refused;
        }


        ChangePosition? start = null;
        var lastEventId = request.Headers["Last-Event-ID"].FirstOrDefault();
        if (!string.IsNullOrWhiteSpace(lastEventId))
        {
            if (!ScoreChangeRules.TryParseId(lastEventId.Trim(), out var sequence, out var n))
            {
                return Problems.BadRequest("'Last-Event-ID' must be a change id, {sequence}.{n}.");
            }

            start = new ChangePosition(sequence, n);
        }
        else if (request.Query["after"].FirstOrDefault() is { Length: > 0 } afterText)
        {
            if (!long.TryParse(afterText, NumberStyles.None, CultureInfo.InvariantCulture, out var after))
            {
                return Problems.BadRequest("'after' must be a non-negative integer sequence number.");
            }

            start = ChangePosition.AfterEvent(after);
        }

        long arenaStart;
        if (start is null)
        {
            await using var session = store.QuerySession();
            start = await ScoreChangeFeed.LatestAsync(session, cancellationToken);
            arenaStart = await ArenaChangeFeed.LatestAsync(session, cancellationToken);
        }
        else
        {
            // Resuming: arena changes of later events (an arena event's changes all go out together).
            arenaStart = start.Value.Sequence;
        }

        return new ScoreChangeStream(store, signal, start.Value, benchmark, model, arenaStart);
    }

    /// <summary>The <c>benchmark</c> and <c>model</c> filters (null when absent), or why they are refused.</summary>
    private static (string? Benchmark, string? Model, ProblemDocumentResult? Problem) Filters(HttpRequest request)
    {
        var benchmark = request.Query["benchmark"].FirstOrDefault();
        var model = request.Query["model"].FirstOrDefault();
        if (benchmark is not null && !IsRepoId(benchmark))
        {
            return (null, null, Problems.BadRequest("'benchmark' must be a dataset id, org/name."));
        }

        return model is not null && !IsRepoId(model)
            ? (null, null, Problems.BadRequest("'model' must be a model id, org/name."))
            : (benchmark, model, null);
    }

    private static bool IsRepoId(string value)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash < value.Length - 1 && value.IndexOf('/', slash + 1) < 0;
    }

    /// <summary>One event of the stream, as it goes on the wire.</summary>
    public static string Format(ScoreChangeRecord change) =>
        $"id: {change.Id}\nevent: {EventName}\ndata: {JsonSerializer.Serialize(change.ToMessage(), JsonSerializerOptions.Web)}\n\n";

    public const string ArenaEventName = "arena-changed";

    /// <summary>An arena board's new ratings, as it goes on the wire (ARENA.md).</summary>
    public static string Format(CommunityEvals.Contracts.ArenaRatingsChanged change) =>
        $"id: {change.Id}\nevent: {ArenaEventName}\ndata: {JsonSerializer.Serialize(change, JsonSerializerOptions.Web)}\n\n";
}

/// <summary>Writes the stream until the client goes away, flushing after every batch of events and every keep-alive.</summary>
/// <remarks>
/// Arena changes (<c>arena-changed</c>) go out in the same stream in id order; they belong to no model,
/// so a stream filtered by <c>model</c> leaves them out.
/// </remarks>
public sealed class ScoreChangeStream(IDocumentStore store, ScoreChangeSignal signal, ChangePosition start, string? benchmark, string? model, long arenaStart = long.MaxValue) : IResult
{
    public const int PageSize = 200;

    /// <summary>How long to wait for a pulse before looking anyway.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    public ChangePosition Start => start;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        // The stream ends when the client goes away or the service stops (which would otherwise wait for it).
        var stopping = httpContext.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted, stopping);
        var cancellationToken = linked.Token;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache, no-transform";
        response.Headers["X-Accel-Buffering"] = "no";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var logger = httpContext.RequestServices.GetRequiredService<ILogger<ScoreChangeStream>>();

        var position = start;
        var arenaPosition = model is null ? arenaStart : long.MaxValue;
        var lastWrite = DateTimeOffset.UtcNow;
        try
        {
            // An opening comment sends the headers at once, so clients see the stream open.
            await WriteAsync(response, ": stream open\n\n", cancellationToken);
            while (!cancellationToken.IsCancellationRequested)
            {
                var next = signal.Next;
                IReadOnlyList<ScoreChangeRecord> changes;
                ArenaChangeFeed.Page arena = new([], arenaPosition);
                try
                {
                    await using var session = store.QuerySession();
                    changes = await ScoreChangeFeed.AfterAsync(session, position, PageSize, cancellationToken, benchmark, model);
                    if (arenaPosition != long.MaxValue)
                    {
                        // Not past the score changes read when there may be more of them: ids go out in order.
                        var through = changes.Count == PageSize ? changes[^1].Sequence : (long?)null;
                        arena = await ArenaChangeFeed.AfterAsync(session, arenaPosition, PageSize, cancellationToken, benchmark, through);
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    logger.LogWarning(exception, "Reading score changes for a stream failed; retrying");
                    changes = [];
                    arena = new([], arenaPosition);
                }

                if (changes.Count > 0 || arena.Changes.Count > 0)
                {
                    var text = new StringBuilder();
                    var arenaChanges = arena.Changes.GetEnumerator();
                    var more = arenaChanges.MoveNext();
                    foreach (var change in changes)
                    {
                        for (; more && arenaChanges.Current.Sequence < change.Sequence; more = arenaChanges.MoveNext())
                        {
                            text.Append(ScoreChangeStreamApi.Format(arenaChanges.Current));
                        }

                        text.Append(ScoreChangeStreamApi.Format(change));
                    }

                    for (; more; more = arenaChanges.MoveNext())
                    {
                        text.Append(ScoreChangeStreamApi.Format(arenaChanges.Current));
                    }

                    await WriteAsync(response, text.ToString(), cancellationToken);
                    lastWrite = DateTimeOffset.UtcNow;
                }

                if (changes.Count > 0)
                {
                    position = ChangePosition.Of(changes[^1]);
                }

                if (arenaPosition != long.MaxValue)
                {
                    arenaPosition = arena.Through;
                }

                if (changes.Count == PageSize || arena.More)
                {
                    continue;
                }

                var quiet = DateTimeOffset.UtcNow - lastWrite;
                if (quiet >= ScoreChangeStreamApi.KeepAlive)
                {
                    await WriteAsync(response, ": keep-alive\n\n", cancellationToken);
                    lastWrite = DateTimeOffset.UtcNow;
                    continue;
                }

                var untilKeepAlive = ScoreChangeStreamApi.KeepAlive - quiet;
                await ScoreChangeSignal.WaitAsync(next, untilKeepAlive < Poll ? untilKeepAlive : Poll, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away, or the service is stopping: the client resumes with Last-Event-ID.
        }
    }

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        await response.WriteAsync(text, Encoding.UTF8, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
