using CommunityEvals.Platform.EventStore;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;

namespace CommunityEvals.LeaderboardProjection.Feed;

/// <summary>
/// Copies every event into the public feed. It runs in the async daemon, which only hands out
/// events below the high-water mark, so readers never see a later event before an earlier one.
/// </summary>
public sealed class FeedProjection : IProjection
{
    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        foreach (var @event in events)
        {
            operations.Store(new FeedEntry
            {
                Id = @event.Sequence,
                Type = @event.EventType.Name,
                Stream = @event.StreamKey ?? @event.StreamId.ToString(),
                Actor = @event.UserName,
                OccurredAt = @event.Timestamp,
                Data = @event.ToPublicJson(),
            });
        }

        return Task.CompletedTask;
    }
}
