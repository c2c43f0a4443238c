using System.Text.Json;
using CommunityEvals.Contracts.Events;
using CommunityEvals.IntegrationTests.Infrastructure;
using CommunityEvals.LeaderboardProjection.Leaderboards;
using CommunityEvals.LeaderboardProjection.ScoreChanges;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using BoardsProjection = CommunityEvals.LeaderboardProjection.Leaderboards.LeaderboardProjection;

namespace CommunityEvals.IntegrationTests.Leaderboards;

/// <summary>
/// The boards projection while it is behind the log keeps its documents in memory and stores only
/// the score changes with each page. These drive it page by page on a real PostgreSQL, as the
/// daemon does, and compare what it stored with a fold of the whole log in memory: after catching
/// up, after losing the instance half way (a crash or restart), and after a page whose transaction
/// failed and was handed out again.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class BoardsCatchUpTests(StackFixture stack)
{
    private const string Dataset = "bench-org/catch-up";
    private const int PageSize = 4;

    [Fact]
    public async Task Documents_wait_while_behind_and_a_lost_instance_loses_nothing()
    {
        using var eventStore = await NewStoreAsync();
        var store = eventStore.Store;
        var events = await AppendLogAsync(store);
        var pages = events.Chunk(PageSize).ToList();

        // The first page counts as caught up (a full page is 100 events), so its documents are written;
        // the next two are full pages with more after them, so theirs wait.
        var fullPage = 100;
        var first = new BoardsProjection(() => fullPage);
        await ApplyAndCommitAsync(store, first, pages[0]);
        fullPage = PageSize;
        await ApplyAndCommitAsync(store, first, pages[1]);
        await ApplyAndCommitAsync(store, first, pages[2]);

        await using (var session = store.QuerySession())
        {
            var cursor = await session.LoadAsync<LeaderboardCursor>(LeaderboardCursor.Key);
            Assert.NotNull(cursor);
            Assert.Equal(pages[0][^1].Sequence, cursor.LastSequence);
            Assert.Equal(pages[2][^1].Sequence, cursor.FoldedSequence);
            var board = await session.LoadAsync<LeaderboardBoard>(StreamKeys.Benchmark(Dataset));
            Assert.NotNull(board);
            // Results arrive from the second page on: they are in the score changes, not yet on the board.
            Assert.Empty(board.Entries);
            var changed = (await session.Query<ScoreChangeSet>().ToListAsync()).Max(set => set.Id);
            Assert.True(changed > pages[0][^1].Sequence, "the deferred pages stored no score changes");
        }

        // The first instance is gone with what it held; a new one takes the rest of the log.
        var second = new BoardsProjection(() => PageSize);
        foreach (var page in pages.Skip(3))
        {
            await ApplyAndCommitAsync(store, second, page);
        }

        await AssertStoredEqualsFoldAsync(store, events);
    }

    [Fact]
    public async Task A_page_whose_transaction_failed_is_folded_again()
    {
        using var eventStore = await NewStoreAsync();
        var store = eventStore.Store;
        var events = await AppendLogAsync(store);
        var pages = events.Chunk(PageSize).ToList();

        var projection = new BoardsProjection(() => PageSize);
        for (var page = 0; page < pages.Count; page++)
        {
            if (page is 1 or 4)
            {
                // Applied, never committed: the daemon hands the same page out again.
                await using var failed = store.LightweightSession();
                await projection.ApplyAsync(failed, pages[page], CancellationToken.None);
            }

            await ApplyAndCommitAsync(store, projection, pages[page]);
        }

        await AssertStoredEqualsFoldAsync(store, events);
    }

    /// <summary>The services' store with events and documents in a schema of the test's own, and the boards registered.</summary>
    private async Task<ServiceEventStore> NewStoreAsync()
    {
        var schema = $"catchup_{Guid.NewGuid():N}"[..20];
        var eventStore = new ServiceEventStore(stack.DatabaseConnectionString, schema, options =>
        {
            options.Events.DatabaseSchemaName = schema;
            options.AddLeaderboards(ProjectionLifecycle.Async);
        });
        await eventStore.Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return eventStore;
    }

    /// <summary>A benchmark, then six models committing, re-committing and retracting results: 26 events, one per session.</summary>
    private static async Task<List<IEvent>> AppendLogAsync(IDocumentStore store)
    {
        var models = Enumerable.Range(0, 6).Select(index => $"org{index}/model").ToList();
        List<(string Stream, object Event)> log =
        [
            BoardEventLog.Benchmark(Dataset),
            .. models.Select(BoardEventLog.Model),
            .. BoardEventLog.Commits(Dataset, models, count: 19, seed: 7),
        ];
        await BoardEventLog.AppendAsync(store, log);
        var events = await BoardEventLog.AllAsync(store);
        Assert.Equal(log.Count, events.Count);
        return events;
    }

    private static async Task ApplyAndCommitAsync(IDocumentStore store, BoardsProjection projection, IReadOnlyList<IEvent> page)
    {
        await using var session = store.LightweightSession();
        await projection.ApplyAsync(session, page, CancellationToken.None);
        await session.SaveChangesAsync();
    }

    /// <summary>The stored board, cursor and score changes are those of folding the whole log at once.</summary>
    private static async Task AssertStoredEqualsFoldAsync(IDocumentStore store, IReadOnlyList<IEvent> events)
    {
        var (world, changes) = BoardEventLog.Fold(events);
        var expectedChanges = changes
            .GroupBy(change => change.Sequence)
            .SelectMany(group => group.Select((change, index) => ScoreChangeRecord.From(change, index + 1)))
            .ToList();

        await using var session = store.QuerySession();
        var cursor = await session.LoadAsync<LeaderboardCursor>(LeaderboardCursor.Key);
        Assert.NotNull(cursor);
        Assert.Equal(events[^1].Sequence, cursor.LastSequence);
        Assert.Equal(events[^1].Sequence, cursor.FoldedSequence);

        var board = await session.LoadAsync<LeaderboardBoard>(StreamKeys.Benchmark(Dataset));
        Assert.NotNull(board);
        var expectedBoard = world.Boards[Dataset];
        Assert.Equal(expectedBoard.Entries, board.Entries);
        Assert.Equal(expectedBoard.Contributors, board.Contributors);
        Assert.Equal(expectedBoard.LastSequence, board.LastSequence);
        Assert.NotEmpty(board.Entries);

        var sets = await session.Query<ScoreChangeSet>().ToListAsync();
        var stored = sets.OrderBy(set => set.Id).SelectMany(set => set.Changes).ToList();
        Assert.True(expectedChanges.Count > 10, $"the log made only {expectedChanges.Count} changes");
        Assert.Equal(expectedChanges.Select(Text), stored.Select(Text));
    }

    private static string Text(ScoreChangeRecord record) => JsonSerializer.Serialize(record);
}
