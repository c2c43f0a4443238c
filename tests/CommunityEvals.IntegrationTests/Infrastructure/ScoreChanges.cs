using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace CommunityEvals.IntegrationTests.Infrastructure;

/// <summary>
/// One <c>ScoreChanged</c> as a subscriber reads it (EVENTS.md), parsed strictly: a missing field fails the test.
/// </summary>
public sealed record ScoreChange(
    string Benchmark,
    string TaskId,
    string ModelId,
    double? PreviousValue,
    double? Value,
    int? PreviousRank,
    int? Rank,
    bool Verified,
    string? Origin,
    string Cause,
    long Sequence,
    string Id,
    DateTimeOffset OccurredAt)
{
    public static ScoreChange Parse(JsonElement json) => new(
        json.GetProperty("benchmark").GetString()!,
        json.GetProperty("taskId").GetString()!,
        json.GetProperty("modelId").GetString()!,
        NullableDouble(json.GetProperty("previousValue")),
        NullableDouble(json.GetProperty("value")),
        NullableInt(json.GetProperty("previousRank")),
        NullableInt(json.GetProperty("rank")),
        json.GetProperty("verified").GetBoolean(),
        json.GetProperty("origin").ValueKind == JsonValueKind.Null ? null : json.GetProperty("origin").GetString(),
        json.GetProperty("cause").GetString()!,
        json.GetProperty("sequence").GetInt64(),
        json.GetProperty("id").GetString()!,
        json.GetProperty("occurredAt").GetDateTimeOffset());

    /// <summary>The n of the id <c>{sequence}.{n}</c>.</summary>
    public int N => int.Parse(Id[(Id.IndexOf('.') + 1)..], CultureInfo.InvariantCulture);

    /// <summary>
    /// A compact, comparable description without the sequence (which the test cannot know beforehand):
    /// <c>n model prevValue-&gt;value prevRank-&gt;rank origin verified cause</c>.
    /// </summary>
    public string Shape(Func<string, string>? modelName = null) =>
        $"{N} {(modelName ?? (m => m))(ModelId)} {Text(PreviousValue)}->{Text(Value)} #{Text(PreviousRank)}->#{Text(Rank)} {Origin ?? "-"}{(Verified ? " verified" : "")} {Cause}";

    private static string Text(double? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "null";

    private static string Text(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "null";

    private static double? NullableDouble(JsonElement element) => element.ValueKind == JsonValueKind.Null ? null : element.GetDouble();

    private static int? NullableInt(JsonElement element) => element.ValueKind == JsonValueKind.Null ? null : element.GetInt32();
}

/// <summary>A collector of changes that arrive in the background, with a way to wait for more.</summary>
public abstract class ScoreChangeCollector
{
    private readonly object _gate = new();
    private readonly List<ScoreChange> _changes = [];
    private readonly List<string> _errors = [];

    /// <summary>Everything collected so far, in arrival order.</summary>
    public IReadOnlyList<ScoreChange> Changes
    {
        get
        {
            lock (_gate)
            {
                return _changes.ToList();
            }
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> changes arrived; returns them all (more, if more came).</summary>
    public async Task<IReadOnlyList<ScoreChange>> WaitForCountAsync(int count, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            lock (_gate)
            {
                if (_errors.Count > 0)
                {
                    throw new InvalidOperationException($"{Name}: {string.Join("; ", _errors)}");
                }

                if (_changes.Count >= count)
                {
                    return _changes.ToList();
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                var seen = Changes;
                throw new TimeoutException(
                    $"{Name}: waited for {count} changes{(what is null ? "" : $" ({what})")}, got {seen.Count}:\n  "
                    + string.Join("\n  ", seen.Select(change => $"{change.Id} {change.Shape()}")));
            }

            await Task.Delay(50);
        }
    }

    protected abstract string Name { get; }

    protected void Add(ScoreChange change)
    {
        lock (_gate)
        {
            _changes.Add(change);
        }
    }

    protected void Fail(string error)
    {
        lock (_gate)
        {
            _errors.Add(error);
        }
    }
}

/// <summary>
/// A private queue bound to the <c>ScoreChanged</c> exchange, as a non-.NET subscriber would bind it;
/// keeps the messages of one benchmark (other tests publish too).
/// </summary>
public sealed class BrokerScoreChanges : ScoreChangeCollector, IAsyncDisposable
{
    public const string Exchange = "CommunityEvals.Contracts:ScoreChanged";

    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly string _benchmark;

    private BrokerScoreChanges(IConnection connection, IChannel channel, string benchmark)
    {
        _connection = connection;
        _channel = channel;
        _benchmark = benchmark;
    }

    protected override string Name => $"RabbitMQ ScoreChanged for {_benchmark}";

    /// <summary>Binds the queue before returning: every message published afterwards is collected.</summary>
    public static async Task<BrokerScoreChanges> StartAsync(string connectionString, string benchmark)
    {
        var connection = await new ConnectionFactory { Uri = new Uri(connectionString) }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true);
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(queue, Exchange, routingKey: "");
        var listener = new BrokerScoreChanges(connection, channel, benchmark);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            listener.Receive(delivery.Body.Span);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);
        return listener;
    }

    private void Receive(ReadOnlySpan<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(Encoding.UTF8.GetString(body));
            var message = document.RootElement.GetProperty("message");
            if (message.TryGetProperty("benchmark", out var benchmark) && benchmark.GetString() == _benchmark)
            {
                Add(ScoreChange.Parse(message));
            }
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            Fail($"unreadable message: {exception.Message}: {Encoding.UTF8.GetString(body)}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.CloseAsync();
        await _connection.CloseAsync();
        _channel.Dispose();
        _connection.Dispose();
    }
}

/// <summary>
/// <c>GET /api/events/stream</c> read as an SSE client reads it: blocks of <c>id:</c>, <c>event:</c>,
/// <c>data:</c> lines ended by a blank line; comment lines (<c>:</c>) ignored.
/// </summary>
public sealed class SseScoreChanges : ScoreChangeCollector, IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private readonly string _description;
    private readonly object _gate = new();
    private readonly List<(string? Id, string? Event)> _frames = [];
    private int _disposed;

    private SseScoreChanges(HttpClient client, HttpResponseMessage response, string description)
    {
        _client = client;
        _response = response;
        _description = description;
        _reader = Task.Run(ReadAsync);
    }

    protected override string Name => $"SSE {_description}";

    /// <summary>The <c>id:</c> and <c>event:</c> of every event block, in order.</summary>
    public IReadOnlyList<(string? Id, string? Event)> Frames
    {
        get
        {
            lock (_gate)
            {
                return _frames.ToList();
            }
        }
    }

    public HttpResponseMessage Response => _response;

    /// <param name="query">e.g. <c>benchmark=org/bench</c>.</param>
    /// <param name="lastEventId">Sent as <c>Last-Event-ID</c> when given.</param>
    public static async Task<SseScoreChanges> OpenAsync(Uri gateway, string query, string? lastEventId = null)
    {
        var client = new HttpClient { BaseAddress = gateway, Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/events/stream?{query}");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var opening = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, opening.Token);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var body = await response.Content.ReadAsStringAsync();
            response.Dispose();
            client.Dispose();
            throw new InvalidOperationException($"GET /api/events/stream?{query} answered {(int)response.StatusCode}: {body}");
        }

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SseScoreChanges(client, response, query + (lastEventId is null ? "" : $" (Last-Event-ID {lastEventId})"));
    }

    private async Task ReadAsync()
    {
        try
        {
            await using var stream = await _response.Content.ReadAsStreamAsync(_stop.Token);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            string? id = null, name = null;
            var data = new StringBuilder();
            var any = false;
            while (!_stop.IsCancellationRequested)
            {
                var line = await reader.ReadLineAsync(_stop.Token);
                if (line is null)
                {
                    return; // the server ended the stream
                }

                if (line.Length == 0)
                {
                    if (any)
                    {
                        Dispatch(id, name, data.ToString());
                    }

                    (id, name, any) = (null, null, false);
                    data.Clear();
                    continue;
                }

                if (line.StartsWith(':'))
                {
                    continue;
                }

                var colon = line.IndexOf(':');
                var field = colon < 0 ? line : line[..colon];
                var value = colon < 0 ? "" : line[(colon + 1)..];
                if (value.StartsWith(' '))
                {
                    value = value[1..];
                }

                any = true;
                switch (field)
                {
                    case "id":
                        id = value;
                        break;
                    case "event":
                        name = value;
                        break;
                    case "data":
                        if (data.Length > 0)
                        {
                            data.Append('\n');
                        }

                        data.Append(value);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception exception) when (_stop.IsCancellationRequested && exception is IOException or ObjectDisposedException or HttpRequestException)
        {
        }
        catch (Exception exception)
        {
            Fail($"reading the stream failed: {exception.GetType().Name}: {exception.Message}");
        }
    }

    private void Dispatch(string? id, string? name, string data)
    {
        lock (_gate)
        {
            _frames.Add((id, name));
        }

        try
        {
            using var document = JsonDocument.Parse(data);
            var change = ScoreChange.Parse(document.RootElement);
            if (id != change.Id)
            {
                Fail($"the SSE id '{id}' is not the change's id '{change.Id}'");
            }

            if (name != "score-changed")
            {
                Fail($"event '{name}' where 'score-changed' was expected (id {id})");
            }

            Add(change);
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            Fail($"unreadable data (id {id}): {exception.Message}: {data}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        _response.Dispose();
        try
        {
            await _reader.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
        }

        _client.Dispose();
        _stop.Dispose();
    }
}
