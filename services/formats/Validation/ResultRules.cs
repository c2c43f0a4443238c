using System.Globalization;
using System.Text.RegularExpressions;
using CommunityEvals.Formats.Yaml;

namespace CommunityEvals.Formats.Validation;

// Rules shared by .eval_results items and model-index metrics.
internal static partial class ResultRules
{
    public readonly record struct CheckedValue(double Value, string Text);

    /// <summary>A required, finite, plain decimal number within the task's declared range.</summary>
    public static CheckedValue? Value(FieldReader fields, string key, BenchmarkTask? task, string? datasetId)
    {
        var node = fields.Node(key, required: true);
        if (node is null)
        {
            return null;
        }
        var field = fields.Path(key);
        var issues = fields.Issues;
        var item = fields.Item;
        if (node is not YScalar s)
        {
            issues.Error(item, node, field, $"'{field}' must be a number, found {node.KindName}.");
            return null;
        }
        if (YamlScalars.IsSpecialFloat(s) || (s.IsPlain && YamlScalars.LooksNonFinite(s.Value)))
        {
            issues.Error(item, node, field, $"'{field}' must be a finite number, found '{s.Value}'.");
            return null;
        }
        if (!s.IsPlain)
        {
            var quoted = s.Style is YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted;
            var hint = quoted && YamlScalars.IsDecimalNumber(new YScalar(0, 0, s.Value.Trim(), YamlDotNet.Core.ScalarStyle.Plain))
                ? " Remove the quotes: a quoted number is a string."
                : "";
            issues.Error(item, node, field, $"'{field}' must be a number, found {FieldReader.Describe(s)}.{hint}");
            return null;
        }
        if (YamlScalars.IsRadixInteger(s))
        {
            issues.Error(item, node, field, $"'{field}' must be written as a decimal number, found '{s.Value}'.");
            return null;
        }
        if (!YamlScalars.IsDecimalNumber(s))
        {
            issues.Error(item, node, field, $"'{field}' must be a number, found {FieldReader.Describe(s)}.");
            return null;
        }
        var value = YamlScalars.ParseDecimal(s.Value);
        if (!double.IsFinite(value))
        {
            issues.Error(item, node, field, $"'{field}' must be a finite number; '{FieldReader.Shorten(s.Value)}' is too large.");
            return null;
        }
        var range = task?.Leaderboard.Range;
        if (range is not null && !range.Contains(value))
        {
            issues.Error(item, node, field,
                $"'{field}' {s.Value} is outside the range [{Format(range.Min)}, {Format(range.Max)}] declared by task '{task!.Id}' of '{datasetId}'.{ScaleHint(s.Value, range)}");
            return null;
        }
        if (range is not null && range.Max > 1 && value > 0 && value < 1)
        {
            // Inside the range, so not refused: a low percentage is legitimate, but a fraction
            // written on a percent scale is the likelier mistake, so say so.
            issues.Warning(item, node, field,
                $"'{field}' {s.Value} is within [{Format(range.Min)}, {Format(range.Max)}] but looks like a fraction.{ScaleHint(s.Value, range)} It is kept as written.");
        }
        return new CheckedValue(value, s.Value);
    }

    // Both 0-1 fractions and percentages are common, so the likely slip is writing one on the
    // other's scale: a percentage (above 1) on a task that ends at 1, or a fraction (at most 1)
    // on a task that goes higher. Only those get a hint; 100.01 on [0, 100] is not a slip of scale.
    private static string ScaleHint(string text, ValueRange range)
    {
        if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return "";
        }
        var candidate = range.Max <= 1 && d > 1 && d <= 100 ? d / 100m
            : range.Max > 1 && d > 0 && d <= 1 ? d * 100m
            : (decimal?)null;
        return candidate is { } c && range.Contains((double)c)
            ? $" Did you mean {c.ToString("0.############################", CultureInfo.InvariantCulture)}?"
            : "";
    }

    public static string Format(double d) => d.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>ISO-8601 calendar date, or date-time with optional seconds, fraction and offset.</summary>
    public static bool IsIsoDate(string text)
    {
        var m = IsoDate().Match(text);
        if (!m.Success)
        {
            return false;
        }
        int Part(string name) => int.Parse(m.Groups[name].Value, CultureInfo.InvariantCulture);
        var year = Part("y");
        var month = Part("mo");
        if (year < 1 || month is < 1 or > 12 || Part("d") < 1 || Part("d") > DateTime.DaysInMonth(year, month))
        {
            return false;
        }
        if (m.Groups["h"].Success && (Part("h") > 23 || Part("mi") > 59 || (m.Groups["s"].Success && Part("s") > 59)))
        {
            return false;
        }
        return !m.Groups["oh"].Success || (Part("oh") <= 23 && Part("om") <= 59);
    }

    /// <summary>An absolute http(s) URL: anything else would become a dangerous link in a UI.</summary>
    public static bool IsWebUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && !string.IsNullOrEmpty(uri.Host)
        && !text.Any(char.IsWhiteSpace);

    [GeneratedRegex(@"^(?<y>[0-9]{4})-(?<mo>[0-9]{2})-(?<d>[0-9]{2})(T(?<h>[0-9]{2}):(?<mi>[0-9]{2})(:(?<s>[0-9]{2})(\.[0-9]{1,9})?)?(Z|[+-](?<oh>[0-9]{2}):(?<om>[0-9]{2}))?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoDate();
}
