using System.Globalization;
using System.Text.Json.Nodes;

namespace CommunityEvals.Formats.Yaml;

// Turns a validated tree into JSON with the YAML's own field names, so the API can echo "the
// YAML item" back. Depth is already bounded by the reader, so recursion here is safe.
internal static class JsonProjection
{
    public static JsonNode? ToJson(YNode node) => node switch
    {
        YMapping m => ToJsonObject(m),
        YSequence s => new JsonArray(s.Items.Select(ToJson).ToArray()),
        YScalar s => ScalarToJson(s),
        _ => null,
    };

    public static JsonObject ToJsonObject(YMapping mapping)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in mapping.Entries)
        {
            obj[key.Value] = ToJson(value);
        }
        return obj;
    }

    public static JsonNode? ScalarToJson(YScalar s)
    {
        if (!s.IsPlain)
        {
            return JsonValue.Create(s.Value);
        }
        if (YamlScalars.IsNull(s))
        {
            return null;
        }
        if (YamlScalars.TryGetBool(s, out var b))
        {
            return JsonValue.Create(b);
        }
        if (YamlScalars.IsDecimalNumber(s))
        {
            return NumberToJson(s.Value) ?? JsonValue.Create(s.Value);
        }
        if (YamlScalars.IsRadixInteger(s))
        {
            var (digits, radix) = s.Value[1] == 'x' ? (s.Value[2..], 16) : (s.Value[2..], 8);
            try
            {
                return JsonValue.Create(Convert.ToInt64(digits, radix));
            }
            catch (OverflowException)
            {
                return JsonValue.Create(s.Value);
            }
        }
        // .inf and .nan have no JSON spelling; keep them as the text written.
        return JsonValue.Create(s.Value);
    }

    /// <summary>
    /// A JSON number that serialises exactly as written when the YAML spelling is also valid JSON
    /// (so 20.90 is echoed as 20.90, not 20.9); null when the number is not finite.
    /// </summary>
    public static JsonNode? NumberToJson(string text)
    {
        var value = YamlScalars.ParseDecimal(text);
        if (!double.IsFinite(value))
        {
            return null;
        }
        if (IsJsonNumber(text) && IsStorableSpelling(text))
        {
            return JsonNode.Parse(text);
        }
        if (!text.Contains('.') && !text.Contains('e') && !text.Contains('E')
            && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }
        return JsonValue.Create(value);
    }

    // The echoed data is stored as jsonb, whose numbers are PostgreSQL numerics: 1e-20000 or
    // 20,000 decimals are finite doubles (0) but no numeric can hold them as written, and the
    // append would fail. Such spellings are echoed as the double they stand for.
    private const int MaxKeptSpellingLength = 100;
    private const int MaxKeptExponent = 300;

    private static bool IsStorableSpelling(string text)
    {
        if (text.Length > MaxKeptSpellingLength)
        {
            return false;
        }
        var e = text.AsSpan().IndexOfAny('e', 'E');
        return e < 0 || (int.TryParse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exponent)
            && Math.Abs(exponent) <= MaxKeptExponent);
    }

    private static bool IsJsonNumber(string text)
    {
        // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?
        var i = 0;
        if (i < text.Length && text[i] == '-')
        {
            i++;
        }
        if (i >= text.Length || !char.IsAsciiDigit(text[i]))
        {
            return false;
        }
        if (text[i] == '0')
        {
            i++;
        }
        else
        {
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
        }
        if (i < text.Length && text[i] == '.')
        {
            i++;
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
            if (i == start)
            {
                return false;
            }
        }
        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            if (i < text.Length && text[i] is '+' or '-')
            {
                i++;
            }
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
            if (i == start)
            {
                return false;
            }
        }
        return i == text.Length;
    }
}
