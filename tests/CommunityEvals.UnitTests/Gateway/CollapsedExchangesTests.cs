using CommunityEvals.Gateway.Caching;

namespace CommunityEvals.UnitTests.Gateway;

public sealed class CollapsedExchangesTests
{
    private readonly CollapsedExchanges<string> _exchanges = new();
    private readonly List<TaskCompletionSource<string?>> _started = [];

    /// <summary>An exchange that is answered when the test says so; each one started is recorded.</summary>
    private Func<Task<string?>> Exchange() => () =>
    {
        var answer = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_started)
        {
            _started.Add(answer);
        }

        return answer.Task;
    };

    private int Started
    {
        get
        {
            lock (_started)
            {
                return _started.Count;
            }
        }
    }

    private async Task AnswerAsync(int exchange, string? value)
    {
        await WaitUntilAsync(() => Started > exchange);
        _started[exchange].SetResult(value);
    }

    [Fact]
    public async Task A_request_that_comes_while_an_exchange_is_out_waits_for_the_next_and_shares_it()
    {
        var first = _exchanges.RunAsync("board", Exchange());
        await WaitUntilAsync(() => Started == 1);

        var second = _exchanges.RunAsync("board", Exchange());
        var third = _exchanges.RunAsync("board", Exchange());
        await Task.Delay(50);
        Assert.Equal(1, Started); // the service sees one exchange at a time
        Assert.False(second.IsCompleted);
        Assert.False(third.IsCompleted);

        await AnswerAsync(0, "before");
        Assert.Equal(new("before", Led: true), await first);
        // The answer that began before they came is not theirs.
        Assert.False(second.IsCompleted);
        Assert.False(third.IsCompleted);

        await AnswerAsync(1, "after");
        Assert.Equal(new("after", Led: true), await second);
        Assert.Equal(new("after", Led: false), await third);
        Assert.Equal(2, Started);
        Assert.Equal(0, _exchanges.Busy);
    }

    [Fact]
    public async Task Keys_do_not_wait_for_each_other()
    {
        var board = _exchanges.RunAsync("board-a", Exchange());
        var other = _exchanges.RunAsync("board-b", Exchange());
        await WaitUntilAsync(() => Started == 2);
        _started[1].SetResult("b");
        Assert.Equal(new("b", Led: true), await other);
        Assert.False(board.IsCompleted);
        _started[0].SetResult("a");
        Assert.Equal(new("a", Led: true), await board);
    }

    [Fact]
    public async Task An_exchange_that_fails_leaves_its_sharers_nothing_to_send()
    {
        var first = _exchanges.RunAsync("board", Exchange());
        await WaitUntilAsync(() => Started == 1);
        var failing = _exchanges.RunAsync("board", () => Task.FromException<string?>(new HttpRequestException("service away")));
        var sharer = _exchanges.RunAsync("board", Exchange());

        await AnswerAsync(0, "v1");
        await first;
        await Assert.ThrowsAsync<HttpRequestException>(() => failing);
        Assert.Equal(new(null, Led: false), await sharer);
        Assert.Equal(0, _exchanges.Busy);

        // The key works again afterwards.
        var again = _exchanges.RunAsync("board", Exchange());
        await AnswerAsync(1, "v2");
        Assert.Equal(new("v2", Led: true), await again);
    }

    [Fact]
    public async Task Under_concurrent_readers_no_answer_comes_from_an_exchange_that_began_before_the_request()
    {
        // The "service" state moves on all the time; an exchange reads it as it begins.
        long version = 0;
        var writing = true;
        var writer = new Thread(() =>
        {
            while (Volatile.Read(ref writing))
            {
                Interlocked.Increment(ref version);
                Thread.SpinWait(200);
            }
        });
        writer.Start();

        var stale = 0;
        var shared = 0;
        async Task ReadAsync()
        {
            var asked = Interlocked.Read(ref version);
            var answer = await _exchanges.RunAsync("board", async () =>
            {
                var seen = Interlocked.Read(ref version);
                await Task.Delay(2);
                return seen.ToString(System.Globalization.CultureInfo.InvariantCulture);
            });
            Interlocked.Add(ref shared, answer.Led ? 0 : 1);
            if (long.Parse(answer.Outcome!, System.Globalization.CultureInfo.InvariantCulture) < asked)
            {
                Interlocked.Increment(ref stale);
            }
        }

        try
        {
            await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
            {
                for (var read = 0; read < 50; read++)
                {
                    await ReadAsync();
                }
            })));
        }
        finally
        {
            Volatile.Write(ref writing, false);
            writer.Join();
        }

        Assert.Equal(0, stale);
        Assert.True(shared > 0, "no request shared an exchange");
        Assert.Equal(0, _exchanges.Busy);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(5);
        }
    }
}
