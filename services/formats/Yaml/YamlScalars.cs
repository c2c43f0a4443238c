using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;

namespace CommunityEvals.Formats.Yaml;

// YAML 1.2 core schema resolution of plain scalars. 1.1's yes/no/on/off booleans and sexagesimal
// numbers are deliberately not recognised: they surprise authors more than they help.
internal static partial class YamlScalars
{
    public static bool IsNull(YScalar s) =>
        s.IsPlain && s.Value is "" or "~" or "null" or "Null" or "NULL";

    public static bool TryGetBool(YScalar s, out bool value)
    {
        value = false;
        if (!s.IsPlain)
        {
            return false;
        }
        switch (s.Value)
        {
            case "true" or "True" or "TRUE":
                value = true;
                return true;
            case "false" or "False" or "FALSE":
                return true;
            default:
                return false;
        }
    }

    public static bool IsDecimalInteger(YScalar s) => s.IsPlain && DecimalInteger().IsMatch(s.Value);

    public static bool IsDecimalNumber(YScalar s) => s.IsPlain && DecimalNumber().IsMatch(s.Value);

    public static bool IsRadixInteger(YScalar s) => s.IsPlain && RadixInteger().IsMatch(s.Value);

    public static bool IsSpecialFloat(YScalar s) => s.IsPlain && SpecialFloat().IsMatch(s.Value);

    // Spellings of NaN and infinity that other languages print; YAML reads them as strings, but
    // the author meant a non-finite number, and saying so is the more useful message.
    public static bool LooksNonFinite(string text) => NonFiniteWord().IsMatch(text.Trim());

    public static double ParseDecimal(string text) =>
        double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    public static string Describe(YScalar s)
    {
        if (s.Style is ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return "a block string";
        }
        if (!s.IsPlain)
        {
            return "a quoted string";
        }
        if (IsNull(s))
        {
            return "null";
        }
        if (TryGetBool(s, out _))
        {
            return "a boolean";
        }
        if (IsDecimalNumber(s) || IsRadixInteger(s) || IsSpecialFloat(s))
        {
            return "a number";
        }
        return "a string";
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex DecimalInteger();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex DecimalNumber();

    [GeneratedRegex(@"^(0o[0-7]+|0x[0-9a-fA-F]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex RadixInteger();

    [GeneratedRegex(@"^([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$", RegexOptions.CultureInvariant)]
    private static partial Regex SpecialFloat();

    [GeneratedRegex(@"^[-+]?\.?(nan|inf|infinity)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex NonFiniteWord();
}
