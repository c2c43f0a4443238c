using System.Collections.Concurrent;

namespace CommunityEvals.Gateway.Caching;

/// <summary>
/// Lets requests for the same key share one exchange with the service (RFC 9211's "collapsed"),
/// without ever answering a request from an exchange that began before the request arrived: a
/// request that comes while an exchange is on its way waits for the next one, which starts once
/// that one is back and carries everyone who arrived in between. So every answer reflects the
/// service as it was at some moment after the request came in, as if it had been sent on its own,
/// and the service sees at most one exchange per key at a time however many clients read it.
/// </summary>
public sealed class CollapsedExchanges<T> where T : class
{
    private readonly ConcurrentDictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    /// <summary>What a request got: the exchange's outcome (null when it cannot be shared) and whether this request made the exchange.</summary>
    public readonly record struct Shared(T? Outcome, bool Led);

    /// <summary>Keys with an exchange on its way or waiting to start.</summary>
    public int Busy => _lanes.Count;

    /// <summary>
    /// Runs <paramref name="exchange"/> for this request, or shares the outcome of the one that the
    /// requests arriving at the same time make. An exchange that throws gives its sharers null.
    /// </summary>
    public async Task<Shared> RunAsync(string key, Func<Task<T?>> exchange)
    {
        while (true)
        {
            var lane = _lanes.GetOrAdd(key, _ => new Lane());
            Flight flight;
            Task previous;
            bool leads;
            lock (lane)
            {
                if (lane.Closed)
                {
                    continue;
                }

                leads = lane.Boarding is null;
                flight = lane.Boarding ??= new Flight();
                previous = lane.Airborne;
            }

            if (!leads)
            {
                return new Shared(await flight.Landed.Task, Led: false);
            }

            await previous;
            lock (lane)
            {
                // Whoever comes from now on may have come after this exchange began: they wait for the next.
                lane.Boarding = null;
                lane.Airborne = flight.Landed.Task;
            }

            T? outcome = null;
            try
            {
                outcome = await exchange();
                return new Shared(outcome, Led: true);
            }
            finally
            {
                flight.Landed.TrySetResult(outcome);
                lock (lane)
                {
                    if (lane.Boarding is null && lane.Airborne == flight.Landed.Task)
                    {
                        lane.Closed = true;
                        _lanes.TryRemove(new KeyValuePair<string, Lane>(key, lane));
                    }
                }
            }
        }
    }

    private sealed class Lane
    {
        /// <summary>The next exchange, still taking requests: it has not begun.</summary>
        public Flight? Boarding;

        /// <summary>The exchange on its way (or the last one, done).</summary>
        public Task Airborne = Task.CompletedTask;

        /// <summary>Removed from the lanes: a request that still found it takes a new one.</summary>
        public bool Closed;
    }

    /// <summary>One exchange: the request that opened it makes it, every later one shares it.</summary>
    private sealed class Flight
    {
        public TaskCompletionSource<T?> Landed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
