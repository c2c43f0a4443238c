using System.Text.Json;
using System.Text.Json.Nodes;
using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Benchmarks;
using CommunityEvals.LeaderboardProjection.Models;
using CommunityEvals.LeaderboardProjection.Shared;

namespace CommunityEvals.UnitTests.Projections;

public class BenchmarkReadModelTests
{
    private const string Stream = "benchmark/TIGER-Lab/MMLU-Pro";

    // Keys shuffled as jsonb returns them.
    private static readonly JsonElement Definition = Parse("""
        {"name":"MMLU-Pro","tasks":[{"id":"mmlu_pro","split":"test","config":"default","scorers":[{"args":{},"name":"choice"}]},{"id":"second"}],
         "extra":1,"leaderboard":{"mmlu_pro":{"range":[0,100],"metric":"accuracy"}},"description":"Ten-choice MMLU.","evaluation_framework":"inspect-ai"}
        """);

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static EventInfo Info(long sequence) => new(sequence, "x", new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(sequence), "admin");

    private static BenchmarkDocument Registered(bool official)
    {
        var benchmark = BenchmarkRules.Evolve(null, Stream, new BenchmarkRegistered("TIGER-Lab/MMLU-Pro", "c1", Definition), Info(1))!;
        return official ? BenchmarkRules.Evolve(benchmark, Stream, new BenchmarkMarkedOfficial("TIGER-Lab/MMLU-Pro"), Info(2))! : benchmark;
    }

    [Fact]
    public void Registering_updating_and_marking_official()
    {
        var benchmark = Registered(official: false);
        Assert.Equal(("TIGER-Lab/MMLU-Pro", "c1", false), (benchmark.DatasetId, benchmark.CommitOid, benchmark.Official));

        var changed = Parse("""{"name":"MMLU-Pro 2","tasks":[{"id":"t"}]}""");
        benchmark = BenchmarkRules.Evolve(benchmark, Stream, new BenchmarkUpdated("TIGER-Lab/MMLU-Pro", "c2", changed), Info(3))!;
        Assert.Equal("c2", benchmark.CommitOid);
        Assert.Equal("MMLU-Pro 2", benchmark.Definition.GetProperty("name").GetString());
        Assert.Equal(Info(1).Timestamp, benchmark.RegisteredAt);
        Assert.Equal(Info(3).Timestamp, benchmark.UpdatedAt);

        benchmark = BenchmarkRules.Evolve(benchmark, Stream, new BenchmarkMarkedOfficial("TIGER-Lab/MMLU-Pro"), Info(4))!;
        Assert.True(benchmark.Official);
    }

    [Fact]
    public void The_definition_comes_back_in_file_order_with_id_and_official()
    {
        var described = BenchmarksApi.Describe(Registered(official: true));

        Assert.Equal(["id", "name", "description", "evaluation_framework", "tasks", "leaderboard", "extra", "official"],
            described.Select(pair => pair.Key));
        Assert.Equal("TIGER-Lab/MMLU-Pro", described["id"]!.GetValue<string>());
        Assert.True(described["official"]!.GetValue<bool>());
        var tasks = described["tasks"]!.AsArray();
        Assert.Equal(["mmlu_pro", "second"], tasks.Select(task => task!["id"]!.GetValue<string>()));
        Assert.Equal(["id", "config", "split", "scorers"], tasks[0]!.AsObject().Select(pair => pair.Key));
        Assert.Equal(["name", "args"], tasks[0]!["scorers"]![0]!.AsObject().Select(pair => pair.Key));
        Assert.Equal(["metric", "range"], described["leaderboard"]!["mmlu_pro"]!.AsObject().Select(pair => pair.Key));
    }

    [Fact]
    public void Dataset_lists_filter_by_the_benchmark_tags()
    {
        var official = Registered(official: true);
        var plain = BenchmarkRules.Evolve(null, "benchmark/other/bench", new BenchmarkRegistered("other/bench", "c9", Parse("""{"name":"x","tasks":[]}""")), Info(5))!;
        var repos = new List<RepoPage>
        {
            new() { Id = "dataset/TIGER-Lab/MMLU-Pro", Repo = "TIGER-Lab/MMLU-Pro", Kind = "dataset", Owner = "TIGER-Lab", MainHead = "c1" },
            new() { Id = "dataset/acme/plain", Repo = "acme/plain", Kind = "dataset", Owner = "acme" },
        };

        List<string> Ids(params string[] filters) =>
            BenchmarksApi.List([official, plain], repos, filters, null, null).Select(item => item.Id).ToList();

        Assert.Equal(["TIGER-Lab/MMLU-Pro", "acme/plain", "other/bench"], Ids());
        Assert.Equal(["TIGER-Lab/MMLU-Pro", "other/bench"], Ids("benchmark"));
        Assert.Equal(["TIGER-Lab/MMLU-Pro"], Ids("benchmark:official"));
        Assert.Empty(Ids("benchmark", "nope"));

        var item = BenchmarksApi.List([official], repos, ["benchmark:official"], "tiger-lab", "mmlu").Single();
        Assert.Equal(["benchmark", "benchmark:official"], item.Tags);
        Assert.Equal(("TIGER-Lab", "c1", false, "Ten-choice MMLU."), (item.Author, item.Sha, item.Private, item.Description));
        Assert.Matches("^[0-9a-f]{24}$", item.ObjectId);
        Assert.Empty(BenchmarksApi.List([official], repos, ["benchmark"], "someone-else", null));
    }

    [Fact]
    public void Result_items_come_back_in_the_documented_order()
    {
        var item = Parse("""{"notes":"n","value":74.2,"source":{"name":"Card","url":"https://x"},"dataset":{"task_id":"t","id":"d"},"custom":true}""");

        var ordered = KnownOrder.ResultItem(item);

        Assert.Equal(["dataset", "value", "source", "notes", "custom"], ordered.EnumerateObject().Select(property => property.Name));
        Assert.Equal(["url", "name"], ordered.GetProperty("source").EnumerateObject().Select(property => property.Name));
        Assert.Equal(["id", "task_id"], ordered.GetProperty("dataset").EnumerateObject().Select(property => property.Name));
        Assert.True(JsonElement.DeepEquals(item, ordered));
    }

    [Fact]
    public void Hub_times_end_in_z_with_milliseconds()
    {
        Assert.Equal("2026-03-01T10:00:00.000Z", HubFormat.Time(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.FromHours(2))));
    }
}
