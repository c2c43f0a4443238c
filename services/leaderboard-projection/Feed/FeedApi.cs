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

    public static async Task<Results<Ok<FeedPage>, ProblemDocumentResult>> GetEventsAsync(
        IQuerySession session, string? after, string? limit, CancellationToken cancellationToken)
    {
        long afterSequence = 0;
        if (after is not null && (!long.TryParse(after, out afterSequence) || afterSequence < 0))
        {
            return Problems.BadRequest("'after' must be a non-negative integer sequence number.");
        }

        var pageSize = DefaultPageSize;
        if (limit is not null && (!int.TryParse(limit, out pageSize) || pageSize < 1 || pageSize > MaxPageSize))
        {
            return Problems.BadRequest($"'limit' must be an integer from 1 to {MaxPageSize}.");
        }

        // One row beyond the page tells whether a next page exists.
        var entries = await FeedTable.ReadAsync(session, afterSequence, pageSize + 1, cancellationToken);

        var page = entries.Take(pageSize)
            .Select(entry => new FeedEvent(entry.Id, entry.Type, entry.Stream, entry.Actor, entry.OccurredAt, entry.Data))
            .ToList();
        long? next = entries.Count > pageSize ? page[^1].Sequence : null;
        return TypedResults.Ok(new FeedPage(page, next));
    }
}
