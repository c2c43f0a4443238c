using CommunityEvals.Platform.EventStore;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;

namespace CommunityEvals.LeaderboardProjection.Feed;

/// <summary>
/// Copies every event into the public feed (<see cref="FeedTable"/>), a page at a time in one
/// statement. It runs in the async daemon, which only hands out events below the high-water
/// mark, so readers never see a later event before an earlier one.
/// </summary>
public sealed class FeedProjection : IProjection
{
    public const string ProjectionName = "Feed";

    private volatile bool _tableReady;

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        if (events.Count == 0)
        {
            return;
        }

        var schema = operations.DocumentStore.Options.DatabaseSchemaName;
        if (!_tableReady)
        {
            // Until the table is seen to exist, each page makes it in its own transaction, before its rows.
            if (await FeedTable.ExistsAsync(operations, schema, cancellation))
            {
                _tableReady = true;
            }
            else
            {
                operations.QueueSqlCommand(FeedTable.CreateSql(schema));
            }

            // Also for a table made before the index existed; cheap when it is there.
            operations.QueueSqlCommand(FeedTable.VisibilityIndexSql(schema));
        }

        var count = events.Count;
        var sequences = new long[count];
        var types = new string[count];
        var streams = new string[count];
        var actors = new string?[count];
        var times = new string[count];
        var data = new string[count];
        for (var i = 0; i < count; i++)
        {
            var @event = events[i];
            sequences[i] = @event.Sequence;
            types[i] = @event.EventType.Name;
            streams[i] = @event.StreamKey ?? @event.StreamId.ToString();
            actors[i] = @event.UserName;
            times[i] = FeedTable.Text(@event.Timestamp);
            data[i] = System.Text.Json.JsonSerializer.Serialize(@event.Data, @event.EventType, EventStoreExtensions.PublicJson);
        }

        operations.QueueSqlCommand(FeedTable.InsertSql(schema), sequences, types, streams, actors, times, data);
    }
}
