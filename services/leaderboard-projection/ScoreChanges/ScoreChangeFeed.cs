using CommunityEvals.LeaderboardProjection.Shared;
using Marten;

namespace CommunityEvals.LeaderboardProjection.ScoreChanges;

/// <summary>A place in the change log: after change <c>{Sequence}.{N}</c>.</summary>
public readonly record struct ChangePosition(long Sequence, int N) : IComparable<ChangePosition>
{
    public static readonly ChangePosition Start = new(0, 0);

    /// <summary>After every change of event <paramref name="sequence"/>.</summary>
    public static ChangePosition AfterEvent(long sequence) => new(sequence, int.MaxValue);

    public static ChangePosition Of(ScoreChangeRecord change) => new(change.Sequence, change.N);

    /// <summary>The log's order: by sequence, then by n.</summary>
    public int CompareTo(ChangePosition other) => (Sequence, N).CompareTo((other.Sequence, other.N));

    public override string ToString() => ScoreChangeRules.IdOf(Sequence, N);
}

/// <summary>Reads stored changes in their order, (sequence, n), from the events' <see cref="ScoreChangeSet"/>s.</summary>
public static class ScoreChangeFeed
{
    /// <summary>The changes after <paramref name="position"/>, oldest first, optionally of one benchmark and/or one model.</summary>
    public static async Task<IReadOnlyList<ScoreChangeRecord>> AfterAsync(
        IQuerySession session,
        ChangePosition position,
        int take,
        CancellationToken cancellationToken,
        string? benchmark = null,
        string? model = null)
    {
        var changes = new List<ScoreChangeRecord>();
        if (take <= 0)
        {
            return changes;
        }

        // Private benchmarks' boards are published to no one (ACCESS.md "Visibility").
        var privateBenchmarks = await session.PrivateReposAsync("dataset", cancellationToken);
        // Every set holds at least one change, so without filters one round is enough.
        var pageSize = Math.Clamp(take, 16, 1000);
        var from = position.Sequence;
        var inclusive = true;
        while (true)
        {
            var query = inclusive
                ? session.Query<ScoreChangeSet>().Where(set => set.Id >= from)
                : session.Query<ScoreChangeSet>().Where(set => set.Id > from);
            var sets = await query.OrderBy(set => set.Id).Take(pageSize).ToListAsync(cancellationToken);
            foreach (var set in sets)
            {
                foreach (var change in set.Changes)
                {
                    if ((change.Sequence == position.Sequence && change.N <= position.N)
                        || (benchmark is not null && change.Benchmark != benchmark)
                        || privateBenchmarks.Contains(change.Benchmark)
                        || (model is not null && change.ModelId != model))
                    {
                        continue;
                    }

                    changes.Add(change);
                    if (changes.Count == take)
                    {
                        return changes;
                    }
                }
            }

            if (sets.Count < pageSize)
            {
                return changes;
            }

            from = sets[^1].Id;
            inclusive = false;
        }
    }

    /// <summary>The position of the newest stored change; <see cref="ChangePosition.Start"/> when there is none.</summary>
    public static async Task<ChangePosition> LatestAsync(IQuerySession session, CancellationToken cancellationToken)
    {
        var latest = await session.Query<ScoreChangeSet>()
            .OrderByDescending(set => set.Id)
            .FirstOrDefaultAsync(cancellationToken);
        return latest is { Changes.Count: > 0 } ? ChangePosition.Of(latest.Changes[^1]) : ChangePosition.Start;
    }
}

/// <summary>
/// Wakes whoever waits for new changes (SSE streams, the publisher). <see cref="ScoreChangeWatcher"/>
/// pulses it when the newest stored change moves; the projection may run on another node, so the
/// store is the only place to watch.
/// </summary>
public sealed class ScoreChangeSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next pulse. Take it before reading, so a pulse during the read is not missed.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Pulse() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Waits for the pulse <paramref name="next"/> stands for, at most <paramref name="timeout"/>.</summary>
    public static async Task WaitAsync(Task next, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await next.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
    }
}

/// <summary>
/// Checks the newest stored change every <see cref="Interval"/>, and at once when this node's
/// projection daemon commits a page (<see cref="ProjectionCommits"/>), and pulses
/// <see cref="ScoreChangeSignal"/> when it moved. Only this one query runs per commit, however
/// many streams wait; the interval covers a daemon running on another node.
/// </summary>
public sealed class ScoreChangeWatcher(IDocumentStore store, ScoreChangeSignal signal, ProjectionCommits commits, ILogger<ScoreChangeWatcher> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(150);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ChangePosition? seen = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var wake = commits.Signal.Next;
                await using (var session = store.QuerySession())
                {
                    var latest = await ScoreChangeFeed.LatestAsync(session, stoppingToken);
                    if (latest != seen)
                    {
                        seen = latest;
                        signal.Pulse();
                    }
                }

                await ScoreChangeSignal.WaitAsync(wake, Interval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The table appears with the first change; until then (or while the database is away) try again shortly.
                logger.LogDebug(exception, "Could not read the newest score change");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
