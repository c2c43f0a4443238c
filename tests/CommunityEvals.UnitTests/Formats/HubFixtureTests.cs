using CommunityEvals.Formats;

namespace CommunityEvals.UnitTests.Formats;

public class HubFixtureTests
{
    public static TheoryData<string> BenchmarkFiles() =>
        new(Directory.GetFiles(Path.Combine(FormatsTestData.Fixtures, "benchmarks")).Select(Path.GetFileName).Order()!);

    public static TheoryData<string> ModelFiles() =>
        new(Directory.GetFiles(Path.Combine(FormatsTestData.Fixtures, "models")).Select(Path.GetFileName).Order()!);

    private static ParseOutcome<IReadOnlyList<ResultItem>> ParseModel(string name) =>
        FormatsTestData.Parser.ParseResults(".eval_results/" + name,
            File.ReadAllBytes(Path.Combine(FormatsTestData.Fixtures, "models", name)), FormatsTestData.HubCatalog);

    private static BenchmarkDefinition ParseBenchmarkFile(string name)
    {
        var outcome = FormatsTestData.Parser.ParseBenchmark(name, File.ReadAllBytes(Path.Combine(FormatsTestData.Fixtures, "benchmarks", name)));
        Assert.Empty(outcome.Errors);
        Assert.Empty(outcome.Warnings);
        return outcome.Value!;
    }

    [Theory]
    [MemberData(nameof(BenchmarkFiles))]
    public void Every_hub_benchmark_parses_cleanly(string name)
    {
        var benchmark = ParseBenchmarkFile(name);
        Assert.NotEmpty(benchmark.Tasks);
    }

    [Theory]
    [MemberData(nameof(ModelFiles))]
    public void Every_hub_result_file_parses_cleanly_against_the_hub_benchmarks(string name)
    {
        var outcome = ParseModel(name);
        Assert.True(outcome.IsValid, string.Join("\n", outcome.Errors));
        Assert.Empty(outcome.Warnings);
        Assert.NotEmpty(outcome.Value!);
    }

    [Fact]
    public void Mmlu_pro_has_one_inspect_task_with_defaults_for_the_extension()
    {
        var b = ParseBenchmarkFile("TIGER-Lab__MMLU-Pro.eval.yaml");
        Assert.Equal("MMLU-Pro", b.Name);
        Assert.StartsWith("A harder, ten-option successor to MMLU", b.Description);
        Assert.Equal("inspect-ai", b.EvaluationFramework);
        var task = Assert.Single(b.Tasks);
        Assert.Equal(("mmlu_pro", "default", "test"), (task.Id, task.Config, task.Split));
        Assert.Equal("question", (string?)task.FieldSpec!["input"]);
        Assert.Equal("options", (string?)task.FieldSpec!["choices"]);
        Assert.Equal("multiple_choice", Assert.Single(task.Solvers).Name);
        Assert.Equal("choice", Assert.Single(task.Scorers).Name);
        Assert.Equal(LeaderboardSpec.Default, task.Leaderboard);
        Assert.True(task.Leaderboard.HigherIsBetter);
    }

    [Fact]
    public void Gpqa_keeps_a_list_of_choice_columns_and_shuffle_choices()
    {
        var task = Assert.Single(ParseBenchmarkFile("Idavidrein__gpqa.eval.yaml").Tasks);
        Assert.Equal(("diamond", "gpqa_diamond", "train"), (task.Id, task.Config, task.Split));
        Assert.True(task.ShuffleChoices);
        Assert.Equal(4, task.FieldSpec!["choices"]!.AsArray().Count);
        Assert.Equal("literal:A", (string?)task.FieldSpec["target"]);
    }

    [Fact]
    public void Hle_keeps_solver_and_scorer_args()
    {
        var task = Assert.Single(ParseBenchmarkFile("cais__hle.eval.yaml").Tasks);
        Assert.Equal(["system_message", "generate"], task.Solvers.Select(s => s.Name));
        Assert.Contains("Confidence: {0-100%}", (string?)task.Solvers[0].Args!["template"]);
        Assert.Null(task.Solvers[1].Args);
        Assert.Equal("openai/o3-mini", (string?)Assert.Single(task.Scorers).Args!["model"]);
        Assert.Equal("image", (string?)task.FieldSpec!["input_image"]);
    }

    [Fact]
    public void Non_inspect_benchmarks_need_no_solvers_and_default_config_and_split()
    {
        var aime = ParseBenchmarkFile("MathArena__aime_2026.eval.yaml");
        var task = Assert.Single(aime.Tasks);
        Assert.Equal(("MathArena/aime_2026", "default", "test"), (task.Id, task.Config, task.Split));
        Assert.Null(task.FieldSpec);
        Assert.Empty(task.Solvers);

        var ocr = ParseBenchmarkFile("allenai__olmOCR-bench.eval.yaml");
        Assert.Equal(["overall", "arxiv_math", "table_tests"], ocr.Tasks.Select(t => t.Id));
        Assert.Equal(["overall", "arxiv_math", "table_tests"], ocr.Tasks.Select(t => t.Split));
    }

    [Fact]
    public void Zaya1_mmlu_pro_is_74_2_as_written()
    {
        var item = Assert.Single(ParseModel("Zyphra__ZAYA1-8B.mmlu-pro.yaml").Value!);
        Assert.Equal(("TIGER-Lab/MMLU-Pro", "mmlu_pro"), (item.DatasetId, item.TaskId));
        Assert.Equal(74.2, item.Value);
        Assert.Equal("74.2", item.ValueText);
        Assert.Equal((0, 1, 3), (item.Index, item.Line, item.Column));
        Assert.Equal(new ResultSource("https://huggingface.co/Zyphra/ZAYA1-8B", "Model Card", null, null), item.Source);
        Assert.Null(item.Date);
        Assert.Null(item.Notes);
        Assert.Null(item.VerifyToken);
        Assert.Empty(item.UnknownKeys);
        Assert.Equal("""{"dataset":{"id":"TIGER-Lab/MMLU-Pro","task_id":"mmlu_pro"},"value":74.2,"source":{"url":"https://huggingface.co/Zyphra/ZAYA1-8B","name":"Model Card"}}""",
            item.Data.ToJsonString());
    }

    [Fact]
    public void Zaya1_gpqa_integer_value_and_minimal_fraction_both_parse()
    {
        var zaya = Assert.Single(ParseModel("Zyphra__ZAYA1-8B.gpqa.yaml").Value!);
        Assert.Equal((71.0, "71"), (zaya.Value, zaya.ValueText));
        Assert.Equal("diamond", zaya.TaskId);

        var minimal = Assert.Single(ParseModel("minimal.gpqa.yaml").Value!);
        Assert.Equal((0.412, "0.412"), (minimal.Value, minimal.ValueText));
        Assert.Null(minimal.Source);
    }

    [Fact]
    public void Minimax_hle_has_a_single_quoted_date_and_a_source_user()
    {
        var item = Assert.Single(ParseModel("MiniMaxAI__MiniMax-M2.hle.yaml").Value!);
        Assert.Equal(12.5, item.Value);
        Assert.Equal("2026-01-28", item.Date);
        Assert.Equal(new ResultSource("https://huggingface.co/MiniMaxAI/MiniMax-M2", "Model Card", "burtenshaw", null), item.Source);
    }

    [Fact]
    public void Full_fields_hle_has_two_items_with_every_field()
    {
        var items = ParseModel("full-fields.hle.yaml").Value!;
        Assert.Equal(2, items.Count);

        var first = items[0];
        Assert.Equal((0, 1, 3), (first.Index, first.Line, first.Column));
        Assert.Equal(("cais/hle", "hle", "5503434ddd753f426f4b38109466949a1217c2bb"), (first.DatasetId, first.TaskId, first.DatasetRevision));
        Assert.Equal(20.9, first.Value);
        Assert.Equal("20.90", first.ValueText);
        Assert.Equal("2026-03-19T10:15:00Z", first.Date);
        Assert.Equal("no-tools", first.Notes);
        Assert.Equal(new ResultSource("https://huggingface.co/spaces/example/eval-traces", "Eval traces", "example-user", "example-org"), first.Source);
        // The echo keeps the number as written, so 20.90 stays 20.90.
        Assert.Contains("\"value\":20.90", first.Data.ToJsonString());
        Assert.Equal("2026-03-19T10:15:00Z", (string?)first.Data["date"]);

        var second = items[1];
        Assert.Equal((1, 13, 3), (second.Index, second.Line, second.Column));
        Assert.Equal((24.3, "24.3", "with tools"), (second.Value, second.ValueText, second.Notes));
        Assert.Null(second.DatasetRevision);
        Assert.Null(second.Date);
    }

    [Fact]
    public void Hub_items_with_unknown_keys_give_warnings_not_errors_and_keep_the_keys()
    {
        var yaml = File.ReadAllText(Path.Combine(FormatsTestData.Fixtures, "models", "Zyphra__ZAYA1-8B.mmlu-pro.yaml"))
            .Replace("  value: 74.2\n", "  value: 74.2\n  metric: accuracy\n  extra:\n    shots: 5\n")
            .Replace("    name: Model Card\n", "    name: Model Card\n    license: cc-by-4.0\n")
            .Replace("    task_id: mmlu_pro\n", "    task_id: mmlu_pro\n    name: MMLU-Pro\n");

        var outcome = FormatsTestData.Results(yaml);

        Assert.True(outcome.IsValid, string.Join("\n", outcome.Errors));
        var item = Assert.Single(outcome.Value!);
        Assert.Equal(["metric", "extra", "dataset.name", "source.license"], item.UnknownKeys);
        Assert.Equal(item.UnknownKeys.Order(), outcome.Warnings.Select(w => w.Field!).Order());
        Assert.All(outcome.Warnings, w => Assert.Equal(0, w.Item));
        Assert.Equal(5, (int)item.Data["extra"]!["shots"]!);
        Assert.Equal("accuracy", (string?)item.Data["metric"]);
        Assert.Equal("cc-by-4.0", (string?)item.Data["source"]!["license"]);
    }
}
