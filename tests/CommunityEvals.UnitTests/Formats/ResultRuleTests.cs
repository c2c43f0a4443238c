using System.Text;
using CommunityEvals.Formats;

namespace CommunityEvals.UnitTests.Formats;

public class ResultRuleTests
{
    private static readonly BenchmarkCatalog Catalog = new([
        KeyValuePair.Create("acme/percent", FormatsTestData.Benchmark("""
            name: Percent
            description: 0-100 tasks.
            evaluation_framework: math-arena
            tasks: [{id: main}, {id: hard}]
            leaderboard:
              main: {range: [0, 100]}
              hard: {range: [0, 100]}
            """).Value!),
        KeyValuePair.Create("acme/fraction", FormatsTestData.Benchmark("""
            name: Fraction
            description: A 0-1 task.
            evaluation_framework: math-arena
            tasks: [{id: main}]
            leaderboard:
              main: {range: [0, 1]}
            """).Value!),
        KeyValuePair.Create("acme/open", FormatsTestData.Benchmark("""
            name: Open
            description: No declared range.
            evaluation_framework: math-arena
            tasks: [{id: main}]
            """).Value!),
    ]);

    private const string Item = "- dataset:\n    id: acme/percent\n    task_id: main\n  value: 74.2\n";

    private static ParseOutcome<IReadOnlyList<ResultItem>> Parse(string yaml) => FormatsTestData.Results(yaml, Catalog);

    private static FormatIssue SingleError(string yaml, string? field, int? item = 0)
    {
        var outcome = Parse(yaml);
        Assert.Null(outcome.Value);
        Assert.False(outcome.TooLarge);
        var error = Assert.Single(outcome.Errors);
        Assert.Equal(field, error.Field);
        Assert.Equal(item, error.Item);
        Assert.Equal(".eval_results/test.yaml", error.File);
        return error;
    }

    private static string WithValue(string value, string dataset = "acme/percent") =>
        Item.Replace("74.2", value).Replace("acme/percent", dataset);

    [Fact]
    public void A_valid_file_yields_its_items()
    {
        var outcome = Parse(Item + "- dataset: {id: acme/fraction, task_id: main, revision: abc}\n  value: .5\n  date: 2026-03-19\n  verifyToken: eyJ.x.y\n");
        Assert.True(outcome.IsValid);
        Assert.Equal(2, outcome.Value!.Count);
        var second = outcome.Value[1];
        Assert.Equal((1, 5, 3, 0.5, ".5"), (second.Index, second.Line, second.Column, second.Value, second.ValueText));
        Assert.Equal(("abc", "2026-03-19", "eyJ.x.y"), (second.DatasetRevision, second.Date, second.VerifyToken));
        Assert.Equal(0.5, (double)second.Data["value"]!);
    }

    [Theory]
    [InlineData("- value: 74.2\n", "dataset")]
    [InlineData("- dataset: acme/percent\n  value: 74.2\n", "dataset")]
    [InlineData("- dataset:\n    task_id: main\n  value: 74.2\n", "dataset.id")]
    [InlineData("- dataset:\n    id: acme/percent\n  value: 74.2\n", "dataset.task_id")]
    [InlineData("- dataset:\n    id: [acme/percent]\n    task_id: main\n  value: 74.2\n", "dataset.id")]
    [InlineData("- dataset:\n    id: acme/percent\n    task_id: main\n", "value")]
    public void Missing_or_mistyped_dataset_fields_are_named(string yaml, string field)
    {
        SingleError(yaml, field);
    }

    [Fact]
    public void A_missing_field_is_located_at_its_item()
    {
        var error = SingleError(Item + "- dataset:\n    id: acme/percent\n    task_id: hard\n", "value", item: 1);
        Assert.Equal((5, 3), (error.Line, error.Column));
    }

    [Fact]
    public void An_unknown_benchmark_names_dataset_id()
    {
        var error = SingleError(Item.Replace("acme/percent", "acme/nothing"), "dataset.id");
        Assert.Equal((2, 9), (error.Line, error.Column));
        Assert.Contains("'acme/nothing' is not a registered benchmark", error.Message);
    }

    [Fact]
    public void An_unknown_task_names_dataset_task_id_and_lists_the_valid_ones()
    {
        var error = SingleError(Item.Replace("task_id: main", "task_id: easy"), "dataset.task_id");
        Assert.Equal((3, 14), (error.Line, error.Column));
        Assert.EndsWith("valid task ids: main, hard.", error.Message);
    }

    [Theory]
    [InlineData(".nan")]
    [InlineData(".NaN")]
    [InlineData(".inf")]
    [InlineData("-.inf")]
    [InlineData("+.inf")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-inf")]
    [InlineData("1e999")]
    public void Non_finite_values_are_refused(string value)
    {
        var error = SingleError(WithValue(value), "value");
        Assert.Equal((4, 10), (error.Line, error.Column));
        Assert.Contains("finite", error.Message);
    }

    [Theory]
    [InlineData("\"74.2\"", "quoted")]
    [InlineData("'74.2'", "quoted")]
    [InlineData("true", "boolean")]
    [InlineData("high", "string")]
    [InlineData("[74.2]", "list")]
    [InlineData("{v: 74.2}", "mapping")]
    [InlineData("0x4A", "decimal")]
    [InlineData("74.2%", "string")]
    [InlineData("null", "required")]
    [InlineData("", "required")]
    public void Values_of_the_wrong_type_are_refused(string value, string says)
    {
        var error = SingleError(WithValue(value), "value");
        Assert.Contains(says, error.Message);
    }

    [Fact]
    public void A_quoted_number_gets_a_hint_to_remove_the_quotes()
    {
        Assert.Contains("Remove the quotes", SingleError(WithValue("\"74.2\""), "value").Message);
    }

    [Theory]
    [InlineData("7610")]
    [InlineData("100.01")]
    public void A_value_just_out_of_a_percent_range_gets_no_scale_hint(string value)
    {
        var error = SingleError(WithValue(value), "value");
        Assert.Equal($"'value' {value} is outside the range [0, 100] declared by task 'main' of 'acme/percent'.", error.Message);
        Assert.Equal((4, 10), (error.Line, error.Column));
    }

    [Fact]
    public void A_block_string_is_not_a_number_and_the_message_stays_on_one_line()
    {
        var error = SingleError(WithValue("|\n    74.2"), "value");
        Assert.Equal("'value' must be a number, found a block string '74.2\\n'.", error.Message);
    }

    [Fact]
    public void A_fraction_on_a_percent_task_is_kept_but_warned_about()
    {
        // 0.761 lies inside [0, 100], and a score below 1% is possible, so only a warning.
        var outcome = Parse(WithValue("0.761"));
        Assert.True(outcome.IsValid);
        var warning = Assert.Single(outcome.Warnings);
        Assert.Equal(("value", 0, 4), (warning.Field, warning.Item, warning.Line));
        Assert.Contains("Did you mean 76.1?", warning.Message);
    }

    [Fact]
    public void A_percentage_on_a_fraction_task_suggests_the_fraction()
    {
        Assert.EndsWith("Did you mean 0.761?", SingleError(WithValue("76.1", "acme/fraction"), "value").Message);
    }

    [Theory]
    [InlineData("acme/percent", "-0.5")]
    [InlineData("acme/percent", "100.01")]
    [InlineData("acme/fraction", "-1")]
    [InlineData("acme/fraction", "1.5e300")]
    public void Values_outside_the_declared_range_are_refused(string dataset, string value)
    {
        var error = SingleError(WithValue(value, dataset), "value");
        Assert.Contains("outside the range", error.Message);
    }

    [Theory]
    [InlineData("acme/percent", "0")]
    [InlineData("acme/percent", "100")]
    [InlineData("acme/fraction", "1.0")]
    [InlineData("acme/open", "1e6")]
    [InlineData("acme/open", "-3")]
    public void Values_on_the_bounds_or_without_a_range_are_accepted(string dataset, string value)
    {
        Assert.True(Parse(WithValue(value, dataset)).IsValid);
    }

    [Theory]
    [InlineData("74.20", "74.20")]
    [InlineData("7.42e1", "7.42e1")]
    [InlineData("1e-20000", "0")]
    [InlineData("0e-99999", "0")]
    [InlineData("-1e-400", "-0")]
    public void Numbers_are_echoed_as_written_unless_no_database_numeric_could_hold_the_spelling(string value, string echoed)
    {
        // jsonb keeps numbers as PostgreSQL numerics: 1e-20000 as written would fail the append.
        var outcome = Parse(WithValue(value) + $"  extra: [{value}]\n");
        Assert.True(outcome.IsValid, string.Join("\n", outcome.Errors));
        var item = outcome.Value![0];
        Assert.Equal(value, item.ValueText);
        Assert.Equal(echoed, item.Data["value"]!.ToJsonString());
        Assert.Equal($"[{echoed}]", item.Data["extra"]!.ToJsonString());
    }

    [Theory]
    [InlineData("  source:\n    name: Model Card\n", "source.url")]
    [InlineData("  source: {}\n", "source.url")]
    [InlineData("  source: https://example.org\n", "source")]
    [InlineData("  source:\n    url: javascript:alert(1)\n", "source.url")]
    [InlineData("  source:\n    url: example.org/paper\n", "source.url")]
    [InlineData("  source:\n    url: https://example.org\n    org: [a]\n", "source.org")]
    public void A_source_needs_a_web_url(string source, string field)
    {
        SingleError(Item + source, field);
    }

    [Theory]
    [InlineData("\"2026-03-19\"")]
    [InlineData("2026-03-19")]
    [InlineData("'2024-02-29'")]
    [InlineData("\"2026-03-19T10:15:00Z\"")]
    [InlineData("\"2026-03-19T10:15\"")]
    [InlineData("\"2026-03-19T10:15:00.123+02:00\"")]
    public void Iso_dates_are_accepted_as_written(string date)
    {
        var item = Assert.Single(Parse(Item + $"  date: {date}\n").Value!);
        Assert.Equal(date.Trim('"', '\''), item.Date);
    }

    [Theory]
    [InlineData("\"2026-13-01\"")]
    [InlineData("\"2025-02-29\"")]
    [InlineData("\"2026-3-9\"")]
    [InlineData("\"19/03/2026\"")]
    [InlineData("\"2026-03-19 10:15\"")]
    [InlineData("\"2026-03-19T24:00:00Z\"")]
    [InlineData("\"2026-03-19T10:15:00+2\"")]
    [InlineData("\"２０２６-03-19\"")]
    [InlineData("soon")]
    [InlineData("[2026, 3, 19]")]
    public void Malformed_dates_are_refused(string date)
    {
        var error = SingleError(Item + $"  date: {date}\n", "date");
        Assert.Equal(5, error.Line);
    }

    [Fact]
    public void Notes_are_limited_in_length_and_the_limit_is_configurable()
    {
        Assert.True(Parse(Item + $"  notes: {new string('n', 2000)}\n").IsValid);
        Assert.Contains("2,001 characters", SingleError(Item + $"  notes: {new string('n', 2001)}\n", "notes").Message);

        var strict = new FormatParser(new FormatOptions { Limits = new FormatLimits { MaxNotesLength = 5 } });
        var outcome = strict.ParseResults("r.yaml", Encoding.UTF8.GetBytes(Item + "  notes: 5-shot, CoT\n"), Catalog);
        Assert.Equal("notes", Assert.Single(outcome.Errors).Field);
    }

    [Fact]
    public void The_root_must_be_a_list()
    {
        Assert.Contains("found a mapping", SingleError(Item.Replace("- ", "").Replace("\n  ", "\n"), null, null).Message);
        Assert.Contains("empty", SingleError("# nothing\n", null, null).Message);
        SingleError("74.2\n", null, null);
    }

    [Fact]
    public void Items_must_be_mappings()
    {
        var error = SingleError(Item + "-\n", null, 1);
        Assert.Equal((5, 2), (error.Line, error.Column));
        SingleError(Item + "- 74.2\n", null, 1);
    }

    [Fact]
    public void A_file_is_all_or_nothing_and_reports_every_error()
    {
        var yaml = Item + WithValue(".nan") + Item.Replace("task_id: main", "task_id: nope") + WithValue("\"1\"") + "  source: {}\n";
        var outcome = Parse(yaml);
        Assert.Null(outcome.Value);
        Assert.Equal([(1, "value", 8), (2, "dataset.task_id", 11), (3, "value", 16), (3, "source.url", 17)],
            outcome.Errors.Select(e => (e.Item!.Value, e.Field!, e.Line!.Value)));
    }

    [Fact]
    public void Too_many_items_are_refused()
    {
        var parser = new FormatParser(new FormatOptions { Limits = new FormatLimits { MaxItemsPerFile = 2 } });
        var outcome = parser.ParseResults("r.yaml", Encoding.UTF8.GetBytes(Item + Item + Item), Catalog);
        Assert.Contains("3 items; the limit is 2", Assert.Single(outcome.Errors).Message);
    }

    [Fact]
    public void An_empty_list_is_valid_but_warned_about()
    {
        var outcome = Parse("[]\n");
        Assert.True(outcome.IsValid);
        Assert.Empty(outcome.Value!);
        Assert.Single(outcome.Warnings);
    }

    [Fact]
    public void A_failing_catalog_is_the_callers_exception()
    {
        var failing = new FailingCatalog();
        Assert.Throws<TimeoutException>(() => FormatsTestData.Results(Item, failing));
    }

    private sealed class FailingCatalog : IBenchmarkCatalog
    {
        public BenchmarkDefinition? Find(string datasetId) => throw new TimeoutException("database down");
    }
}
