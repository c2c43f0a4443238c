using System.Collections.Concurrent;
using System.IO.Compression;
using CommunityEvals.LeaderboardProjection.Shared;
using Marten;
using Microsoft.Net.Http.Headers;

namespace CommunityEvals.LeaderboardProjection.Leaderboards;

/// <summary>
/// Serialized live boards, kept until the boards change. Reading a board means loading the whole
/// board document, ranking it and serializing it, which is far more work than sending bytes, and
/// boards are read much more often than they change.
/// <para>
/// Every entry carries the <see cref="Generation"/> it was built in; any change to the boards
/// starts a new generation, and an entry of an older one is never served. A reader takes the
/// generation before it loads the board, so a board loaded just before a change is stored under
/// the old generation and is dropped at once, never served as current. Changes are noticed
/// twice: right after this node's daemon commits (<see cref="ProjectionCommits"/>), and by
/// <see cref="BoardCacheWatcher"/> from the projection's progress in the store, which also covers
/// the daemon running on another node and rebuilds.
/// </para>
/// </summary>
public sealed class BoardCache
{
    /// <summary>Past this much cached body the cache starts over: a bound, not a tuned size.</summary>
    public const long MaxBytes = 64L * 1024 * 1024;

    private readonly ConcurrentDictionary<string, Lazy<Task<CachedBody?>>> _entries = new(StringComparer.Ordinal);
    private long _generation;
    private long _bytes;

    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>How much serialized body the current generation holds.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Forgets every entry: what it holds may no longer be what the store holds.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
        Interlocked.Exchange(ref _bytes, 0);
    }

    /// <summary>
    /// The body cached for <paramref name="key"/> in the current generation, or the one
    /// <paramref name="build"/> makes (once, however many readers ask at the same time).
    /// <paramref name="build"/> answers null for what is not to be cached (e.g. a 404).
    /// </summary>
    public async Task<CachedBody?> GetOrBuildAsync(string key, Func<Task<CachedBody?>> build)
    {
        var generation = Generation;
        var slot = $"{generation}|{key}";
        var made = new Lazy<Task<CachedBody?>>(build, LazyThreadSafetyMode.ExecutionAndPublication);
        var lazy = _entries.GetOrAdd(slot, made);
        CachedBody? body;
        try
        {
            body = await lazy.Value;
        }
        catch
        {
            _entries.TryRemove(new KeyValuePair<string, Lazy<Task<CachedBody?>>>(slot, lazy));
            throw;
        }

        if (body is null || Generation != generation)
        {
            _entries.TryRemove(new KeyValuePair<string, Lazy<Task<CachedBody?>>>(slot, lazy));
            return body;
        }

        // Counted once, by the reader whose build made the entry: every hit counting it would start
        // the cache over every few hundred reads of a big board.
        if (ReferenceEquals(lazy, made) && Interlocked.Add(ref _bytes, body.Json.Length) > MaxBytes)
        {
            Invalidate();
        }

        return body;
    }
}

/// <summary>One serialized answer: the JSON, its ETag (when the route has one) and, made on first demand, its gzip form.</summary>
public sealed class CachedBody(byte[] json, string? etag)
{
    private readonly Lazy<byte[]> _gzip = new(() => Compress(json));

    public byte[] Json { get; } = json;

    public string? ETag { get; } = etag;

    public byte[] Gzip => _gzip.Value;

    private static byte[] Compress(byte[] json)
    {
        using var buffer = new MemoryStream(json.Length / 4 + 64);
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(json);
        }

        return buffer.ToArray();
    }
}

/// <summary>
/// Sends a <see cref="CachedBody"/>: 304 when <c>If-None-Match</c> names its ETag; gzip when the
/// client accepts it and the body is big enough to gain from it.
/// </summary>
public sealed class CachedJsonResult(CachedBody body) : IResult
{
    private const int CompressFrom = 1024;

    public CachedBody Body { get; } = body;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        if (Body.ETag is { } etag)
        {
            response.Headers.ETag = etag;
            if (LeaderboardsApi.Matches(httpContext.Request.Headers.IfNoneMatch, etag))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        var bytes = Body.Json;
        if (bytes.Length >= CompressFrom)
        {
            response.Headers.Vary = HeaderNames.AcceptEncoding;
            if (AcceptsGzip(httpContext.Request))
            {
                bytes = Body.Gzip;
                response.Headers.ContentEncoding = "gzip";
            }
        }

        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, httpContext.RequestAborted);
    }

    /// <summary>Whether <c>Accept-Encoding</c> names gzip (or <c>*</c>) with a non-zero quality.</summary>
    public static bool AcceptsGzip(HttpRequest request)
    {
        var header = request.Headers.AcceptEncoding;
        if (header.Count == 0 || !StringWithQualityHeaderValue.TryParseList(header, out var codings))
        {
            return false;
        }

        return codings.Any(coding =>
            (coding.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) || coding.Value.Equals("*", StringComparison.Ordinal))
            && coding.Quality is not 0);
    }
}

/// <summary>
/// Watches how far the boards' projection has come in the store and starts a new generation when
/// it moves (or goes back, in a rebuild): the daemon may run on another node, whose commits
/// <see cref="ProjectionCommits"/> never hears of.
/// </summary>
public sealed class BoardCacheWatcher(IDocumentStore store, BoardCache cache, ILogger<BoardCacheWatcher> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long? seen = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var progress = await store.Advanced.AllProjectionProgress(token: stoppingToken);
                var sequence = progress
                    .Where(shard => shard.ShardName.StartsWith(LeaderboardProjection.ProjectionName + ":", StringComparison.Ordinal))
                    .Select(shard => shard.Sequence)
                    .DefaultIfEmpty(-1)
                    .Max();
                if (sequence != seen)
                {
                    seen = sequence;
                    cache.Invalidate();
                }

                await Task.Delay(Interval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // While the database is away nothing can be checked: serve nothing from before.
                cache.Invalidate();
                logger.LogDebug(exception, "Could not read the boards' projection progress");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}

public static class BoardCacheExtensions
{
    public static IHostApplicationBuilder AddBoardCache(this IHostApplicationBuilder builder, ProjectionCommits commits)
    {
        var cache = new BoardCache();
        commits.Subscribe(cache.Invalidate);
        builder.Services.AddSingleton(cache);
        builder.Services.AddHostedService<BoardCacheWatcher>();
        return builder;
    }
}
