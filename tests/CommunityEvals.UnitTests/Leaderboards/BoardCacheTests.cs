using CommunityEvals.LeaderboardProjection.Leaderboards;

namespace CommunityEvals.UnitTests.Leaderboards;

public sealed class BoardCacheTests
{
    [Fact]
    public async Task A_body_is_built_once_and_counted_once_however_often_it_is_read()
    {
        var cache = new BoardCache();
        var builds = 0;
        var json = new byte[1024 * 1024];
        Task<CachedBody?> Build()
        {
            Interlocked.Increment(ref builds);
            return Task.FromResult<CachedBody?>(new CachedBody(json, "\"v1\""));
        }

        var first = await cache.GetOrBuildAsync("board", Build);
        // Far more reads than the bound holds copies of the body: each must be a hit.
        for (var read = 0; read < 2 * BoardCache.MaxBytes / json.Length; read++)
        {
            Assert.Same(first, await cache.GetOrBuildAsync("board", Build));
        }

        Assert.Equal(1, builds);
        Assert.Equal(json.Length, cache.Bytes);
    }

    [Fact]
    public async Task Past_the_bound_the_cache_starts_over_and_a_change_is_never_served_from_before()
    {
        var cache = new BoardCache();
        var json = new byte[BoardCache.MaxBytes / 4 + 1];
        for (var key = 0; key < 4; key++)
        {
            await cache.GetOrBuildAsync($"board-{key}", () => Task.FromResult<CachedBody?>(new CachedBody(json, null)));
        }

        Assert.Equal(0, cache.Bytes);

        var old = await cache.GetOrBuildAsync("board", () => Task.FromResult<CachedBody?>(new CachedBody([1], "\"old\"")));
        cache.Invalidate();
        var current = await cache.GetOrBuildAsync("board", () => Task.FromResult<CachedBody?>(new CachedBody([2], "\"new\"")));
        Assert.Equal("\"old\"", old!.ETag);
        Assert.Equal("\"new\"", current!.ETag);
    }
}
