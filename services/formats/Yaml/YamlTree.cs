using YamlDotNet.Core;

namespace CommunityEvals.Formats.Yaml;

// Our own small tree, built from YamlDotNet's event stream: nothing untrusted ever reaches a
// deserializer that instantiates types, resolves aliases or recurses.
internal abstract class YNode(int line, int column)
{
    public int Line { get; } = line;
    public int Column { get; } = column;

    public abstract string KindName { get; }
}

internal sealed class YScalar(int line, int column, string value, ScalarStyle style) : YNode(line, column)
{
    public string Value { get; } = value;

    public ScalarStyle Style { get; } = style;

    // Only plain scalars resolve to null, booleans and numbers: "1" in quotes stays a string.
    public bool IsPlain => Style is ScalarStyle.Plain or ScalarStyle.Any;

    public override string KindName => YamlScalars.Describe(this);
}

internal sealed class YSequence(int line, int column) : YNode(line, column)
{
    public List<YNode> Items { get; } = [];

    public override string KindName => "a list";
}

internal sealed class YMapping(int line, int column) : YNode(line, column)
{
    public List<KeyValuePair<YScalar, YNode>> Entries { get; } = [];

    public override string KindName => "a mapping";

    public YNode? Get(string key)
    {
        foreach (var (k, v) in Entries)
        {
            if (k.Value == key)
            {
                return v;
            }
        }
        return null;
    }

    public bool Has(string key) => Entries.Exists(e => e.Key.Value == key);
}
