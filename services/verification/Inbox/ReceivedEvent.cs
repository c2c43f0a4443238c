namespace CommunityEvals.Verification.Inbox;

/// <summary>
/// A forwarded event this service has taken in, keyed by its sequence, so a redelivered message
/// is recognised and handled once.
/// </summary>
public sealed class ReceivedEvent
{
    public long Id { get; set; }

    public string Type { get; set; } = "";

    public string Stream { get; set; } = "";

    public DateTimeOffset ReceivedAt { get; set; }
}
