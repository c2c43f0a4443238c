using System.Globalization;
using System.Text.Json;
using CommunityEvals.Contracts.Events;
using CommunityEvals.IntegrationTests.Infrastructure;
using CommunityEvals.LeaderboardProjection.Leaderboards;
using CommunityEvals.LeaderboardProjection.ScoreChanges;
using CommunityEvals.LeaderboardProjection.Shared;
using JasperFx;
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
        await using var store = await NewStoreAsync();
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
        await using var store = await NewStoreAsync();
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

    private async Task<DocumentStore> NewStoreAsync()
    {
        var schema = $"catchup_{Guid.NewGuid():N}"[..20];
        var store = DocumentStore.For(options =>
        {
            options.Connection(stack.DatabaseConnectionString);
            options.DatabaseSchemaName = schema;
            options.Events.DatabaseSchemaName = schema;
            options.Events.StreamIdentity = StreamIdentity.AsString;
            options.UseSystemTextJsonForSerialization(Weasel.Core.EnumStorage.AsString, Weasel.Core.Casing.CamelCase);
            options.AutoCreateSchemaObjects = AutoCreate.All;
            options.AddLeaderboards(ProjectionLifecycle.Async);
        });
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return store;
    }

    /// <summary>A benchmark, then six models committing, re-committing and retracting results: 26 events, one per session.</summary>
    private static async Task<List<IEvent>> AppendLogAsync(IDocumentStore store)
    {
        var log = new List<(string Stream, object Event)>
        {
            (StreamKeys.Benchmark(Dataset), new BenchmarkRegistered(Dataset, "d1", Json(
                """{"name":"Catch-up","tasks":[{"id":"main"}],"leaderboard":{"main":{"metric":"accuracy","higher_is_better":true,"range":[0,100]}}}"""))),
        };
        var models = Enumerable.Range(0, 6).Select(index => $"org{index}/model").ToList();
        foreach (var model in models)
        {
            log.Add((ModelStream(model), new RepoCreated(model, "model", model.Split('/')[0], OwnerIsOrg: true)));
        }

        var random = new Random(7);
        for (var round = 0; round < 19; round++)
        {
            var model = models[random.Next(models.Count)];
            var commit = round % 7 == 6
                ? Commit([], retracted: [$"{model}#r"])
                : Commit([Result($"{model}#r", random.Next(0, 20) * 5.0)]);
            log.Add((ModelStream(model), new MainCommitted(model, "model", commit, CardChanged: false, BaseModel: null)));
        }

        foreach (var (stream, @event) in log)
        {
            await using var session = store.LightweightSession();
            session.Events.Append(stream, @event);
            await session.SaveChangesAsync();
        }

        await using var query = store.QuerySession();
        var events = await query.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToListAsync();
        Assert.Equal(log.Count, events.Count);
        return [.. events];
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
        var world = new LeaderboardWorld();
        var expectedChanges = new List<ScoreChangeRecord>();
        foreach (var @event in events)
        {
            var changes = LeaderboardFold.Apply(world, BoardsProjection.KeyOf(@event), @event.Data, EventInfo.From(@event));
            expectedChanges.AddRange(changes.Select((change, index) => ScoreChangeRecord.From(change, index + 1)));
        }

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

    private static string ModelStream(string repo) => StreamKeys.Repo("model", repo);

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static ResultEntry Result(string id, double value)
    {
        var text = value.ToString(CultureInfo.InvariantCulture);
        return new ResultEntry(id, ".eval_results/catch-up.yaml", 0, Dataset, "main", value, text, null, false,
            Json($$$"""{"value":{{{text}}},"dataset":{"task_id":"main","id":"{{{Dataset}}}"}}"""));
    }

    private static CommitChanges Commit(IReadOnlyList<ResultEntry> results, IReadOnlyList<string>? retracted = null) =>
        new("c" + Guid.NewGuid().ToString("N")[..8], null, "Update results", null,
            results.Select(result => new CommittedFile(result.Path, new string('0', 64), "...")).ToList(),
            retracted is null ? [] : [".eval_results/catch-up.yaml"], results, retracted ?? [], []);
}
