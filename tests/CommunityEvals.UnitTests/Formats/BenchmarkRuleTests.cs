using CommunityEvals.Formats;

namespace CommunityEvals.UnitTests.Formats;

public class BenchmarkRuleTests
{
    private const string Valid = """
        name: Corpus
        description: A test benchmark.
        evaluation_framework: inspect-ai
        tasks:
          - id: main
            field_spec: {input: question, target: answer}
            solvers: [{name: generate}]
            scorers: [{name: match}]
          - id: hard
            config: hard
            split: validation
            field_spec: {input: question, target: answer, choices: [a, b]}
            solvers:
              - name: system_message
                args: {template: "Be brief."}
              - name: generate
            scorers: [{name: model_graded_fact, args: {model: openai/o3-mini}}]
            shuffle_choices: false
            epochs: 4
            epoch_reducer: pass_at_2
        leaderboard:
          main: {metric: accuracy, higher_is_better: true, range: [0, 100], samples: 12032}
          hard: {metric: wer, higher_is_better: false, range: [0.0, 1]}
        """;

    private static FormatIssue SingleError(ParseOutcome<BenchmarkDefinition> outcome)
    {
        Assert.Null(outcome.Value);
        Assert.False(outcome.TooLarge);
        return Assert.Single(outcome.Errors);
    }

    private static FormatIssue ErrorFor(string yaml, string field)
    {
        var error = SingleError(FormatsTestData.Benchmark(yaml));
        Assert.Equal(field, error.Field);
        Assert.Equal("eval.yaml", error.File);
        Assert.Null(error.Item);
        return error;
    }

    [Fact]
    public void A_full_definition_parses_with_every_field()
    {
        var outcome = FormatsTestData.Benchmark(Valid);
        Assert.True(outcome.IsValid, string.Join("\n", outcome.Errors));
        Assert.Empty(outcome.Warnings);
        var b = outcome.Value!;
        Assert.Equal(["main", "hard"], b.Tasks.Select(t => t.Id));
        Assert.Equal(new LeaderboardSpec("accuracy", true, new ValueRange(0, 100), 12032), b.Tasks[0].Leaderboard);
        var hard = b.FindTask("hard")!;
        Assert.Equal(("hard", "validation", false, 4, "pass_at_2"), (hard.Config, hard.Split, hard.ShuffleChoices, hard.Epochs, hard.EpochReducer));
        Assert.Equal(new LeaderboardSpec("wer", false, new ValueRange(0, 1), null), hard.Leaderboard);
        Assert.Equal("Be brief.", (string?)hard.Solvers[0].Args!["template"]);
        Assert.Equal(12032, (int)b.Data["leaderboard"]!["main"]!["samples"]!);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("description")]
    [InlineData("evaluation_framework")]
    [InlineData("tasks")]
    public void Each_required_top_level_field_is_named_when_missing(string field)
    {
        var lines = new[] { "name: x", "description: y", "evaluation_framework: mteb", "tasks: [{id: t}]" }
            .Where(l => !l.StartsWith(field + ":"));
        var error = ErrorFor(string.Join('\n', lines), field);
        Assert.Equal((1, 1), (error.Line, error.Column));
        Assert.Equal($"'{field}' is required.", error.Message);
    }

    [Fact]
    public void An_unknown_framework_names_the_field_and_lists_the_allowed_values()
    {
        var error = ErrorFor(Valid.Replace("evaluation_framework: inspect-ai", "evaluation_framework: lm-eval"), "evaluation_framework");
        Assert.Equal((3, 23), (error.Line, error.Column));
        Assert.Contains("'lm-eval'", error.Message);
        foreach (var framework in new[] { "inspect-ai", "math-arena", "mteb", "olmocr-bench", "swe-bench", "swe-bench-pro", "harbor", "nemo-evaluator", "open-asr-leaderboard", "mmmu" })
        {
            Assert.Contains(framework, error.Message);
        }
    }

    [Fact]
    public void The_framework_list_is_configuration()
    {
        Assert.True(FormatOptions.DefaultEvaluationFrameworks.Count >= 25);
        var parser = new FormatParser(new FormatOptions { EvaluationFrameworks = ["in-house"] });
        var yaml = "name: x\ndescription: y\nevaluation_framework: in-house\ntasks: [{id: t}]\n"u8.ToArray();
        Assert.True(parser.ParseBenchmark("eval.yaml", yaml).IsValid);

        var refused = parser.ParseBenchmark("eval.yaml", "name: x\ndescription: y\nevaluation_framework: mteb\ntasks: [{id: t}]\n"u8);
        Assert.Equal("'evaluation_framework' 'mteb' is not supported; allowed values: in-house.", Assert.Single(refused.Errors).Message);
    }

    [Fact]
    public void Tasks_must_be_a_non_empty_list()
    {
        var yaml = "name: x\ndescription: y\nevaluation_framework: mteb\ntasks: []\n";
        Assert.Equal(4, ErrorFor(yaml, "tasks").Line);
        ErrorFor("name: x\ndescription: y\nevaluation_framework: mteb\ntasks: {main: {}}\n", "tasks");
    }

    [Fact]
    public void Task_ids_are_required_and_unique()
    {
        var duplicate = ErrorFor("name: x\ndescription: y\nevaluation_framework: mteb\ntasks:\n  - id: main\n  - id: main\n", "tasks[1].id");
        Assert.Equal((6, 9), (duplicate.Line, duplicate.Column));
        Assert.Contains("tasks[0]", duplicate.Message);

        var missing = FormatsTestData.Benchmark("name: x\ndescription: y\nevaluation_framework: mteb\ntasks:\n  - split: test\n");
        Assert.Equal(("tasks[0].id", 5, 5), (SingleError(missing).Field, SingleError(missing).Line, SingleError(missing).Column));
    }

    [Theory]
    [InlineData("field_spec")]
    [InlineData("solvers")]
    [InlineData("scorers")]
    public void Inspect_tasks_need_field_spec_solvers_and_scorers(string field)
    {
        var at = Valid.IndexOf($"    {field}: ", StringComparison.Ordinal);
        var yaml = Valid[..at] + "    x_" + Valid[(at + 4)..];
        var outcome = FormatsTestData.Benchmark(yaml);
        var error = SingleError(outcome);
        Assert.Equal($"tasks[0].{field}", error.Field);
        Assert.Equal((5, 5), (error.Line, error.Column));

        // Other frameworks need none of them.
        var other = FormatsTestData.Benchmark(yaml.Replace("inspect-ai", "math-arena"));
        Assert.True(other.IsValid, string.Join("\n", other.Errors));
        Assert.Contains(other.Warnings, w => w.Field == $"tasks[0].x_{field}");
    }

    [Fact]
    public void Solver_and_scorer_names_come_from_inspects_fixed_sets()
    {
        var solver = ErrorFor(Valid.Replace("[{name: generate}]", "[{name: think_hard}]"), "tasks[0].solvers[0].name");
        Assert.Contains("multiple_choice", solver.Message);
        Assert.Equal((7, 22), (solver.Line, solver.Column));
        var scorer = ErrorFor(Valid.Replace("[{name: match}]", "[{name: vibes}]"), "tasks[0].scorers[0].name");
        Assert.Contains("model_graded_fact", scorer.Message);
        ErrorFor(Valid.Replace("[{name: match}]", "[match]"), "tasks[0].scorers[0]");
        ErrorFor(Valid.Replace("args: {template: \"Be brief.\"}", "args: [x]"), "tasks[1].solvers[0].args");
    }

    [Theory]
    [InlineData("epochs: 0", "tasks[1].epochs")]
    [InlineData("epochs: -1", "tasks[1].epochs")]
    [InlineData("epochs: 2.5", "tasks[1].epochs")]
    [InlineData("epochs: \"4\"", "tasks[1].epochs")]
    [InlineData("epoch_reducer: average", "tasks[1].epoch_reducer")]
    [InlineData("epoch_reducer: pass_at_0", "tasks[1].epoch_reducer")]
    [InlineData("epoch_reducer: at_least_", "tasks[1].epoch_reducer")]
    [InlineData("shuffle_choices: \"false\"", "tasks[1].shuffle_choices")]
    public void Epochs_reducer_and_shuffle_are_checked(string replacement, string field)
    {
        var key = replacement.Split(':')[0];
        var lines = Valid.Split('\n').Select(l => l.TrimStart().StartsWith(key + ":") ? "    " + replacement : l);
        ErrorFor(string.Join('\n', lines), field);
    }

    [Theory]
    [InlineData("mean")]
    [InlineData("median")]
    [InlineData("mode")]
    [InlineData("max")]
    [InlineData("pass_at_1")]
    [InlineData("at_least_12")]
    public void Every_documented_epoch_reducer_is_accepted(string reducer)
    {
        Assert.True(FormatsTestData.Benchmark(Valid.Replace("pass_at_2", reducer)).IsValid);
    }

    [Theory]
    [InlineData("main: {range: [100, 0]}", "leaderboard.main.range")]
    [InlineData("main: {range: [5, 5]}", "leaderboard.main.range")]
    [InlineData("main: {range: [0]}", "leaderboard.main.range")]
    [InlineData("main: {range: [0, \"100\"]}", "leaderboard.main.range")]
    [InlineData("main: {range: [0, .inf]}", "leaderboard.main.range")]
    [InlineData("main: {samples: 0}", "leaderboard.main.samples")]
    [InlineData("main: {samples: many}", "leaderboard.main.samples")]
    [InlineData("main: {higher_is_better: \"true\"}", "leaderboard.main.higher_is_better")]
    [InlineData("main: {higher_is_better: 1}", "leaderboard.main.higher_is_better")]
    [InlineData("main: accuracy", "leaderboard.main")]
    [InlineData("other: {metric: accuracy}", "leaderboard.other")]
    public void The_leaderboard_extension_is_checked(string entry, string field)
    {
        var yaml = Valid[..Valid.IndexOf("leaderboard:", StringComparison.Ordinal)] + "leaderboard:\n  " + entry + "\n";
        var error = ErrorFor(yaml, field);
        Assert.Equal(22, error.Line);
    }

    [Fact]
    public void Leaderboard_keys_must_be_task_ids_of_the_file()
    {
        var error = ErrorFor(Valid.Replace("  hard: {metric: wer", "  harder: {metric: wer"), "leaderboard.harder");
        Assert.Contains("task ids: main, hard", error.Message);
    }

    [Fact]
    public void Leaderboard_defaults_apply_to_tasks_without_an_entry_and_to_null_entries()
    {
        var b = FormatsTestData.Benchmark(Valid[..Valid.IndexOf("leaderboard:", StringComparison.Ordinal)] + "leaderboard:\n  main:\n").Value!;
        Assert.All(b.Tasks, t => Assert.Equal(LeaderboardSpec.Default, t.Leaderboard));
    }

    [Fact]
    public void Unknown_keys_are_warnings_and_are_kept()
    {
        var yaml = Valid.Replace("tasks:\n", "license: mit\ntasks:\n").Replace("    epochs: 4\n", "    epochs: 4\n    subset: x\n")
            .Replace("{metric: accuracy,", "{metric: accuracy, colour: blue,");
        var outcome = FormatsTestData.Benchmark(yaml);
        Assert.True(outcome.IsValid, string.Join("\n", outcome.Errors));
        Assert.Equal(["leaderboard.main.colour", "license", "tasks[1].subset"], outcome.Warnings.Select(w => w.Field!).Order(StringComparer.Ordinal));
        Assert.Equal("mit", (string?)outcome.Value!.Data["license"]);
    }

    [Fact]
    public void All_errors_are_reported_together()
    {
        var yaml = "name: [x]\ndescription: y\nevaluation_framework: nope\ntasks:\n  - id: a\n    epochs: 0\n  - id: a\nleaderboard:\n  b: {}\n";
        var outcome = FormatsTestData.Benchmark(yaml);
        Assert.Equal(["name", "evaluation_framework", "tasks[0].epochs", "tasks[1].id", "leaderboard.b"], outcome.Errors.Select(e => e.Field));
    }
}
