using JasperFx.Events.Daemon.HighWater;
using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CommunityEvals.Platform.EventStore;

/// <summary>
/// Tells the daemons at once that events were appended, instead of leaving them to find out at
/// their next poll: every session that appends events also sends a PostgreSQL NOTIFY, which
/// PostgreSQL delivers when (and only if) the transaction commits, and
/// <see cref="AppendWakeup"/> listens for it and wakes this service's high-water agent. Polling
/// stays as it was underneath, so a lost notification or a dropped listening connection only
/// costs the poll interval.
/// </summary>
public sealed class AppendNotifier : DocumentSessionListenerBase
{
    public const string Channel = "communityevals_events_appended";

    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        if (session.PendingChanges.Streams().Any())
        {
            session.QueueSqlCommand($"select pg_notify('{Channel}', '')");
        }

        return Task.CompletedTask;
    }
}

/// <summary>The daemon's wait between polls, cut short by an <see cref="AppendNotifier.Channel"/> notification.</summary>
public sealed class AppendWakeup(string connectionString, ILogger<AppendWakeup> logger) : BackgroundService, IDaemonWakeup
{
    private static readonly TimeSpan Reconnect = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The shortest time between two wakes. An append after a quiet spell wakes the agent at once;
    /// under a stream of appends it wakes no more often than it would poll, so each page it hands
    /// out still gathers many events (a page per append would cost far more per event).
    /// </summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(100);

    private long _lastWakeTicks;

    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pending;

    public async Task WaitAsync(TimeSpan timeout, CancellationToken token)
    {
        var next = Volatile.Read(ref _next).Task;
        if (timeout <= TimeSpan.Zero)
        {
            return;
        }

        // An append noticed since the last wait (perhaps while the agent was busy) wakes at once.
        if (Interlocked.Exchange(ref _pending, 0) == 0)
        {
            try
            {
                await next.WaitAsync(timeout, token);
            }
            catch (TimeoutException)
            {
                return;
            }
        }

        var sinceLast = TimeSpan.FromTicks(Environment.TickCount64 * TimeSpan.TicksPerMillisecond - Interlocked.Read(ref _lastWakeTicks));
        if (sinceLast < MinimumInterval)
        {
            await Task.Delay(MinimumInterval - sinceLast, token);
        }

        Interlocked.Exchange(ref _pending, 0);
        Interlocked.Exchange(ref _lastWakeTicks, Environment.TickCount64 * TimeSpan.TicksPerMillisecond);
    }

    private void Wake()
    {
        Interlocked.Exchange(ref _pending, 1);
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, _) => Wake();
                await using (var listen = new NpgsqlCommand($"listen {AppendNotifier.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Appends made while nobody listened would otherwise wait for the next poll.
                Wake();
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                logger.LogDebug(exception, "Listening for appended events failed; polling meanwhile and listening again shortly");
                await Task.Delay(Reconnect, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
