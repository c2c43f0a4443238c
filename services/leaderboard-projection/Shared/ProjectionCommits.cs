using CommunityEvals.LeaderboardProjection.ScoreChanges;
using Marten;
using Marten.Services;

namespace CommunityEvals.LeaderboardProjection.Shared;

/// <summary>
/// Right after each commit of this node's projection daemon, pulses <see cref="Signal"/> and runs
/// what subscribed. A daemon on another node is not heard of here: whoever subscribes also has to
/// watch the store.
/// </summary>
public sealed class ProjectionCommits : IChangeListener
{
    private readonly List<Action> _subscribers = [];

    public ScoreChangeSignal Signal { get; } = new();

    /// <summary>Subscribes at start-up, before the daemon runs.</summary>
    public void Subscribe(Action onCommit) => _subscribers.Add(onCommit);

    public Task BeforeCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token) => Task.CompletedTask;

    public Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber();
        }

        Signal.Pulse();
        return Task.CompletedTask;
    }
}
