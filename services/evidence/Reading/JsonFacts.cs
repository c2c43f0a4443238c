using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CommunityEvals.Evidence.Reading;

/// <summary>Small, tolerant accessors over detached JSON values (header parts, one sample's fields).</summary>
internal static class JsonFacts
{
    public static JsonElement? Prop(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public static string? Str(JsonElement obj, string name) =>
        Prop(obj, name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    public static int? Int(JsonElement obj, string name) => Prop(obj, name) is { } v ? Int(v) : null;

    public static int? Int(JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Number)
        {
            return null;
        }

        if (v.TryGetInt32(out var i))
        {
            return i;
        }

        return v.TryGetDouble(out var d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue ? (int)d : null;
    }

    /// <summary>A number, or one of the named literals (quoted by Inspect's writer or by <see cref="NamedFloatLiteralStream"/>).</summary>
    public static double? Double(JsonElement v)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.Number:
                return v.TryGetDouble(out var d) ? d : null;
            case JsonValueKind.String:
                var s = v.GetString()!;
                if (s.Length > 0 && s[0] == NamedFloatLiteralStream.Marker)
                {
                    s = s[1..];
                }

                return s switch
                {
                    "NaN" => double.NaN,
                    "Infinity" => double.PositiveInfinity,
                    "-Infinity" => double.NegativeInfinity,
                    _ => null,
                };
            default:
                return null;
        }
    }

    /// <summary>True for a value that came from a bare <c>NaN</c>/<c>Infinity</c> literal.</summary>
    public static bool IsBareLiteral(JsonElement v) =>
        v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s && s[0] == NamedFloatLiteralStream.Marker;

    /// <summary>An id: a number's text or the string.</summary>
    public static string? Id(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Number => v.GetRawText(),
        _ => null,
    };

    /// <summary>The value as a short text: a string as is, anything else as its JSON.</summary>
    public static string Text(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => Unmark(v.GetString()!),
        _ => v.GetRawText(),
    };

    public static string Unmark(string s) => s.Length > 0 && s[0] == NamedFloatLiteralStream.Marker ? s[1..] : s;

    public static string Cut(string text, int max) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, Math.Max(0, max - 1)), "\u2026");

    /// <summary>Renders an input: the string, or chat messages as <c>role: text</c> lines, cut to <paramref name="max"/>.</summary>
    public static string RenderInput(JsonElement input, int max)
    {
        if (input.ValueKind == JsonValueKind.String)
        {
            return Cut(input.GetString()!, max);
        }

        if (input.ValueKind != JsonValueKind.Array)
        {
            return Cut(Text(input), max);
        }

        var sb = new StringBuilder();
        foreach (var message in input.EnumerateArray())
        {
            if (sb.Length > max)
            {
                break;
            }

            if (sb.Length > 0)
            {
                sb.Append('\n');
            }

            var role = Str(message, "role");
            if (role is not null)
            {
                sb.Append(role).Append(": ");
            }

            AppendContent(sb, Prop(message, "content") ?? message, max);
        }

        return Cut(sb.ToString(), max);
    }

    /// <summary>Content of a chat message: a string, or a list of parts (text kept, others named).</summary>
    public static void AppendContent(StringBuilder sb, JsonElement content, int max)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                sb.Append(content.GetString());
                return;
            case JsonValueKind.Array:
                var first = true;
                foreach (var part in content.EnumerateArray())
                {
                    if (sb.Length > max)
                    {
                        return;
                    }

                    if (!first)
                    {
                        sb.Append(' ');
                    }

                    first = false;
                    if (part.ValueKind == JsonValueKind.String)
                    {
                        sb.Append(part.GetString());
                        continue;
                    }

                    var type = Str(part, "type");
                    if (type == "text" && Str(part, "text") is { } text)
                    {
                        sb.Append(text);
                    }
                    else
                    {
                        sb.Append('[').Append(type ?? "content").Append(']');
                    }
                }

                return;
            case JsonValueKind.Object:
                sb.Append(Str(content, "text") ?? "[" + (Str(content, "type") ?? "content") + "]");
                return;
            default:
                sb.Append(Text(content));
                return;
        }
    }

    public static IReadOnlyList<string> Strings(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Array => v.EnumerateArray().Select(Text).ToArray(),
        JsonValueKind.Null or JsonValueKind.Undefined => [],
        _ => [Text(v)],
    };

    public static IReadOnlyDictionary<string, string> RawMap(JsonElement? obj)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (obj is { ValueKind: JsonValueKind.Object } o)
        {
            foreach (var p in o.EnumerateObject())
            {
                map[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            }
        }

        return map;
    }

    public static string Invariant(double d) => d.ToString("R", CultureInfo.InvariantCulture);
}
