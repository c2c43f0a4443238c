using System.Net;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace CommunityEvals.TestStack.Faults;

/// <summary>One score change as a subscriber received it (EVENTS.md's <c>ScoreChanged</c>, the fields the drill checks).</summary>
public sealed record ReceivedChange(string Id, long Sequence, string ModelId, double? Value, bool Redelivered)
{
    public static ReceivedChange Parse(JsonElement change, bool redelivered = false) => new(
        change.GetProperty("id").GetString()!,
        change.GetProperty("sequence").GetInt64(),
        change.GetProperty("modelId").GetString()!,
        change.GetProperty("value").ValueKind == JsonValueKind.Number ? change.GetProperty("value").GetDouble() : null,
        redelivered);
}

/// <summary>Changes received in the background, in arrival order.</summary>
public abstract class ReceivedChanges
{
    private readonly object _gate = new();
    private readonly List<ReceivedChange> _received = [];
    private readonly List<string> _errors = [];

    public IReadOnlyList<ReceivedChange> Received
    {
        get
        {
            lock (_gate)
            {
                return _received.ToList();
            }
        }
    }

    /// <summary>What could not be read (a message that is not a change): each one is a failure of the drill.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_gate)
            {
                return _errors.ToList();
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _received.Count;
            }
        }
    }

    protected void Add(ReceivedChange change)
    {
        lock (_gate)
        {
            _received.Add(change);
        }
    }

    protected void Fail(string error)
    {
        lock (_gate)
        {
            _errors.Add(error);
        }
    }

    /// <summary>Waits until nothing more arrived for <paramref name="quiet"/> and at least <paramref name="atLeast"/> did, or <paramref name="timeout"/> passed.</summary>
    public async Task SettleAsync(int atLeast, TimeSpan quiet, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var (count, since) = (Count, DateTime.UtcNow);
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            if (Count != count)
            {
                (count, since) = (Count, DateTime.UtcNow);
            }
            else if (count >= atLeast && DateTime.UtcNow - since >= quiet)
            {
                return;
            }
        }
    }
}

/// <summary>
/// A subscriber as a service keeps one: a durable queue of its own bound to the <c>ScoreChanged</c>
/// exchange, each message acknowledged once recorded, the connection and its queue, binding and
/// consumer recovered when the broker is back. The broker keeps such a queue, and the persistent
/// messages confirmed into it, through its own restart. Keeps the changes of one benchmark.
/// </summary>
public sealed class DurableBrokerChanges : ReceivedChanges, IAsyncDisposable
{
    public const string Exchange = "CommunityEvals.Contracts:ScoreChanged";

    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly string _queue;
    private readonly string _benchmark;

    private DurableBrokerChanges(IConnection connection, IChannel channel, string queue, string benchmark)
    {
        _connection = connection;
        _channel = channel;
        _queue = queue;
        _benchmark = benchmark;
    }

    /// <summary>Declares and binds the queue before returning: every change published afterwards reaches it.</summary>
    public static async Task<DurableBrokerChanges> StartAsync(string connectionString, string benchmark)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(connectionString),
            ClientProvidedName = "fault drill subscriber",
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
        };
        var connection = await factory.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        var queue = $"fault-drill-{Guid.NewGuid():N}";
        await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(queue, Exchange, routingKey: "");
        var listener = new DurableBrokerChanges(connection, channel, queue, benchmark);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            listener.Receive(delivery.Body.Span, delivery.Redelivered);
            try
            {
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
            }
            catch (Exception exception) when (exception is RabbitMQ.Client.Exceptions.AlreadyClosedException or IOException)
            {
                // The broker went away before the acknowledgement: it delivers the message again (redelivered).
            }
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
        return listener;
    }

    private void Receive(ReadOnlySpan<byte> body, bool redelivered)
    {
        try
        {
            using var document = JsonDocument.Parse(Encoding.UTF8.GetString(body));
            var message = document.RootElement.GetProperty("message");
            if (message.GetProperty("benchmark").GetString() == _benchmark)
            {
                Add(ReceivedChange.Parse(message, redelivered));
            }
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            Fail($"unreadable ScoreChanged message: {exception.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _channel.QueueDeleteAsync(_queue);
            await _channel.CloseAsync();
            await _connection.CloseAsync();
        }
        catch (Exception exception) when (exception is RabbitMQ.Client.Exceptions.AlreadyClosedException or IOException)
        {
        }

        _channel.Dispose();
        _connection.Dispose();
    }
}

/// <summary>
/// <c>GET /api/events/stream</c> read as a browser's EventSource reads it: when the stream breaks
/// (the gateway or the projection going away), it connects again after half a second with
/// <c>Last-Event-ID</c>, the id of the last change it received, for as long as it runs.
/// </summary>
public sealed class ResumingSseChanges : ReceivedChanges, IAsyncDisposable
{
    private static readonly TimeSpan ReconnectAfter = TimeSpan.FromMilliseconds(500);

    private readonly HttpClient _client;
    private readonly string _query;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reader;
    private string? _lastEventId;
    private int _connections;

    private ResumingSseChanges(Uri gateway, string query)
    {
        _client = new HttpClient { BaseAddress = gateway, Timeout = Timeout.InfiniteTimeSpan };
        _query = query;
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>Times the stream was opened; more than once means it broke and was resumed.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Opens the stream (<paramref name="query"/>: e.g. <c>benchmark=org/name</c>, or with <c>after=0</c> to replay everything stored) and returns once it is open.</summary>
    public static async Task<ResumingSseChanges> OpenAsync(Uri gateway, string query)
    {
        var stream = new ResumingSseChanges(gateway, query);
        if (await Task.WhenAny(stream._opened.Task, Task.Delay(TimeSpan.FromSeconds(30))) != stream._opened.Task)
        {
            await stream.DisposeAsync();
            throw new TimeoutException($"GET /api/events/stream?{query} did not open within 30 s");
        }

        return stream;
    }

    private async Task ReadAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/events/stream?{_query}");
                request.Headers.Accept.ParseAdd("text/event-stream");
                if (_lastEventId is not null)
                {
                    request.Headers.Add("Last-Event-ID", _lastEventId);
                }

                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref _connections);
                    _opened.TrySetResult();
                    await ReadEventsAsync(await response.Content.ReadAsStreamAsync(_stop.Token));
                }
            }
            catch (Exception exception) when (!_stop.IsCancellationRequested && exception is HttpRequestException or IOException or TaskCanceledException)
            {
                // The gateway or the projection is away; try again shortly, from the last change received.
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            await Task.Delay(ReconnectAfter, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Blocks of <c>id:</c>, <c>event:</c> and <c>data:</c> lines ended by a blank line; comments (<c>:</c>) are skipped.</summary>
    private async Task ReadEventsAsync(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string? id = null;
        string? data = null;
        while (await reader.ReadLineAsync(_stop.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (id is not null && data is not null)
                {
                    Dispatch(id, data);
                }

                (id, data) = (null, null);
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line[6..];
            }
        }
    }

    private void Dispatch(string id, string data)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            var change = ReceivedChange.Parse(document.RootElement);
            if (change.Id != id)
            {
                Fail($"the SSE id '{id}' is not its change's id '{change.Id}'");
            }

            Add(change);
            _lastEventId = id;
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            Fail($"unreadable SSE data (id {id}): {exception.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reader.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _client.Dispose();
        _stop.Dispose();
    }
}
