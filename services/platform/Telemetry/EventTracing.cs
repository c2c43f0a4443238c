using System.Diagnostics;
using JasperFx.Events;
using Marten;

namespace CommunityEvals.Platform.Telemetry;

/// <summary>
/// Keeps one commit one trace across the log. An event is stored with the W3C <c>traceparent</c> of
/// the request that appended it; whatever later handles the event out of band (the forwarder that
/// puts it on RabbitMQ, the projection that folds it) opens its span under that parent, so the
/// dashboard shows the gateway, ingestion, the broker, verification and the projection in one trace.
/// Nothing is stored or started while no telemetry is recorded.
/// </summary>
public static class EventTracing
{
    /// <summary>The activity source of these spans (ServiceDefaults records it).</summary>
    public const string SourceName = "CommunityEvals.Events";

    public const string TraceParentHeader = "traceparent";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>Stamps the session's pending events with the current trace, if one is being recorded.</summary>
    public static void StampPendingEvents(IDocumentSession session)
    {
        if (Activity.Current is not { Recorded: true } current)
        {
            return;
        }

        foreach (var stream in session.PendingChanges.Streams())
        {
            foreach (var @event in stream.Events)
            {
                @event.SetHeader(TraceParentHeader, current.Id!);
            }
        }
    }

    /// <summary>
    /// A span for handling <paramref name="event"/> under the trace that appended it, or null when the
    /// event carries none or nobody records. Dispose it when the handling is done.
    /// </summary>
    public static Activity? StartHandling(IEvent @event, string operation, ActivityKind kind = ActivityKind.Consumer, DateTimeOffset startTime = default)
    {
        if (!Source.HasListeners()
            || @event.Headers?.GetValueOrDefault(TraceParentHeader)?.ToString() is not { } traceParent
            || !ActivityContext.TryParse(traceParent, null, out var parent))
        {
            return null;
        }

        var activity = Source.StartActivity($"{operation} {@event.EventType.Name}", kind, parent, startTime: startTime);
        activity?.SetTag("event.sequence", @event.Sequence);
        activity?.SetTag("event.stream", @event.StreamKey);
        return activity;
    }
}

/// <summary>Stamps every appended event with the trace of the request that appends it (<see cref="EventTracing"/>).</summary>
public sealed class TraceStamper : DocumentSessionListenerBase
{
    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        EventTracing.StampPendingEvents(session);
        return Task.CompletedTask;
    }
}
