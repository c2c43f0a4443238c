using CommunityEvals.Evidence;
using CommunityEvals.Verification.Arena;

namespace CommunityEvals.UnitTests.Arena;

public class BattleChoiceTests
{
    private static Dictionary<string, string> Samples(params (string Id, string Hash)[] samples) =>
        samples.ToDictionary(s => s.Id, s => s.Hash);

    [Fact]
    public void The_pair_with_the_fewest_counted_votes_comes_first()
    {
        var models = new Dictionary<string, Dictionary<string, string>>
        {
            ["a/m1"] = Samples(("s1", "h1")),
            ["a/m2"] = Samples(("s1", "h1")),
            ["a/m3"] = Samples(("s1", "h1")),
        };
        var votes = new Dictionary<string, int>
        {
            [ArenaAnswers.PairKey("a/m1", "a/m2")] = 5,
            [ArenaAnswers.PairKey("a/m1", "a/m3")] = 2,
            [ArenaAnswers.PairKey("a/m2", "a/m3")] = 1,
        };

        for (var seed = 0; seed < 20; seed++)
        {
            var pick = BattleChoice.Choose(models, votes, (_, _, _) => false, new Random(seed))!;
            Assert.Equal(["a/m2", "a/m3"], new[] { pick.ModelA, pick.ModelB }.Order());
        }
    }

    [Fact]
    public void Only_samples_both_logs_showed_alike_and_the_caller_has_not_judged_are_served()
    {
        var models = new Dictionary<string, Dictionary<string, string>>
        {
            ["a/m1"] = Samples(("s1", "h1"), ("s2", "h2"), ("s3", "h3"), ("s4", "h4")),
            ["a/m2"] = Samples(("s1", "h1"), ("s2", "other"), ("s3", "h3")),
        };

        var picks = Enumerable.Range(0, 40)
            .Select(seed => BattleChoice.Choose(models, new Dictionary<string, int>(), (sample, _, _) => sample == "s1", new Random(seed))!)
            .ToList();

        Assert.All(picks, pick => Assert.Equal("s3", pick.SampleId));
        // Slots at random: both orders happen.
        Assert.Equal(2, picks.Select(pick => pick.ModelA).Distinct().Count());
        Assert.Null(BattleChoice.Choose(models, new Dictionary<string, int>(), (sample, _, _) => sample is "s1" or "s3", new Random(1)));
    }

    [Fact]
    public void Input_hashes_differ_when_the_choices_differ()
    {
        Assert.Equal(SampleAnswerCollector.InputHash("2+2?", ["3", "4"]), SampleAnswerCollector.InputHash("2+2?", ["3", "4"]));
        Assert.NotEqual(SampleAnswerCollector.InputHash("2+2?", ["3", "4"]), SampleAnswerCollector.InputHash("2+2?", ["4", "3"]));
        Assert.NotEqual(SampleAnswerCollector.InputHash("2+2?", ["3 4"]), SampleAnswerCollector.InputHash("2+2?", ["3", "4"]));
        Assert.NotEqual(SampleAnswerCollector.InputHash("2+2?", []), SampleAnswerCollector.InputHash("2+2?", [""]));
    }

    [Theory]
    [InlineData("I am Model-7B.", true)]
    [InlineData("acme/model-7b says yes", true)]
    [InlineData("Served by openai/gpt-x.", true)]
    [InlineData("A model says yes.", false)]
    public void An_answer_names_a_model_by_its_repo_its_name_or_its_logs_model(string answer, bool names)
    {
        Assert.Equal(names, ArenaAnswers.Names(answer, ArenaAnswers.NamesOf("acme/model-7b", "openai/gpt-x")));
    }
}

public class SampleAnswerCollectorTests
{
    private static InspectSample Sample(string id, int epoch, string? completion, params string[] choices) =>
        new() { Id = id, Epoch = epoch, Input = $"input {id}", Completion = completion, Choices = choices };

    [Fact]
    public void Each_sample_keeps_its_first_epochs_answer_and_samples_without_one_are_skipped()
    {
        var collector = new SampleAnswerCollector(maxAnswers: 10);
        collector.Add(Sample("s1", 2, "second try"));
        collector.Add(Sample("s1", 1, "first try", "a", "b"));
        collector.Add(Sample("s2", 1, "  "));
        collector.Add(Sample("s3", 1, null));

        var answer = Assert.Single(collector.Answers);
        Assert.Equal(("s1", "first try", "input s1"), (answer.SampleId, answer.Answer, answer.Input));
        Assert.Equal(SampleAnswerCollector.InputHash("input s1", ["a", "b"]), answer.InputHash);
    }

    [Fact]
    public void No_more_than_the_bound_is_kept()
    {
        var collector = new SampleAnswerCollector(maxAnswers: 2);
        foreach (var id in new[] { "s1", "s2", "s3" })
        {
            collector.Add(Sample(id, 1, "yes"));
        }

        Assert.Equal(["s1", "s2"], collector.Answers.Select(a => a.SampleId).Order());
    }
}
