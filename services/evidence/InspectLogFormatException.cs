namespace CommunityEvals.Evidence;

/// <summary>The log is not a well-formed Inspect log within the limits; the message is one readable line.</summary>
public sealed class InspectLogFormatException : Exception
{
    public InspectLogFormatException(string message) : base(message) { }

    public InspectLogFormatException(string message, Exception inner) : base(message, inner) { }
}
