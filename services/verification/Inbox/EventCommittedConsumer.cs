using CommunityEvals.Contracts;
using Marten;
using MassTransit;

namespace CommunityEvals.Verification.Inbox;

/// <summary>
/// Takes in the log's events as the ingestion service forwards them. Recording each in the inbox
/// in the same transaction as the work it causes is what makes redelivery harmless.
/// </summary>
public sealed class EventCommittedConsumer(IDocumentSession session, ILogger<EventCommittedConsumer> logger)
    : IConsumer<EventCommitted>
{
    public async Task Consume(ConsumeContext<EventCommitted> context)
    {
        var message = context.Message;
        if (await session.LoadAsync<ReceivedEvent>(message.Sequence, context.CancellationToken) is not null)
        {
            logger.LogDebug("Event {Sequence} was already received; skipping the redelivery", message.Sequence);
            return;
        }

        session.Insert(new ReceivedEvent
        {
            Id = message.Sequence,
            Type = message.Type,
            Stream = message.Stream,
            ReceivedAt = DateTimeOffset.UtcNow,
        });
        try
        {
            await session.SaveChangesAsync(context.CancellationToken);
        }
        catch (JasperFx.DocumentAlreadyExistsException)
        {
            // A concurrent redelivery won the race; the event is handled once all the same.
        }
    }
}
