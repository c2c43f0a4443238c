using System.Diagnostics;
using CommunityEvals.Contracts;
using CommunityEvals.Platform.Telemetry;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;

namespace CommunityEvals.Platform.EventStore;

/// <summary>
/// The log is the outbox: this subscription reads committed events in order and publishes each
/// one to RabbitMQ. Marten stores its progress only after a page is published, so a crash means
/// a page is sent again (consumers deduplicate by sequence), never that an event is lost.
/// </summary>
public sealed class EventForwarder : SubscriptionBase
{
    public const string SubscriptionId = "event-forwarder";

    private readonly IBus _bus;

    public EventForwarder(IBus bus)
    {
        _bus = bus;
        Name = SubscriptionId;
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page,
        ISubscriptionController controller,
        IDocumentOperations operations,
        CancellationToken cancellationToken)
    {
        foreach (var @event in page.Events)
        {
            using var activity = EventTracing.StartHandling(@event, "forward", ActivityKind.Producer);
            var message = new EventCommitted(
                @event.Sequence,
                @event.Id,
                @event.StreamKey ?? @event.StreamId.ToString(),
                @event.EventType.Name,
                @event.UserName,
                @event.Timestamp,
                @event.ToPublicJson());
            // The event id as message id lets the broker side recognise a resend as the same message.
            await _bus.Publish(message, context => context.MessageId = @event.Id, cancellationToken);
        }

        return NullChangeListener.Instance;
    }
}
