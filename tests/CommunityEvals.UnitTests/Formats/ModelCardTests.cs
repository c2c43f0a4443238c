using System.Text;
using CommunityEvals.Formats;

namespace CommunityEvals.UnitTests.Formats;

public class ModelCardTests
{
    private static ParseOutcome<ModelCard> Parse(string readme) =>
        FormatsTestData.Parser.ParseModelCard("README.md", Encoding.UTF8.GetBytes(readme), FormatsTestData.HubCatalog);

    private const string Card = """
        ---
        license: apache-2.0
        base_model: acme/base-7b
        model-index:
        - name: acme/model-7b
          results:
          - task: {type: text-generation, name: Text Generation}
            dataset: {type: TIGER-Lab/MMLU-Pro, name: MMLU-Pro, config: default, split: test}
            metrics:
            - {type: acc, value: 41.20, name: accuracy}
            - {type: acc_norm, value: 43.5, name: normalised accuracy, verifyToken: eyJ.a.b}
            source: {name: Open LLM Leaderboard, url: https://example.org}
          - dataset: {type: Idavidrein/gpqa, config: gpqa_main}
            metrics:
            - {type: acc, value: 30}
          - dataset: {type: someone/unregistered}
            metrics:
            - {type: acc, value: 1}
          - dataset: {type: allenai/olmOCR-bench}
            metrics:
            - {type: overall, value: 70}
          - dataset: {type: allenai/olmOCR-bench, split: arxiv_math}
            metrics:
            - {type: score, value: 80}
        ---
        # acme/model-7b

        A model.
        """;

    [Fact]
    public void Model_index_metrics_become_results_and_unmatched_entries_become_warnings()
    {
        var outcome = Parse(Card);
        Assert.True(outcome.IsValid, string.Join("\n", outcome.Errors));
        var card = outcome.Value!;
        Assert.Equal(["acme/base-7b"], card.BaseModels);
        Assert.Equal("apache-2.0", (string?)card.FrontMatter!["license"]);

        Assert.Equal(3, card.Results.Count);
        var (acc, norm, arxiv) = (card.Results[0], card.Results[1], card.Results[2]);
        Assert.Equal((0, "TIGER-Lab/MMLU-Pro", "mmlu_pro", 41.2, "41.20"), (acc.Index, acc.DatasetId, acc.TaskId, acc.Value, acc.ValueText));
        Assert.Equal((10, 7), (acc.Line, acc.Column));
        Assert.Equal(new ResultSource("https://example.org", "Open LLM Leaderboard", null, null), acc.Source);
        Assert.Equal("""{"dataset":{"id":"TIGER-Lab/MMLU-Pro","task_id":"mmlu_pro"},"value":41.20,"source":{"name":"Open LLM Leaderboard","url":"https://example.org"}}""",
            acc.Data.ToJsonString());
        Assert.Equal((1, 43.5, "eyJ.a.b"), (norm.Index, norm.Value, norm.VerifyToken));
        Assert.Equal((5, "allenai/olmOCR-bench", "arxiv_math", 80.0), (arxiv.Index, arxiv.DatasetId, arxiv.TaskId, arxiv.Value));

        Assert.Equal(["model-index[0].results[1].dataset", "model-index[0].results[2].dataset.type", "model-index[0].results[3].dataset"],
            outcome.Warnings.Select(w => w.Field));
        Assert.Contains("matches no task", outcome.Warnings[0].Message);
        Assert.Contains("not a registered benchmark", outcome.Warnings[1].Message);
        Assert.Contains("matches several tasks", outcome.Warnings[2].Message);
    }

    [Fact]
    public void The_only_task_is_used_when_config_and_split_are_not_given()
    {
        var card = Parse("---\nmodel-index:\n- results:\n  - dataset: {type: cais/hle}\n    metrics: [{value: 12.5}]\n---\n").Value!;
        Assert.Equal("hle", Assert.Single(card.Results).TaskId);
    }

    [Fact]
    public void Base_model_may_be_a_list()
    {
        var card = Parse("---\nbase_model:\n- acme/a\n- acme/b\n---\n").Value!;
        Assert.Equal(["acme/a", "acme/b"], card.BaseModels);
        Assert.Empty(card.Results);
        Assert.Equal("base_model", Assert.Single(Parse("---\nbase_model: {id: x}\n---\n").Errors).Field);
    }

    [Fact]
    public void A_readme_without_front_matter_is_fine()
    {
        var outcome = Parse("# Model\n\n---\nnot: front matter\n---\n");
        Assert.True(outcome.IsValid);
        Assert.Empty(outcome.Value!.BaseModels);
        Assert.Empty(outcome.Value.Results);
        Assert.Null(outcome.Value.FrontMatter);
        Assert.True(Parse("").IsValid);
    }

    [Fact]
    public void Front_matter_that_is_not_yaml_or_not_a_mapping_is_an_error_located_in_the_readme()
    {
        var bad = Assert.Single(Parse("---\nlicense: mit\nbase_model: [unclosed\n---\n# x\n").Errors);
        Assert.StartsWith("Invalid YAML", bad.Message);
        Assert.True(bad.Line >= 3);

        var alias = Assert.Single(Parse("---\nlicense: &l mit\n---\n").Errors);
        Assert.Equal((2, 10), (alias.Line, alias.Column));

        Assert.Contains("must be a mapping", Assert.Single(Parse("---\n- a\n- b\n---\n").Errors).Message);
        Assert.Contains("never closed", Assert.Single(Parse("---\nlicense: mit\n").Errors).Message);
    }

    [Fact]
    public void Matched_metrics_follow_the_result_rules()
    {
        var outcome = Parse("---\nmodel-index:\n- results:\n  - dataset: {type: cais/hle}\n    metrics:\n    - {value: .nan}\n    - {value: \"12\"}\n    source: {name: x}\n---\n");
        Assert.Equal([(null, "model-index[0].results[0].source.url"), (0, "model-index[0].results[0].metrics[0].value"), (1, "model-index[0].results[0].metrics[1].value")],
            outcome.Errors.Select(e => (e.Item, e.Field!)));
    }

    // A lone CR ends a line in YAML, and in the Hub's own front matter pattern.
    [Theory]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void Crlf_and_lone_cr_line_endings_are_fine(string lineEnd)
    {
        var outcome = Parse(Card.Replace("\n", lineEnd));
        Assert.True(outcome.IsValid, string.Join("\n", outcome.Errors));
        Assert.Equal(3, outcome.Value!.Results.Count);
        Assert.Equal(["acme/base-7b"], outcome.Value.BaseModels);
    }

    [Theory]
    [InlineData("---\n~\n---\n# Card\n")]
    [InlineData("---\nnull\n---\n# Card\n")]
    [InlineData("---\n---\n# Card\n")]
    public void A_null_front_matter_is_an_empty_card(string readme)
    {
        var outcome = Parse(readme);
        Assert.True(outcome.IsValid, string.Join("\n", outcome.Errors));
        Assert.Empty(outcome.Value!.Results);
    }

    [Fact]
    public void A_nul_in_the_markdown_body_is_refused_with_its_position()
    {
        var error = Assert.Single(Parse("---\nlicense: mit\n---\n# Card\n\nbinary\0here\n").Errors);
        Assert.Equal((6, 7), (error.Line, error.Column));
        Assert.Contains("NUL", error.Message);
    }
}
