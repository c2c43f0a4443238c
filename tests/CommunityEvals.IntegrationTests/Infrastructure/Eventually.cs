namespace CommunityEvals.IntegrationTests.Infrastructure;

public static class Eventually
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Polls until <paramref name="probe"/> yields a value, for reads that are eventually
    /// consistent (projections, consumers). Fails with <paramref name="what"/> on timeout.
    /// </summary>
    public static async Task<T> GetAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null)
        where T : class =>
        (await PollAsync(async () => await probe() is { } value ? (true, value) : (false, default!), what, timeout))!;

    /// <inheritdoc cref="GetAsync{T}"/>
    public static Task<T> ValueAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null)
        where T : struct =>
        PollAsync(async () => await probe() is { } value ? (true, value) : (false, default), what, timeout);

    private static async Task<T> PollAsync<T>(Func<Task<(bool Found, T Value)>> probe, string what, TimeSpan? timeout)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var (found, value) = await probe();
            if (found)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}");
            }

            await Task.Delay(100);
        }
    }
}
