using System.Text.Json;
using CommunityEvals.Formats;

namespace CommunityEvals.UnitTests.Formats;

/// <summary>ARENA.md "Dimensions": the <c>arena:</c> section of eval.yaml.</summary>
public class ArenaDimensionTests
{
    private const string Head = """
        name: Arena bench
        description: Judged by people.
        evaluation_framework: inspect-ai
        tasks:
          - id: qa
            field_spec: {input: question, target: answer}
            solvers: [{name: generate}]
            scorers: [{name: match}]

        """;

    [Fact]
    public void Declared_dimensions_are_read_in_order_with_their_words()
    {
        var outcome = FormatsTestData.Benchmark(Head + """
            arena:
              dimensions:
                - id: logic
                  name: Long-form reasoning
                  description: Which answer reasons correctly through the whole problem?
                - id: tone
                  name: Empathy
            """);

        Assert.True(outcome.IsValid, string.Join("\n", outcome.Errors));
        Assert.Empty(outcome.Warnings);
        Assert.Equal(
            [new ArenaDimension("logic", "Long-form reasoning", "Which answer reasons correctly through the whole problem?"), new ArenaDimension("tone", "Empathy", null)],
            outcome.Value!.ArenaDimensions);
        Assert.Equal("Empathy", outcome.Value.ArenaDimensions[1].Question);
        // As stored (the definition's JSON), the same dimensions read back.
        var stored = JsonDocument.Parse(outcome.Value.Data.ToJsonString()).RootElement;
        Assert.Equal(outcome.Value.ArenaDimensions, ArenaDimension.FromDefinition(stored));
    }

    [Fact]
    public void Without_the_section_there_is_one_dimension_overall()
    {
        var outcome = FormatsTestData.Benchmark(Head);

        Assert.Equal(["overall"], outcome.Value!.ArenaDimensions.Select(d => d.Id));
        Assert.Equal(["overall"], ArenaDimension.FromDefinition(JsonDocument.Parse(outcome.Value.Data.ToJsonString()).RootElement).Select(d => d.Id));
    }

    [Theory]
    [InlineData("Logic")]
    [InlineData("-logic")]
    [InlineData("lo gic")]
    [InlineData("an-id-that-is-far-too-long-to-be-a-dimension-id-because-it-has-more-than-64")]
    public void A_dimension_id_outside_the_pattern_is_refused_at_its_line_and_column(string id)
    {
        var outcome = FormatsTestData.Benchmark(Head + $"""
            arena:
              dimensions:
                - id: "{id}"
            """);

        var error = Assert.Single(outcome.Errors);
        Assert.Null(outcome.Value);
        Assert.Equal("arena.dimensions[0].id", error.Field);
        Assert.Equal((11, 11), (error.Line, error.Column));
        Assert.Contains("^[a-z0-9][a-z0-9_-]{0,63}$", error.Message);
    }

    [Fact]
    public void A_repeated_dimension_id_is_refused_naming_the_first()
    {
        var outcome = FormatsTestData.Benchmark(Head + """
            arena:
              dimensions:
                - id: tone
                - id: logic
                - id: tone
            """);

        var error = Assert.Single(outcome.Errors);
        Assert.Equal("arena.dimensions[2].id", error.Field);
        Assert.Equal(13, error.Line);
        Assert.Contains("arena.dimensions[0]", error.Message);
    }

    [Theory]
    [InlineData("arena: []", "arena")]
    [InlineData("arena: {dimensions: []}", "arena.dimensions")]
    [InlineData("arena: {dimensions: [tone]}", "arena.dimensions[0]")]
    [InlineData("arena: {}", "arena.dimensions")]
    public void A_malformed_arena_section_names_what_is_wrong(string section, string field)
    {
        var error = Assert.Single(FormatsTestData.Benchmark(Head + section).Errors);

        Assert.Equal(field, error.Field);
    }
}
