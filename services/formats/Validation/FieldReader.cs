using System.Text.Json.Nodes;
using CommunityEvals.Formats.Yaml;

namespace CommunityEvals.Formats.Validation;

// Typed access to a mapping's fields that reports what is wrong (missing, wrong type) against the
// field's dotted path and the item it belongs to, and tracks which keys were read so the rest can
// be reported as unknown.
internal sealed class FieldReader(IssueCollector issues, int? item, YMapping map, string prefix)
{
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public YMapping Map { get; } = map;

    public IssueCollector Issues { get; } = issues;

    public int? Item { get; } = item;

    public string Path(string key) => prefix.Length == 0 ? key : $"{prefix}.{key}";

    /// <summary>The node under <paramref name="key"/>, or null when absent or null-valued.</summary>
    public YNode? Node(string key, bool required)
    {
        _known.Add(key);
        var node = Map.Get(key);
        if (node is YScalar s && YamlScalars.IsNull(s))
        {
            if (required)
            {
                Issues.Error(Item, node, Path(key), $"'{Path(key)}' is required but has no value.");
            }
            return null;
        }
        if (node is null && required)
        {
            Issues.Error(Item, Map, Path(key), $"'{Path(key)}' is required.");
        }
        return node;
    }

    /// <summary>
    /// Text of a string field. Plain numbers are accepted as their text (a task id may be <c>2024</c>),
    /// but booleans, lists and mappings are not strings.
    /// </summary>
    public (string? Value, YNode? Node) String(string key, bool required, bool nonEmpty = true)
    {
        var node = Node(key, required);
        if (node is null)
        {
            return (null, null);
        }
        if (node is not YScalar s || YamlScalars.TryGetBool(s, out _))
        {
            Issues.Error(Item, node, Path(key), $"'{Path(key)}' must be a string, found {node.KindName}.");
            return (null, node);
        }
        if (nonEmpty && string.IsNullOrWhiteSpace(s.Value))
        {
            Issues.Error(Item, node, Path(key), $"'{Path(key)}' must not be empty.");
            return (null, node);
        }
        return (s.Value, node);
    }

    public YMapping? Mapping(string key, bool required, string expected)
    {
        var node = Node(key, required);
        if (node is null or YMapping)
        {
            return (YMapping?)node;
        }
        Issues.Error(Item, node, Path(key), $"'{Path(key)}' must be {expected}, found {node.KindName}.");
        return null;
    }

    public YSequence? Sequence(string key, bool required, string expected)
    {
        var node = Node(key, required);
        if (node is null or YSequence)
        {
            return (YSequence?)node;
        }
        Issues.Error(Item, node, Path(key), $"'{Path(key)}' must be {expected}, found {node.KindName}.");
        return null;
    }

    public bool? Bool(string key)
    {
        var node = Node(key, required: false);
        if (node is null)
        {
            return null;
        }
        if (node is YScalar s && YamlScalars.TryGetBool(s, out var value))
        {
            return value;
        }
        Issues.Error(Item, node, Path(key), $"'{Path(key)}' must be true or false, found {Describe(node)}.");
        return null;
    }

    /// <summary>A plain decimal integer of at least <paramref name="min"/>.</summary>
    public int? Integer(string key, int min)
    {
        var node = Node(key, required: false);
        if (node is null)
        {
            return null;
        }
        if (node is YScalar s && YamlScalars.IsDecimalInteger(s)
            && int.TryParse(s.Value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            if (value >= min)
            {
                return value;
            }
            Issues.Error(Item, node, Path(key), $"'{Path(key)}' must be at least {min}, found {value}.");
            return null;
        }
        Issues.Error(Item, node, Path(key), $"'{Path(key)}' must be a whole number of at least {min}, found {Describe(node)}.");
        return null;
    }

    /// <summary>Reports every key not read so far as a warning; call after reading the known ones.</summary>
    public List<string> WarnUnknown(string what)
    {
        var unknown = new List<string>();
        foreach (var (key, _) in Map.Entries)
        {
            if (!_known.Contains(key.Value))
            {
                var path = Path(key.Value);
                unknown.Add(path);
                Issues.Warning(Item, key, path, $"Unknown key '{path}' in {what}: kept, but not used.");
            }
        }
        return unknown;
    }

    public static string Describe(YNode node) => node is YScalar s
        ? $"{s.KindName} '{Shorten(s.Value)}'"
        : node.KindName;

    // Messages are one line: echoed text is cut short and its line breaks are spelled out.
    public static string Shorten(string s) =>
        (s.Length <= 60 ? s : s[..60] + "...").Replace("\r", "\\r").Replace("\n", "\\n").Replace("\t", "\\t");

    public JsonObject ToJson() => JsonProjection.ToJsonObject(Map);
}
