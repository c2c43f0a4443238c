using Marten;

namespace CommunityEvals.Platform.EventStore;

public static class DecisionAppender
{
    /// <summary>
    /// Stages a decision's events in the session, grouped per stream with the version the decider
    /// saw, so a concurrent writer to the same stream makes SaveChanges fail instead of being lost.
    /// </summary>
    public static void Stage(this IDocumentSession session, Decision decision)
    {
        foreach (var stream in decision.Events.GroupBy(pending => pending.Stream))
        {
            var expected = stream.First().ExpectedVersion;
            var events = stream.Select(pending => pending.Event).ToArray();
            if (expected == 0)
            {
                session.Events.StartStream(stream.Key, events);
            }
            else
            {
                session.Events.Append(stream.Key, expected + events.Length, events);
            }
        }
    }
}
