using CommunityEvals.Contracts;
using MassTransit;

namespace CommunityEvals.Examples;

/// <summary>Prints each <see cref="ScoreChanged"/> as it arrives: a MassTransit consumer on a queue of its own.</summary>
public static class ScoreChangeWatcher
{
    public static async Task<int> RunAsync(Uri amqpUri, int? count)
    {
        var done = new TaskCompletionSource();
        var seen = 0;
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(amqpUri);
            // A temporary queue: it goes away with this program, and no change is kept for it meanwhile.
            rabbit.ReceiveEndpoint(new TemporaryEndpointDefinition(), endpoint => endpoint.Handler<ScoreChanged>(context =>
            {
                var change = context.Message;
                Console.WriteLine($"{change.ModelId} {change.TaskId} {change.PreviousValue} -> {change.Value} (rank {change.PreviousRank} -> {change.Rank}, {change.Cause})");
                if (Interlocked.Increment(ref seen) == count)
                {
                    done.TrySetResult();
                }

                return Task.CompletedTask;
            }));
        });

        await bus.StartAsync();
        Console.WriteLine("listening");
        try
        {
            await (count is null ? Task.Delay(Timeout.Infinite) : done.Task);
        }
        finally
        {
            await bus.StopAsync();
        }

        return 0;
    }
}
