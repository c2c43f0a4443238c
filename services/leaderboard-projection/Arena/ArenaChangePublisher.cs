using System.Security.Cryptography;
using System.Text;
using CommunityEvals.Platform.EventStore;
using Marten;
using MassTransit;
using Npgsql;

namespace CommunityEvals.LeaderboardProjection.Arena;

/// <summary>Where publishing arena changes has got to: the last arena event whose changes went out.</summary>
public sealed class ArenaChangePublication
{
    public const string Key = "arena-changes";

    public string Id { get; set; } = Key;

    public long Sequence { get; set; }

    public DateTimeOffset PublishedAt { get; set; }
}

/// <summary>
/// Publishes <see cref="Contracts.ArenaRatingsChanged"/> to RabbitMQ (ARENA.md), in id order, from the
/// same <see cref="ArenaChangeFeed"/> the SSE stream reads, with a checkpoint in the store. One instance
/// publishes at a time (a PostgreSQL advisory lock). A crash between the broker's confirmation and the
/// checkpoint sends that page again: the message id is derived from the change id, for consumers'
/// deduplication. (The score changes' publisher also reads back what the broker took; arena changes are
/// few, and this one does not.)
/// </summary>
public sealed class ArenaChangePublisher(IDocumentStore store, IBus bus, IConfiguration configuration, ILogger<ArenaChangePublisher> logger) : BackgroundService
{
    public const long LockId = 4_100_300_017_002;

    public const int PageSize = 100;

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var connectionString = EventStoreExtensions.ConnectionString(configuration);
        if (connectionString is null)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var lockConnection = new NpgsqlConnection(connectionString);
                await lockConnection.OpenAsync(stoppingToken);
                await using (var take = new NpgsqlCommand("select pg_try_advisory_lock(@id)", lockConnection))
                {
                    take.Parameters.AddWithValue("id", LockId);
                    if (await take.ExecuteScalarAsync(stoppingToken) is not true)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
                        continue;
                    }
                }

                while (!stoppingToken.IsCancellationRequested)
                {
                    if (!await PublishPageAsync(stoppingToken))
                    {
                        await using (var ping = new NpgsqlCommand("select 1", lockConnection))
                        {
                            await ping.ExecuteScalarAsync(stoppingToken);
                        }

                        await Task.Delay(Interval, stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                logger.LogWarning(exception, "Publishing arena changes failed; retrying");
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Publishes the changes of the next page of arena events; whether the page was full.</summary>
    public async Task<bool> PublishPageAsync(CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        var checkpoint = await session.LoadAsync<ArenaChangePublication>(ArenaChangePublication.Key, cancellationToken);
        if (checkpoint is null)
        {
            // A new store publishes from now on, like a new stream: the log before it is history.
            checkpoint = new ArenaChangePublication { Sequence = await ArenaChangeFeed.LatestAsync(session, cancellationToken), PublishedAt = DateTimeOffset.UtcNow };
            session.Store(checkpoint);
            await session.SaveChangesAsync(cancellationToken);
            return false;
        }

        var page = await ArenaChangeFeed.AfterAsync(session, checkpoint.Sequence, PageSize, cancellationToken);
        if (page.Through == checkpoint.Sequence)
        {
            return false;
        }

        foreach (var change in page.Changes)
        {
            await bus.Publish(change, context => context.MessageId = MessageIdOf(change.Id), cancellationToken);
        }

        checkpoint.Sequence = page.Through;
        checkpoint.PublishedAt = DateTimeOffset.UtcNow;
        session.Store(checkpoint);
        await session.SaveChangesAsync(cancellationToken);
        return page.More;
    }

    public static Guid MessageIdOf(string changeId) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"ArenaRatingsChanged/{changeId}")).AsSpan(0, 16));
}
