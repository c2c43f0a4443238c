using System.Text.Json;
using CommunityEvals.LeaderboardProjection.Leaderboards;
using CommunityEvals.LeaderboardProjection.Models;
using CommunityEvals.LeaderboardProjection.Shared;

namespace CommunityEvals.UnitTests.Leaderboards;

/// <summary>
/// The boards' fold keeps a model's entry when the entry it would make is the same (it folds every
/// event of a model and most entries stay): the same must mean every property, or a board would
/// keep showing what changed.
/// </summary>
public class BoardEntryReuseTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private static RepoResult Result(string id, int? pullRequest, double value, long sequence) => new()
    {
        ResultId = id,
        PullRequest = pullRequest,
        Path = ".eval_results/d.yaml",
        DatasetId = "org/d",
        TaskId = "t",
        Value = value,
        ValueText = value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Notes = "n",
        Data = JsonDocument.Parse("""{"source":{"name":"Paper","url":"https://example.org"}}""").RootElement,
        Sequence = sequence,
        UpdatedAt = At.AddMinutes(sequence),
    };

    private static LeaderboardModel Model(params RepoResult[] results) => new()
    {
        Id = "model/org/m",
        Page = new RepoPage
        {
            Repo = "org/m",
            Owner = "org",
            OwnerIsOrg = true,
            Results = [.. results],
            PullRequests = [new RepoPullRequest { Number = 3, Status = DiscussionStatus.Open }],
        },
        Evidence = { ["b"] = new ResultEvidence { Pieces = [new EvidencePiece { EvidenceId = "e", Status = EvidenceStatuses.Verified, JudgedValue = "80", Stderr = 0.5 }] } },
    };

    /// <summary>A model with a main result and an open pull request's (verified by evidence), and the entries made of them.</summary>
    private static (RepoResult A, RepoResult B, LeaderboardModel Model, List<BoardEntry> Made) TwoResults()
    {
        var a = Result("a", null, 70, 5);
        var b = Result("b", 3, 80, 7);
        var model = Model(a, b);
        return (a, b, model, LeaderboardModelRules.EntriesOf(model)["org/d"]);
    }

    [Fact]
    public void Entries_made_again_as_they_are_are_the_ones_the_board_has()
    {
        var (a, b, model, made) = TwoResults();

        Assert.Null(LeaderboardModelRules.EntriesOn(model, [b, a], made, 0, made.Count));
        // Beside other models' entries on the board.
        var board = new List<BoardEntry> { made[0] with { ModelKey = "model/a/a" }, made[0], made[1], made[1] with { ModelKey = "model/z/z" } };
        Assert.Null(LeaderboardModelRules.EntriesOn(model, [a, b], board, 1, 2));
    }

    [Fact]
    public void An_entry_differing_in_any_property_is_made_anew()
    {
        var (a, b, model, made) = TwoResults();

        var properties = typeof(BoardEntry).GetProperties();
        Assert.True(properties.Length >= 18, "every property of an entry is looked at");
        foreach (var property in properties)
        {
            var board = made.Select(entry => entry with { }).ToList();
            property.SetValue(board[1], Other(property.GetValue(board[1]), property.PropertyType));

            var again = LeaderboardModelRules.EntriesOn(model, [a, b], board, 0, board.Count);

            Assert.True(again is not null, $"an entry with another {property.Name} was kept");
            Assert.Same(board[0], again![0]);
            Assert.NotSame(board[1], again[1]);
            Assert.Equal(made[1], again[1]);
        }
    }

    [Fact]
    public void Results_gone_or_new_change_the_entries()
    {
        var (a, b, model, made) = TwoResults();

        Assert.Equal([made[0]], LeaderboardModelRules.EntriesOn(model, [a], made, 0, made.Count));
        Assert.Equal([], LeaderboardModelRules.EntriesOn(model, [], made, 0, made.Count));
        var c = Result("c", null, 60, 9);
        var grown = LeaderboardModelRules.EntriesOn(Model(a, b, c), [c, a, b], made, 0, made.Count);
        Assert.NotNull(grown);
        Assert.Equal(["a", "b", "c"], grown.Select(entry => entry.ResultId));
        Assert.Same(made[0], grown[0]);
        Assert.Same(made[1], grown[1]);
    }

    private static object? Other(object? value, Type type) => value switch
    {
        string text => text + "x",
        bool flag => !flag,
        double number => number + 1,
        long number => number + 1,
        int number => number + 1,
        DateTimeOffset time => time.AddSeconds(1),
        null when type == typeof(string) => "x",
        null when type == typeof(double?) => 1.0,
        null when type == typeof(int?) => 1,
        _ => throw new NotSupportedException($"no other value for a {type.Name}"),
    };
}
