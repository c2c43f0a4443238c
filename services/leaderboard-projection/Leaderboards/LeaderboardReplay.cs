using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Shared;
using JasperFx.Events;
using Marten;
using Marten.Events;

namespace CommunityEvals.LeaderboardProjection.Leaderboards;

/// <summary>
/// A board as it stood at a time: the benchmark's stream and the streams of the models that ever
/// named it, read from the log up to that time (the store's timestamp of each event) and folded
/// with the same <see cref="LeaderboardFold"/> as the live projection.
/// </summary>
public static class LeaderboardReplay
{
    /// <summary>Verification outcomes sit in evidence streams; the replay reads them beside the boards' own streams.</summary>
    private const string EvidenceStreamPrefix = "evidence/";

    public const int PageSize = 1000;

    /// <param name="privateModels">The model repos private now: a past board follows the repos' current visibility (ACCESS.md).</param>
    /// <returns>The board of <paramref name="datasetId"/> from the events stored at or before <paramref name="asOf"/>; null when it had none.</returns>
    public static async Task<LeaderboardBoard?> BoardAsOfAsync(
        IQuerySession session, string datasetId, DateTimeOffset asOf, IReadOnlySet<string> privateModels, CancellationToken cancellationToken)
    {
        // Npgsql writes a DateTimeOffset to timestamptz only with offset 0; '+02:00' would be a 500.
        asOf = asOf.ToUniversalTime();
        // The live board lists every model stream that ever named the benchmark, up to where the
        // projection has folded. When that covers the requested time (or the whole log), those
        // streams are all the replay needs; otherwise every repo stream is read, which is slower
        // but never misses one.
        var cursor = await session.LoadAsync<LeaderboardCursor>(LeaderboardCursor.Key, cancellationToken);
        string[]? streams = null;
        if (cursor is not null && (cursor.LastTimestamp >= asOf || cursor.LastSequence >= await LastSequenceAsync(session, cancellationToken)))
        {
            var live = await session.LoadAsync<LeaderboardBoard>(StreamKeys.Benchmark(datasetId), cancellationToken);
            if (live is null)
            {
                return null;
            }

            streams = [StreamKeys.Benchmark(datasetId), .. live.Contributors];
        }

        var world = new LeaderboardWorld();
        long after = 0;
        while (true)
        {
            var query = session.Events.QueryAllRawEvents()
                .Where(e => e.Sequence > after && e.Timestamp <= asOf)
                .Where(e => e.EventTypesAre(LeaderboardFold.EventTypesToQuery));
            if (streams is not null)
            {
                query = query.Where(e => e.StreamKey.IsOneOf(streams) || e.StreamKey!.StartsWith(EvidenceStreamPrefix));
            }

            var page = await query.OrderBy(e => e.Sequence).Take(PageSize).ToListAsync(cancellationToken);
            foreach (var @event in page)
            {
                // Visibility as it is now, not as it was then: settings changes are left out, and
                // each repo starts as private as it is today.
                var data = @event.Data switch
                {
                    RepoSettingsChanged => null,
                    RepoCreated created => created with { Private = privateModels.Contains(created.Repo) && created.Kind == "model" },
                    var other => other,
                };
                if (data is not null)
                {
                    LeaderboardFold.Apply(world, LeaderboardProjection.KeyOf(@event), data, EventInfo.From(@event), computeChanges: false);
                }
            }

            if (page.Count < PageSize)
            {
                break;
            }

            after = page[^1].Sequence;
        }

        return world.Boards.GetValueOrDefault(datasetId);
    }

    private static async Task<long> LastSequenceAsync(IQuerySession session, CancellationToken cancellationToken)
    {
        var last = await session.Events.QueryAllRawEvents().OrderByDescending(e => e.Sequence).Take(1).ToListAsync(cancellationToken);
        return last.Count == 0 ? 0 : last[0].Sequence;
    }
}
