using System.Text.Json;
using CommunityEvals.Platform.Http;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityEvals.LeaderboardProjection.Feed;

public static class FeedApi
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    public static IEndpointRouteBuilder MapFeedApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/events").MapGet("/", GetEventsAsync);
        return app;
    }

    public sealed record FeedEvent(long Sequence, string Type, string Stream, string? Actor, DateTimeOffset OccurredAt, JsonElement Data);

    public sealed record FeedPage(IReadOnlyList<FeedEvent> Events, long? Next);

    /// <summary>
    /// The public log, oldest first from <c>after</c>; with <c>order=desc</c> newest first, before
    /// <c>before</c> when given, and <c>next</c> is then the <c>before</c> of the following (older)
    /// page. <c>stream</c> keeps one stream's events (<c>model/acme/m</c>, <c>dataset/…</c>,
    /// <c>benchmark/…</c>), <c>commit</c> the events that carry that commit.
    /// </summary>
    public static async Task<Results<Ok<FeedPage>, ProblemDocumentResult>> GetEventsAsync(
        IQuerySession session, string? after, string? before, string? limit, string? order, string? stream, string? commit, CancellationToken cancellationToken)
    {
        long afterSequence = 0;
        if (after is not null && (!long.TryParse(after, out afterSequence) || afterSequence < 0))
        {
            return Problems.BadRequest("'after' must be a non-negative integer sequence number.");
        }

        long? beforeSequence = null;
        if (before is not null)
        {
            if (!long.TryParse(before, out var parsed) || parsed < 1)
            {
                return Problems.BadRequest("'before' must be a positive integer sequence number.");
            }

            beforeSequence = parsed;
        }

        if (order is not (null or "asc" or "desc"))
        {
            return Problems.BadRequest("'order' must be 'asc' (oldest first, the default) or 'desc' (newest first).");
        }

        var pageSize = DefaultPageSize;
        if (limit is not null && (!int.TryParse(limit, out pageSize) || pageSize < 1 || pageSize > MaxPageSize))
        {
            return Problems.BadRequest($"'limit' must be an integer from 1 to {MaxPageSize}.");
        }

        var query = new FeedQuery(afterSequence, beforeSequence, NullIfEmpty(stream), NullIfEmpty(commit), NewestFirst: order == "desc");

        // One row beyond the page tells whether a next page exists.
        var entries = await FeedTable.ReadAsync(session, query, pageSize + 1, cancellationToken);

        var page = entries.Take(pageSize)
            .Select(entry => new FeedEvent(entry.Id, entry.Type, entry.Stream, entry.Actor, entry.OccurredAt, entry.Data))
            .ToList();
        long? next = entries.Count > pageSize ? page[^1].Sequence : null;
        return TypedResults.Ok(new FeedPage(page, next));
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
