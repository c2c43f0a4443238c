using CommunityEvals.IntegrationTests.Infrastructure;
using CommunityEvals.Platform.EventStore;
using Microsoft.Extensions.Logging.Abstractions;

namespace CommunityEvals.IntegrationTests.Skeleton;

/// <summary>
/// Daemons are woken by a NOTIFY that every appending session sends on commit: an append wakes a
/// waiting daemon long before its poll interval, and a session that appends nothing does not.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class AppendWakeupTests(StackFixture stack)
{
    private sealed record Pinged(string Note);

    private sealed class Note
    {
        public string Id { get; set; } = "";
    }

    [Fact]
    public async Task A_committed_append_wakes_the_waiting_daemon_and_a_document_only_save_does_not()
    {
        var schema = $"wakeup_{Guid.NewGuid():N}"[..20];
        // The services' store (it registers the AppendNotifier), with a schema of this test's own.
        using var eventStore = new ServiceEventStore(stack.DatabaseConnectionString, schema, options => options.Events.DatabaseSchemaName = schema);
        var store = eventStore.Store;
        var wakeup = new AppendWakeup(stack.DatabaseConnectionString, NullLogger<AppendWakeup>.Instance);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await wakeup.StartAsync(stop.Token);
        try
        {
            // The listener wakes once when it starts listening: wait that out first.
            await wakeup.WaitAsync(TimeSpan.FromSeconds(20), stop.Token);

            var waiting = wakeup.WaitAsync(TimeSpan.FromSeconds(60), stop.Token);
            await using (var session = store.LightweightSession())
            {
                session.Store(new Note { Id = "no-events" });
                await session.SaveChangesAsync(stop.Token);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(700));
            Assert.False(waiting.IsCompleted, "a save without events woke the daemon");

            await using (var session = store.LightweightSession())
            {
                session.Events.StartStream($"stream-{Guid.NewGuid():N}", new Pinged("hello"));
                await session.SaveChangesAsync(stop.Token);
            }

            var first = await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(20)));
            Assert.Same(waiting, first);
        }
        finally
        {
            await wakeup.StopAsync(CancellationToken.None);
            await using var cleanup = new Npgsql.NpgsqlConnection(stack.DatabaseConnectionString);
            await cleanup.OpenAsync();
            await using var drop = new Npgsql.NpgsqlCommand($"drop schema if exists {schema} cascade", cleanup);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
