using CommunityEvals.Contracts.Events;
using System.Text;
using System.Text.Json;
using CommunityEvals.Evidence;
using CommunityEvals.Evidence.Reading;

namespace CommunityEvals.UnitTests.Evidence;

/// <summary>The pure parts: value mapping, reducers, tolerance and scale, the outcome rule, the NaN-tolerant stream.</summary>
public sealed class RecomputationTests
{
    private static JsonElement J(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Theory]
    [InlineData("\"C\"", 1.0)]
    [InlineData("\"P\"", 0.5)]
    [InlineData("\"I\"", 0.0)]
    [InlineData("\"N\"", 0.0)]
    [InlineData("0.25", 0.25)]
    [InlineData("3", 3.0)]
    [InlineData("true", 1.0)]
    [InlineData("false", 0.0)]
    [InlineData("\"yes\"", 1.0)]
    [InlineData("\"Yes\"", 1.0)]
    [InlineData("\"no\"", 0.0)]
    [InlineData("\"0.5\"", 0.5)]
    [InlineData("{\"accuracy\": \"C\"}", 1.0)]
    public void Score_values_map_to_numbers(string json, double expected)
    {
        Assert.True(ScoreValues.TryMap(J(json), null, out var n));
        Assert.Equal(expected, n);
        Assert.Equal(expected, ScoreValues.ToNumber(J(json)));
    }

    [Fact]
    public void Unscored_and_unmappable_values()
    {
        Assert.True(double.IsNaN(ScoreValues.ToNumber(J("null"))));
        Assert.True(double.IsNaN(ScoreValues.ToNumber(J("\"\\u0000NaN\"")))); // a bare NaN after the stream filter
        Assert.False(ScoreValues.TryMap(J("\"NaN\""), null, out _)); // a genuine string is not a number
        Assert.False(ScoreValues.TryMap(J("\"maybe\""), null, out _));
        Assert.Equal(0, ScoreValues.ToNumber(J("\"maybe\""))); // as Inspect: 0 with a warning
        Assert.False(ScoreValues.TryMap(J("[1, 0]"), null, out _));
        Assert.False(ScoreValues.TryMap(J("{\"a\": 1, \"b\": 0}"), null, out _));
        Assert.True(ScoreValues.TryMap(J("{\"a\": 1, \"b\": 0}"), "b", out var b) && b == 0);
    }

    [Theory]
    [InlineData("mean", new[] { 1.0, 0, 0, 1 }, 0.5)]
    [InlineData("median", new[] { 1.0, 0, 0 }, 0.0)]
    [InlineData("median", new[] { 1.0, 0, 0.5, 1 }, 0.75)]
    [InlineData("mode", new[] { 0.0, 1, 1, 0 }, 0.0)]
    [InlineData("mode", new[] { 0.0, 1, 1 }, 1.0)]
    [InlineData("max", new[] { 0.0, 0.5, 0 }, 0.5)]
    [InlineData("at_least_2", new[] { 1.0, 0, 1 }, 1.0)]
    [InlineData("at_least_3", new[] { 1.0, 0, 1 }, 0.0)]
    [InlineData("pass_at_2", new[] { 1.0, 0, 0, 0 }, 0.5)]
    [InlineData("pass_at_1", new[] { 1.0, 0, 0, 0 }, 0.25)]
    [InlineData("pass_at_2", new[] { 1.0, 1, 1, 0 }, 1.0)]
    [InlineData("pass_2", new[] { 1.0, 1, 0, 0 }, 1.0 / 6)]
    [InlineData("inspect_ai/mean", new[] { 1.0, 0 }, 0.5)]
    public void Reducers(string name, double[] values, double expected)
    {
        Assert.True(EpochReducer.TryParse(name, out var reducer));
        Assert.Equal(expected, reducer.Reduce(values), 12);
    }

    [Fact]
    public void Reducers_ignore_nan_and_refuse_unknown_names()
    {
        Assert.True(EpochReducer.TryParse("mean", out var mean));
        Assert.Equal(1.0, mean.Reduce([1, double.NaN]));
        Assert.True(double.IsNaN(mean.Reduce([double.NaN])));
        Assert.True(EpochReducer.TryParse("pass_at_3", out var pass));
        Assert.True(double.IsNaN(pass.Reduce([1, 0]))); // fewer epochs than k
        Assert.False(EpochReducer.TryParse("best_of_n", out _));
        Assert.False(EpochReducer.TryParse("pass_at_x", out _));
    }

    [Theory]
    [InlineData("74.2", 0.05)]
    [InlineData("74", 0.5)]
    [InlineData("74.20", 0.005)]
    [InlineData("0.412", 0.0005)]
    [InlineData("7.42e1", 0.05)]
    [InlineData("1e2", 50)]
    [InlineData("-3.5", 0.05)]
    [InlineData("0.12345678", 1e-6)]
    public void Tolerance_is_half_a_unit_in_the_last_written_place(string text, double expected) =>
        Assert.Equal(expected, EvidenceChecks.Tolerance(text), 12);

    [Theory]
    [InlineData(0.7415, "74.2", true)]
    [InlineData(0.7425, "74.2", true)]
    [InlineData(0.74149, "74.2", false)]
    [InlineData(0.74251, "74.2", false)]
    [InlineData(0.735, "74", true)]
    [InlineData(0.745, "74", true)]
    [InlineData(0.7349, "74", false)]
    [InlineData(0.7451, "74", false)]
    [InlineData(0.742, "74.20", true)]
    [InlineData(0.74206, "74.20", false)]
    public void Value_rounding_edges_on_a_percent_scale(double fraction, string text, bool ok)
    {
        var claim = new EvidenceClaim("m/m", "d/d", "t", double.Parse(text, System.Globalization.CultureInfo.InvariantCulture), text, 0, 100);
        var check = EvidenceChecks.Value(new Recomputation { Value = fraction, Samples = 1000 }, claim);
        Assert.Equal(ok, check.Ok);
    }

    [Theory]
    [InlineData(0.4115, "0.412", true)]
    [InlineData(0.41149, "0.412", false)]
    [InlineData(0.412004, "0.41200", true)]
    [InlineData(0.412006, "0.41200", false)]
    [InlineData(0.4120009, "0.4120000", true)] // tolerance floor 1e-6
    [InlineData(0.4120011, "0.4120000", false)]
    public void Value_rounding_edges_on_a_fraction_scale(double fraction, string text, bool ok)
    {
        var claim = new EvidenceClaim("m/m", "d/d", "t", double.Parse(text, System.Globalization.CultureInfo.InvariantCulture), text, 0, 1);
        Assert.Equal(ok, EvidenceChecks.Value(new Recomputation { Value = fraction }, claim).Ok);
    }

    [Fact]
    public void Value_without_text_uses_the_shortest_form_of_the_number()
    {
        var claim = new EvidenceClaim("m/m", "d/d", "t", 74.2, null, null, null);
        Assert.True(EvidenceChecks.Value(new Recomputation { Value = 0.7424 }, claim).Ok);
        Assert.False(EvidenceChecks.Value(new Recomputation { Value = 0.7426 }, claim).Ok);
        Assert.False(EvidenceChecks.Value(new Recomputation { Value = 0.7 }, claim with { Value = double.NaN }).Ok);
    }

    [Fact]
    public void Outcome_rule()
    {
        EvidenceCheck C(string n, bool ok) => new(n, ok, "x");
        var all = EvidenceCheckNames.All.Select(n => C(n, true)).ToList();
        Assert.Equal(EvidenceStatus.Verified, EvidenceChecks.Outcome(all));
        Assert.Equal(EvidenceStatus.Contradicted, EvidenceChecks.Outcome(all.Select(c => c.Name == "value" ? C("value", false) : c)));
        Assert.Equal(EvidenceStatus.Rejected, EvidenceChecks.Outcome(all.Select(c => c.Name == "headline" ? C("headline", false) : c)));
        Assert.Equal(EvidenceStatus.Rejected, EvidenceChecks.Outcome(all.Select(c => c.Name is "value" or "model" ? C(c.Name, false) : c)));
    }

    [Fact]
    public void Unreadable_log_marks_every_later_check_not_checked()
    {
        var checks = EvidenceChecks.Evaluate(null, null, new EvidenceClaim("m/m", "d/d", "t", 1), "broken");
        Assert.Equal(EvidenceCheckNames.All, checks.Select(c => c.Name));
        Assert.Equal(new EvidenceCheck("readable", false, "broken"), checks[0]);
        Assert.All(checks.Skip(1), c => Assert.StartsWith("not checked: ", c.Detail));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(4096)]
    public void Bare_named_literals_become_marked_strings_across_chunk_boundaries(int chunk)
    {
        const string input = """{"a":NaN,"b":[Infinity,-Infinity,-1.5e-3,null],"s":"NaN Infinity \" NaN","c":{"NaN":-2}}""";
        var output = Filter(input, chunk);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.True(double.IsNaN(JsonFacts.Double(root.GetProperty("a"))!.Value));
        Assert.True(JsonFacts.IsBareLiteral(root.GetProperty("a")));
        var b = root.GetProperty("b");
        Assert.Equal(double.PositiveInfinity, JsonFacts.Double(b[0]));
        Assert.Equal(double.NegativeInfinity, JsonFacts.Double(b[1]));
        Assert.Equal(-1.5e-3, b[2].GetDouble());
        Assert.Equal("NaN Infinity \" NaN", root.GetProperty("s").GetString());
        Assert.Equal(-2, root.GetProperty("c").GetProperty("NaN").GetInt32());
    }

    [Theory]
    [InlineData("{\"a\":Nope}")]
    [InlineData("{\"a\":-Inf}")]
    [InlineData("{\"a\":NaNa}")]
    public void Other_bare_words_stay_invalid(string input) =>
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(Filter(input, 2)));

    private static string Filter(string input, int chunk)
    {
        using var filtered = new NamedFloatLiteralStream(new MemoryStream(Encoding.UTF8.GetBytes(input)));
        var result = new MemoryStream();
        var buffer = new byte[chunk];
        int read;
        while ((read = filtered.Read(buffer, 0, buffer.Length)) > 0)
        {
            result.Write(buffer, 0, read);
        }

        return Encoding.UTF8.GetString(result.ToArray());
    }
}
