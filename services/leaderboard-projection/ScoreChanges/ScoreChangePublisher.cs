using System.Security.Cryptography;
using System.Text;
using CommunityEvals.Platform.EventStore;
using Marten;
using MassTransit;
using Npgsql;

namespace CommunityEvals.LeaderboardProjection.ScoreChanges;

/// <summary>
/// Publishes the stored changes to RabbitMQ as <see cref="Contracts.ScoreChanged"/>, in id order,
/// after the projection committed them. Progress is a <see cref="ScoreChangePublication"/> document
/// that the projection never writes or tears down: a rebuild rewrites the same change ids behind
/// the checkpoint, so nothing is sent twice. The checkpoint moves after each page; what the broker
/// took before a failure kept the checkpoint from moving (the database gone, this process killed) is
/// read back from the broker itself (<see cref="PublishedChangesJournal"/>) and not sent again
/// either. Consumers still deduplicate by id (the message id is derived from it), as the broker may
/// deliver a message twice. One instance publishes at a time: it holds a PostgreSQL advisory lock on
/// a connection of its own, and another takes over when that connection goes away.
/// </summary>
public sealed class ScoreChangePublisher(
    IDocumentStore store,
    IBus bus,
    PublishedChangesJournal journal,
    ScoreChangeSignal signal,
    IConfiguration configuration,
    ILogger<ScoreChangePublisher> logger) : BackgroundService
{
    /// <summary>The advisory lock that elects the publishing instance.</summary>
    public const long LockId = 4_100_300_017_001;

    public const int PageSize = 100;

    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(2);

    /// <summary>How long a page may take to finish once the service is stopping (the host waits 30 s at most).</summary>
    private static readonly TimeSpan FinishPageWithin = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var connectionString = EventStoreExtensions.ConnectionString(configuration);
        if (connectionString is null)
        {
            logger.LogWarning("No connection string {Name}: score changes are not published", EventStoreExtensions.DatabaseName);
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var lockConnection = new NpgsqlConnection(connectionString);
                await lockConnection.OpenAsync(stoppingToken);
                if (!await TryLockAsync(lockConnection, stoppingToken))
                {
                    await Task.Delay(Retry, stoppingToken);
                    continue;
                }

                logger.LogInformation("Publishing score changes from this instance");
                await PublishWhileHoldingAsync(lockConnection, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                logger.LogWarning(exception, "Publishing score changes failed; retrying");
                await Task.Delay(Retry, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("select pg_try_advisory_lock(@id)", connection);
        command.Parameters.AddWithValue("id", LockId);
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    private async Task PublishWhileHoldingAsync(NpgsqlConnection lockConnection, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var next = signal.Next;
            var published = await PublishPageAsync(stoppingToken);
            if (published == PageSize)
            {
                continue;
            }

            // Idle: make sure the lock is still ours (its connection is alive), then wait for news.
            await using (var ping = new NpgsqlCommand("select 1", lockConnection))
            {
                await ping.ExecuteScalarAsync(stoppingToken);
            }

            await ScoreChangeSignal.WaitAsync(next, Idle, stoppingToken);
        }
    }

    /// <summary>Publishes the next page of changes after the checkpoint (and after what the journal shows was sent); returns how many.</summary>
    public async Task<int> PublishPageAsync(CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        var checkpoint = await session.LoadAsync<ScoreChangePublication>(ScoreChangePublication.Key, cancellationToken)
            ?? new ScoreChangePublication();
        var stored = new ChangePosition(checkpoint.Sequence, checkpoint.N);
        // What the broker took after the checkpoint: the previous page, when the database failed before
        // its checkpoint was stored, or this process (or another instance) died in between.
        var sent = await journal.NewestAsync(cancellationToken) is { } journaled && journaled.CompareTo(stored) > 0 ? journaled : stored;
        var changes = await ScoreChangeFeed.AfterAsync(session, sent, PageSize, cancellationToken);
        if (changes.Count == 0 && sent == stored)
        {
            return 0;
        }

        // A page once begun is finished and checkpointed even when the service is asked to stop, so
        // that an orderly stop (a deploy, a hand-over to another instance) sends nothing twice.
        using var finishing = new CancellationTokenSource(FinishPageWithin);
        foreach (var change in changes)
        {
            await bus.Publish(change.ToMessage(), context => context.MessageId = MessageIdOf(change.Id), finishing.Token);
            sent = ChangePosition.Of(change);
        }

        checkpoint.Sequence = sent.Sequence;
        checkpoint.N = sent.N;
        checkpoint.PublishedAt = DateTimeOffset.UtcNow;
        session.Store(checkpoint);
        await session.SaveChangesAsync(finishing.Token);
        await journal.ForgetAsync(finishing.Token);
        return changes.Count;
    }

    /// <summary>The same message id for the same change, whoever sends it and however often.</summary>
    public static Guid MessageIdOf(string changeId) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"ScoreChanged/{changeId}")).AsSpan(0, 16));
}
