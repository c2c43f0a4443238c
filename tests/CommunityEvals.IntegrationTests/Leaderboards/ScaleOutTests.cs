using CommunityEvals.IntegrationTests.Infrastructure;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Identity;
using CommunityEvals.Platform.Messaging;
using Npgsql;

namespace CommunityEvals.IntegrationTests.Leaderboards;

/// <summary>
/// Two instances of the leaderboard-projection service on one store (Marten's HotCold daemon): the
/// first folds the log alone, a second joins, the first stops, and the second carries on. Every
/// score change of the whole log reaches RabbitMQ once, in order, none lost and none repeated.
/// The two instances run as real processes on a database of their own (the shared stack's
/// projection would otherwise fold the same events), with the stack's RabbitMQ.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ScaleOutTests(StackFixture stack)
{
    [Fact]
    public async Task A_second_instance_takes_over_and_every_change_is_published_once()
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var dataset = $"scale-{suffix}/bench";
        var models = Enumerable.Range(0, 5).Select(index => $"scale-{suffix}-{index}/model").ToList();
        var database = $"scaleout_{suffix}";
        var server = new NpgsqlConnectionStringBuilder(stack.DatabaseConnectionString);
        var connectionString = new NpgsqlConnectionStringBuilder(stack.DatabaseConnectionString) { Database = database }.ConnectionString;
        await ExecuteAsync(server.ConnectionString, $"create database {database}");
        var instances = new List<ServiceInstance>();
        try
        {
            await using var published = await BrokerScoreChanges.StartAsync(stack.BrokerConnectionString, dataset);
            using var eventStore = new ServiceEventStore(connectionString, "scaleout_test");
            var store = eventStore.Store;

            var first = StartInstance("scale-a", connectionString);
            instances.Add(first);
            await first.WaitHealthyAsync(TimeSpan.FromSeconds(90));
            await BoardEventLog.AppendAsync(store, [BoardEventLog.Benchmark(dataset), .. models.Select(BoardEventLog.Model)]);
            await BoardEventLog.AppendAsync(store, BoardEventLog.Commits(dataset, models, count: 12, seed: 11));
            var (_, before) = BoardEventLog.Fold(await BoardEventLog.AllAsync(store));
            await published.WaitForCountAsync(before.Count, TimeSpan.FromSeconds(60), "from the first instance");

            var second = StartInstance("scale-b", connectionString);
            instances.Add(second);
            await second.WaitHealthyAsync(TimeSpan.FromSeconds(90));
            await first.StopAsync();
            await BoardEventLog.AppendAsync(store, BoardEventLog.Commits(dataset, models, count: 12, seed: 12));

            var (_, expected) = BoardEventLog.Fold(await BoardEventLog.AllAsync(store));
            Assert.True(expected.Count > before.Count, "the second half of the log changed no board");
            await published.WaitForCountAsync(expected.Count, TimeSpan.FromSeconds(90), "after the second instance took over");
            // Anything published twice would arrive right behind the rest.
            await Task.Delay(TimeSpan.FromSeconds(2));

            var received = published.Changes;
            Assert.Equal(
                expected.Select(change => (change.Id, change.ModelId, change.Value, change.Rank, change.PreviousRank, change.Cause)),
                received.Select(change => (change.Id, change.ModelId, change.Value, change.Rank, change.PreviousRank, change.Cause)));
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.DisposeAsync();
            }

            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(server.ConnectionString, $"drop database if exists {database} with (force)");
        }
    }

    private ServiceInstance StartInstance(string name, string connectionString) =>
        ServiceInstance.Start("CommunityEvals.LeaderboardProjection", new Dictionary<string, string>
        {
            [$"ConnectionStrings__{EventStoreExtensions.DatabaseName}"] = connectionString,
            [$"ConnectionStrings__{EventBusExtensions.BrokerName}"] = stack.BrokerConnectionString,
            ["OTEL_SERVICE_NAME"] = name,
            ["COMMUNITYEVALS_DATA_DIR"] = Directory.CreateTempSubdirectory("scaleout-").FullName,
            // Without it a service refuses to start.
            [GatewayIdentity.KeySetting] = stack.IdentityKey,
        });

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
