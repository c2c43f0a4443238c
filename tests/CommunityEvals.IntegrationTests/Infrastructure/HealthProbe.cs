namespace CommunityEvals.IntegrationTests.Infrastructure;

/// <summary>Waits for a process the test started to answer <c>/health</c> with 200.</summary>
public static class HealthProbe
{
    /// <param name="exited">True once the process is gone: no point waiting further.</param>
    /// <param name="describe">What to show when it never got healthy (its output's last lines).</param>
    public static async Task WaitAsync(Uri baseAddress, TimeSpan timeout, Func<bool> exited, Func<string> describe)
    {
        using var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var response = await client.GetAsync("/health");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (exited() || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{baseAddress} was not healthy within {timeout}:\n{describe()}");
            }

            await Task.Delay(250);
        }
    }
}
