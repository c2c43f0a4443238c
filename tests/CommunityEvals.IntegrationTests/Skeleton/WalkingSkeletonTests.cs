using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;
using Npgsql;
using RabbitMQ.Client;

namespace CommunityEvals.IntegrationTests.Skeleton;

/// <summary>
/// One admin call travels through every part: gateway, ingestion, the event store, the
/// forwarder, RabbitMQ, a consumer in another service, and the public feed.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class WalkingSkeletonTests(StackFixture stack)
{
    private const string ForwardedExchange = "CommunityEvals.Contracts:EventCommitted";

    [Fact]
    public async Task Creating_a_user_is_stored_forwarded_consumed_and_visible_in_the_feed()
    {
        await using var listener = await BrokerListener.StartAsync(stack.BrokerConnectionString, ForwardedExchange);
        var name = $"skeleton-{Guid.NewGuid():N}"[..20];

        using var created = await stack.Admin.PostAsJsonAsync("/api/users", new { name, orgs = new[] { $"{name}-org" } });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var token = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        Assert.StartsWith("hf_", token);

        // Stored as an event and visible in the public feed, with actor and stream.
        var userCreated = await Eventually.ValueAsync(async () =>
            (await stack.FeedAsync()).Where(e => e.GetProperty("type").GetString() == "UserCreated"
                    && e.GetProperty("data").GetProperty("name").GetString() == name)
                .Select(e => (JsonElement?)e)
                .FirstOrDefault(), "UserCreated in the feed");
        Assert.Equal("admin", userCreated.GetProperty("actor").GetString());
        Assert.Equal($"user/{name}", userCreated.GetProperty("stream").GetString());
        var sequence = userCreated.GetProperty("sequence").GetInt64();

        // Forwarded to RabbitMQ after the commit.
        var message = await listener.WaitForAsync(
            body => body.GetProperty("message").GetProperty("sequence").GetInt64() == sequence, TimeSpan.FromSeconds(15));
        Assert.Equal("UserCreated", message.GetProperty("message").GetProperty("type").GetString());

        // Consumed by another service: the verification service's inbox has it.
        await Eventually.GetAsync(async () =>
        {
            await using var connection = new NpgsqlConnection(stack.DatabaseConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("select count(*) from verification.mt_doc_receivedevent where id = @id", connection);
            command.Parameters.AddWithValue("id", sequence);
            try
            {
                return (long)(await command.ExecuteScalarAsync())! == 1 ? (object)true : null;
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                return null; // The consumer creates its table with its first message.
            }
        }, "the verification service to receive the event");

        // No secret leaves in the public record.
        var whole = string.Join('\n', (await stack.FeedAsync()).Select(e => e.GetRawText()));
        Assert.DoesNotContain(token, whole);
        Assert.DoesNotContain(CommunityEvals.Platform.Identity.TokenHash.Of(token), whole);
    }

    [Fact]
    public async Task The_gateway_reports_itself_and_its_downstreams_healthy()
    {
        using var response = await stack.Anonymous.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entries = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("entries");
        foreach (var downstream in new[] { "ingestion", "verification", "leaderboard-projection", "database" })
        {
            Assert.Equal("Healthy", entries.GetProperty(downstream).GetProperty("status").GetString());
        }
    }

    /// <summary>A queue of our own bound to a MassTransit exchange, as a non-.NET subscriber would.</summary>
    private sealed class BrokerListener : IAsyncDisposable
    {
        private readonly IConnection _connection;
        private readonly IChannel _channel;
        private readonly string _queue;

        private BrokerListener(IConnection connection, IChannel channel, string queue)
        {
            _connection = connection;
            _channel = channel;
            _queue = queue;
        }

        public static async Task<BrokerListener> StartAsync(string connectionString, string exchange)
        {
            var connection = await new ConnectionFactory { Uri = new Uri(connectionString) }.CreateConnectionAsync();
            var channel = await connection.CreateChannelAsync();
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true);
            var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
            await channel.QueueBindAsync(queue, exchange, routingKey: "");
            return new BrokerListener(connection, channel, queue);
        }

        public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> match, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline)
            {
                var delivery = await _channel.BasicGetAsync(_queue, autoAck: true);
                if (delivery is null)
                {
                    await Task.Delay(100);
                    continue;
                }

                var body = JsonDocument.Parse(Encoding.UTF8.GetString(delivery.Body.Span)).RootElement.Clone();
                if (match(body))
                {
                    return body;
                }
            }

            throw new TimeoutException("No matching message arrived on the broker");
        }

        public async ValueTask DisposeAsync()
        {
            await _channel.CloseAsync();
            await _connection.CloseAsync();
            _channel.Dispose();
            _connection.Dispose();
        }
    }
}
