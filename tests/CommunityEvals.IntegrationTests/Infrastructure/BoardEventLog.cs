using System.Globalization;
using System.Text.Json;
using CommunityEvals.Contracts;
using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Leaderboards;
using CommunityEvals.LeaderboardProjection.Shared;
using JasperFx.Events;
using Marten;
using BoardsProjection = CommunityEvals.LeaderboardProjection.Leaderboards.LeaderboardProjection;

namespace CommunityEvals.IntegrationTests.Infrastructure;

/// <summary>
/// A small log of board events written straight into an event store (no HTTP): a benchmark with one
/// task <c>main</c>, model repos, and commits that set, change and retract one result per model.
/// With the fold of what was stored, to compare a projection's work against.
/// </summary>
public static class BoardEventLog
{
    public const string TaskId = "main";

    public static (string Stream, object Event) Benchmark(string dataset) =>
        (StreamKeys.Benchmark(dataset), new BenchmarkRegistered(dataset, "d1", Json(
            """{"name":"Board log","tasks":[{"id":"main"}],"leaderboard":{"main":{"metric":"accuracy","higher_is_better":true,"range":[0,100]}}}""")));

    public static (string Stream, object Event) Model(string repo) =>
        (ModelStream(repo), new RepoCreated(repo, "model", repo.Split('/')[0], OwnerIsOrg: true));

    /// <summary>Commits to main by models picked at random; every seventh retracts the model's result.</summary>
    public static IEnumerable<(string Stream, object Event)> Commits(string dataset, IReadOnlyList<string> models, int count, int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < count; round++)
        {
            var model = models[random.Next(models.Count)];
            var commit = round % 7 == 6
                ? Commit(dataset, [], retracted: [$"{model}#r"])
                : Commit(dataset, [Result(dataset, $"{model}#r", random.Next(0, 20) * 5.0)]);
            yield return (ModelStream(model), new MainCommitted(model, "model", commit, CardChanged: false, BaseModel: null));
        }
    }

    /// <summary>Appends each event in a session of its own, in order.</summary>
    public static async Task AppendAsync(IDocumentStore store, IEnumerable<(string Stream, object Event)> log)
    {
        foreach (var (stream, @event) in log)
        {
            await using var session = store.LightweightSession();
            session.Events.Append(stream, @event);
            await session.SaveChangesAsync();
        }
    }

    public static async Task<List<IEvent>> AllAsync(IDocumentStore store)
    {
        await using var query = store.QuerySession();
        return [.. await query.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToListAsync()];
    }

    /// <summary>The boards and the score changes folding these events at once gives.</summary>
    public static (LeaderboardWorld World, List<ScoreChanged> Changes) Fold(IEnumerable<IEvent> events)
    {
        var world = new LeaderboardWorld();
        var changes = new List<ScoreChanged>();
        foreach (var @event in events)
        {
            changes.AddRange(LeaderboardFold.Apply(world, BoardsProjection.KeyOf(@event), @event.Data, EventInfo.From(@event)));
        }

        return (world, changes);
    }

    private static string ModelStream(string repo) => StreamKeys.Repo("model", repo);

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static ResultEntry Result(string dataset, string id, double value)
    {
        var text = value.ToString(CultureInfo.InvariantCulture);
        return new ResultEntry(id, ".eval_results/board-log.yaml", 0, dataset, TaskId, value, text, null, false,
            Json($$$"""{"value":{{{text}}},"dataset":{"task_id":"main","id":"{{{dataset}}}"}}"""));
    }

    private static CommitChanges Commit(string dataset, IReadOnlyList<ResultEntry> results, IReadOnlyList<string>? retracted = null) =>
        new("c" + Guid.NewGuid().ToString("N")[..8], null, $"Update results on {dataset}", null,
            results.Select(result => new CommittedFile(result.Path, new string('0', 64), "...")).ToList(),
            retracted is null ? [] : [".eval_results/board-log.yaml"], results, retracted ?? [], []);
}
