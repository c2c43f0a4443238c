using System.Diagnostics;
using System.Text;
using CommunityEvals.Formats;

namespace CommunityEvals.UnitTests.Formats;

// The YAML reader's refusals, seen through the public parsers.
public class SafeYamlTests
{
    private const string Item = "- dataset:\n    id: TIGER-Lab/MMLU-Pro\n    task_id: mmlu_pro\n  value: 74.2\n";

    private static FormatIssue SingleError(byte[] content)
    {
        var outcome = FormatsTestData.Parser.ParseResults("r.yaml", content, FormatsTestData.HubCatalog);
        Assert.Null(outcome.Value);
        return Assert.Single(outcome.Errors);
    }

    private static FormatIssue SingleError(string yaml) => SingleError(Encoding.UTF8.GetBytes(yaml));

    [Fact]
    public void Anchors_and_aliases_are_refused_where_they_appear()
    {
        var anchor = SingleError(Item.Replace("value: 74.2", "value: &v 74.2"));
        Assert.Equal((4, 10), (anchor.Line, anchor.Column));
        Assert.Contains("anchors", anchor.Message);
        Assert.Null(anchor.Field);

        var alias = SingleError(Item + "- dataset: {id: TIGER-Lab/MMLU-Pro, task_id: mmlu_pro}\n  value: *v\n");
        Assert.Contains("aliases", alias.Message);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_stops_at_the_first_level_too_many()
    {
        var error = SingleError(new string('[', 100_000) + new string(']', 100_000));
        Assert.Equal((1, 33), (error.Line, error.Column));
        Assert.Contains("32 levels", error.Message);

        var at32 = FormatsTestData.Parser.ParseResults("r.yaml", Encoding.UTF8.GetBytes(new string('[', 32) + new string(']', 32)), FormatsTestData.HubCatalog);
        Assert.DoesNotContain(at32.Errors, e => e.Message.Contains("levels"));
    }

    [Fact]
    public void Depth_is_configurable()
    {
        var parser = new FormatParser(new FormatOptions { Limits = new FormatLimits { MaxDepth = 2 } });
        var outcome = parser.ParseResults("r.yaml", Encoding.UTF8.GetBytes(Item), FormatsTestData.HubCatalog);
        Assert.Equal((2, 5), (outcome.Errors[0].Line, outcome.Errors[0].Column));
    }

    [Fact]
    public void Duplicate_and_complex_keys_are_refused()
    {
        var duplicate = SingleError(Item + "  value: 75\n");
        Assert.Equal((5, 3), (duplicate.Line, duplicate.Column));
        Assert.Contains("Duplicate key 'value'", duplicate.Message);
        Assert.Contains("plain text", SingleError(Item + "  ? [a]\n  : b\n").Message);
    }

    [Fact]
    public void Scalars_longer_than_the_limit_are_refused()
    {
        var parser = new FormatParser(new FormatOptions { Limits = new FormatLimits { MaxScalarLength = 20 } });
        var outcome = parser.ParseResults("r.yaml", Encoding.UTF8.GetBytes(Item + "  notes: 123456789012345678901\n"), FormatsTestData.HubCatalog);
        Assert.Equal((5, 10), (outcome.Errors[0].Line, outcome.Errors[0].Column));
    }

    [Fact]
    public void More_than_one_document_is_refused()
    {
        var error = SingleError(Item + "---\n" + Item);
        Assert.Equal(5, error.Line);
        Assert.Contains("More than one YAML document", error.Message);
    }

    [Fact]
    public void Non_utf8_input_is_refused_with_its_position()
    {
        var bytes = Encoding.UTF8.GetBytes(Item + "  notes: caf").Concat(new byte[] { 0xE9, (byte)'\n' }).ToArray();
        var error = SingleError(bytes);
        Assert.Equal((5, 13), (error.Line, error.Column));
        Assert.Contains("not valid UTF-8", error.Message);
    }

    [Fact]
    public void A_utf8_bom_is_fine()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(Item)).ToArray();
        var outcome = FormatsTestData.Parser.ParseResults("r.yaml", bytes, FormatsTestData.HubCatalog);
        Assert.True(outcome.IsValid);
        Assert.Equal(1, outcome.Value![0].Line);
    }

    [Theory]
    [InlineData('\0')]
    [InlineData('\u0007')]
    [InlineData('\u001b')]
    [InlineData('\u007f')]
    [InlineData('\u009b')]
    public void Control_characters_are_refused(char c)
    {
        var error = SingleError(Item + $"  notes: a{c}b\n");
        Assert.Equal((5, 11), (error.Line, error.Column));
        Assert.Contains($"U+{(int)c:X4}", error.Message);
    }

    [Theory]
    [InlineData("\\0", 0x0000)]
    [InlineData("\\x00", 0x0000)]
    [InlineData("\\e", 0x001B)]
    [InlineData("\\x9b", 0x009B)]
    [InlineData("\\uFFFE", 0xFFFE)]
    public void Control_characters_written_as_escapes_are_refused_like_raw_ones(string escape, int code)
    {
        // A NUL that reached the event log would fail the append: PostgreSQL text cannot hold one.
        var value = SingleError(Item + $"  notes: \"a{escape}b\"\n");
        Assert.Equal((5, 10), (value.Line, value.Column));
        Assert.Contains($"U+{code:X4}", value.Message);

        var key = SingleError(Item + $"  \"ex{escape}tra\": 1\n");
        Assert.Equal((5, 3), (key.Line, key.Column));
    }

    [Fact]
    public void Escapes_that_spell_allowed_characters_still_pass()
    {
        Assert.True(FormatsTestData.Results(Item + "  notes: \"tab\\t, line\\n, next line\\N, emoji \\U0001F600\"\n").IsValid);
    }

    [Fact]
    public void Tabs_inside_values_are_fine_but_tab_indentation_is_a_syntax_error()
    {
        Assert.True(FormatsTestData.Results(Item + "  notes: \"a\tb\"\n").IsValid);
        var error = SingleError("- dataset:\n\tid: x\n");
        Assert.StartsWith("Invalid YAML", error.Message);
        Assert.NotNull(error.Line);
    }

    [Fact]
    public void Syntax_errors_carry_yamldotnets_location()
    {
        var error = SingleError(Item + "  notes: \"unclosed\n");
        Assert.StartsWith("Invalid YAML:", error.Message);
        Assert.DoesNotContain("Idx:", error.Message);
        Assert.True(error.Line >= 5);
        Assert.NotNull(error.Column);
    }

    [Fact]
    public void Tags_are_refused()
    {
        Assert.Contains("tags", SingleError("- !!python/object/apply:os.system [ls]\n").Message);
        Assert.Contains("tags", SingleError(Item.Replace("74.2", "!!float 74.2")).Message);
    }

    [Fact]
    public void A_file_over_the_size_limit_is_too_large_before_anything_is_read()
    {
        var content = new byte[1_048_577];
        Array.Fill(content, (byte)0xFF);
        var outcome = FormatsTestData.Parser.ParseResults("r.yaml", content, FormatsTestData.HubCatalog);
        Assert.True(outcome.TooLarge);
        Assert.False(outcome.IsValid);
        var error = Assert.Single(outcome.Errors);
        Assert.Null(error.Line);
        Assert.Contains("1,048,577 bytes", error.Message);

        var exactly = new byte[1_048_576];
        Array.Fill(exactly, (byte)'#');
        Assert.False(FormatsTestData.Parser.ParseResults("r.yaml", exactly, FormatsTestData.HubCatalog).TooLarge);
    }

    [Fact]
    public void Alias_heavy_input_comes_back_fast()
    {
        var yaml = new StringBuilder("a: &a [x]\n");
        for (var i = 0; i < 50_000; i++)
        {
            yaml.Append("b").Append(i).Append(": [*a, *a, *a]\n");
        }
        var watch = Stopwatch.StartNew();
        SingleError(yaml.ToString());
        Assert.True(watch.ElapsedMilliseconds < 5000); // loose: an expanding reader would take minutes
    }

    [Fact]
    public void Issues_beyond_the_limit_are_summarised()
    {
        var parser = new FormatParser(new FormatOptions { Limits = new FormatLimits { MaxIssuesPerFile = 3 } });
        var outcome = parser.ParseResults("r.yaml", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("- 1\n", 10))), FormatsTestData.HubCatalog);
        Assert.Equal(4, outcome.Errors.Count);
        Assert.Equal("7 more errors not listed.", outcome.Errors[3].Message);
    }
}
