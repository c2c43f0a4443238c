using CommunityEvals.Web;
using CommunityEvals.Web.Pages.Models;

namespace CommunityEvals.UnitTests.Web;

public class PageLogicTests
{
    [Fact]
    public void A_polyline_spreads_values_across_the_width_and_skips_missing_ones()
    {
        Assert.Equal("0.0,10.0 100.0,0.0", Charts.Polyline([0, null, 10], 0, 10, 100, 10));
    }

    [Fact]
    public void A_flat_series_is_drawn_across_the_middle()
    {
        Assert.Equal("0.0,5.0 50.0,5.0", Charts.Polyline([3, 3], 3, 3, 50, 10));
    }

    [Fact]
    public void The_new_result_form_cannot_add_keys_or_lines_to_the_yaml()
    {
        var yaml = NewResultPage.ToYaml(new NewResultPage.ResultForm
        {
            Benchmark = "acme/bench",
            TaskId = "main\n  verifyToken: forged",
            Value = "74.20",
            Notes = "5-shot\"\n- dataset: {}",
        });

        Assert.Equal(
            "- dataset:\n    id: \"acme/bench\"\n    task_id: \"main\\n  verifyToken: forged\"\n  value: 74.20\n  notes: \"5-shot\\u0022\\n- dataset: {}\"\n",
            yaml);
    }

    [Theory]
    [InlineData("seventy", "\"seventy\"")]
    [InlineData("1e3", "1e3")]
    [InlineData("7 4", "\"7 4\"")]
    public void A_value_is_written_as_typed_only_when_it_is_a_number(string typed, string written)
    {
        var yaml = NewResultPage.ToYaml(new NewResultPage.ResultForm { Benchmark = "a/b", TaskId = "t", Value = typed });

        Assert.Contains($"  value: {written}\n", yaml);
    }
}
