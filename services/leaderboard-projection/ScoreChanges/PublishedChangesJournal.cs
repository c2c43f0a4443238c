using System.Text.Json;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Messaging;
using Npgsql;
using RabbitMQ.Client;

namespace CommunityEvals.LeaderboardProjection.ScoreChanges;

/// <summary>
/// The broker's own account of the changes it took from <see cref="ScoreChangePublisher"/>, so that a
/// publisher that died after the broker confirmed part of a page, before the checkpoint recorded it,
/// is not followed by a second copy of that part. It is a durable queue bound to the
/// <c>ScoreChanged</c> exchange as any subscriber's queue is: a change the broker confirmed is in it
/// exactly when it is in theirs. The publisher empties it once a page is checkpointed, so whatever it
/// holds before the next page was confirmed but perhaps never checkpointed. Only the instance holding
/// the publishing lock uses it; there is one per database, as the changes and the checkpoint are.
/// </summary>
public sealed class PublishedChangesJournal(IConfiguration configuration) : IAsyncDisposable
{
    public const string QueuePrefix = "leaderboard-projection.published-score-changes.";

    /// <summary>The journal of the changes stored in this database (instances of other stores may share the broker).</summary>
    public string Queue { get; } = QueuePrefix + new NpgsqlConnectionStringBuilder(EventStoreExtensions.ConnectionString(configuration)).Database;

    /// <summary>The exchange MassTransit publishes <see cref="Contracts.ScoreChanged"/> to, declared the way MassTransit declares it.</summary>
    public const string Exchange = "CommunityEvals.Contracts:ScoreChanged";

    private IConnection? _connection;
    private IChannel? _channel;

    /// <summary>The last message read by <see cref="NewestAsync"/>, acknowledged (with those before it) by <see cref="ForgetAsync"/>.</summary>
    private ulong? _unacknowledged;

    /// <summary>
    /// The newest change the journal holds; null when it is empty. Its messages stay in it until
    /// <see cref="ForgetAsync"/>, so that a crash before the checkpoint catches up leaves them for the next publisher.
    /// </summary>
    public async Task<ChangePosition?> NewestAsync(CancellationToken cancellationToken)
    {
        try
        {
            var channel = await ChannelAsync(cancellationToken);
            ChangePosition? newest = null;
            while (await channel.BasicGetAsync(Queue, autoAck: false, cancellationToken) is { } message)
            {
                _unacknowledged = message.DeliveryTag;
                if (ChangeOf(message.Body) is { } position && (newest is null || position.CompareTo(newest.Value) > 0))
                {
                    newest = position;
                }
            }

            return newest;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            await CloseAsync();
            throw;
        }
    }

    /// <summary>Empties the journal: everything in it is at or behind the checkpoint just stored.</summary>
    public async Task ForgetAsync(CancellationToken cancellationToken)
    {
        try
        {
            var channel = await ChannelAsync(cancellationToken);
            if (_unacknowledged is { } last)
            {
                await channel.BasicAckAsync(last, multiple: true, cancellationToken);
                _unacknowledged = null;
            }

            await channel.QueuePurgeAsync(Queue, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            await CloseAsync();
            throw;
        }
    }

    /// <summary>The change of a MassTransit envelope (<c>message.id</c>, <c>{sequence}.{n}</c>); null for anything else.</summary>
    public static ChangePosition? ChangeOf(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var envelope = JsonDocument.Parse(body);
            return envelope.RootElement.TryGetProperty("message", out var message)
                && message.TryGetProperty("id", out var id)
                && ScoreChangeRules.TryParseId(id.GetString(), out var sequence, out var n)
                    ? new ChangePosition(sequence, n)
                    : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// A channel of its own, made anew after any failure (the broker restarted): deliveries read on a
    /// lost channel go back to the queue, and their tags mean nothing on a new one.
    /// </summary>
    private async Task<IChannel> ChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true } open)
        {
            return open;
        }

        await CloseAsync();
        var connectionString = configuration.GetConnectionString(EventBusExtensions.BrokerName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{EventBusExtensions.BrokerName} is not set");
        var factory = new ConnectionFactory
        {
            Uri = new Uri(connectionString),
            ClientProvidedName = "leaderboard-projection published changes journal",
            AutomaticRecoveryEnabled = false,
        };
        _connection = await factory.CreateConnectionAsync(cancellationToken);
        _channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await _channel.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await _channel.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        await _channel.QueueBindAsync(Queue, Exchange, routingKey: "", cancellationToken: cancellationToken);
        return _channel;
    }

    private async Task CloseAsync()
    {
        _unacknowledged = null;
        var (channel, connection) = (_channel, _connection);
        (_channel, _connection) = (null, null);
        try
        {
            if (channel is not null)
            {
                await channel.DisposeAsync();
            }

            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
        catch (Exception exception) when (exception is IOException or RabbitMQ.Client.Exceptions.AlreadyClosedException or RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            // Already gone with the broker.
        }
    }

    public async ValueTask DisposeAsync() => await CloseAsync();
}
