namespace CommunityEvals.IntegrationTests.Infrastructure;

public static class Eventually
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Polls until <paramref name="probe"/> yields a value, for reads that are eventually
    /// consistent (projections, consumers). Fails with <paramref name="what"/> on timeout.
    /// </summary>
    public static async Task<T> GetAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null)
        where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            Wait(deadline, what);
            await Task.Delay(100);
        }
    }

    /// <inheritdoc cref="GetAsync{T}"/>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null)
        where T : struct
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            Wait(deadline, what);
            await Task.Delay(100);
        }
    }

    private static void Wait(DateTime deadline, string what)
    {
        if (DateTime.UtcNow > deadline)
        {
            throw new TimeoutException($"Timed out waiting for {what}");
        }
    }
}
