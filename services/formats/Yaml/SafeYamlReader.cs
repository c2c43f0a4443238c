using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace CommunityEvals.Formats.Yaml;

internal readonly record struct DecodeResult(string? Text, FormatIssue? Error, bool TooLarge);

internal readonly record struct YamlReadResult(YNode? Root, FormatIssue? Error);

// Reads untrusted YAML through YamlDotNet's event stream only, refusing at the first event that
// breaks a rule. Every limit is checked as events arrive, so a hostile file costs at most one
// linear pass over at most MaxFileBytes, and nothing here recurses.
internal static partial class SafeYamlReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static DecodeResult Decode(string file, ReadOnlySpan<byte> content, FormatLimits limits)
    {
        if (content.Length > limits.MaxFileBytes)
        {
            return new(null, new FormatIssue(file, null, null, null, null,
                $"The file is {content.Length:N0} bytes; the limit is {limits.MaxFileBytes:N0} bytes."), TooLarge: true);
        }
        var body = content.StartsWith("\uFEFF"u8) ? content[3..] : content;
        try
        {
            return new(StrictUtf8.GetString(body), null, false);
        }
        catch (DecoderFallbackException)
        {
            return new(null, InvalidUtf8(file, body, content.Length - body.Length), false);
        }
    }

    private static FormatIssue InvalidUtf8(string file, ReadOnlySpan<byte> body, int bomLength)
    {
        var buffer = ArrayPool<char>.Shared.Rent(body.Length + 1);
        try
        {
            var status = Utf8.ToUtf16(body, buffer, out var bytesRead, out _, replaceInvalidSequences: false);
            var offset = status == OperationStatus.InvalidData ? bytesRead : body.Length;
            var before = body[..offset];
            var line = before.Count((byte)'\n') + 1;
            var lastNewline = before.LastIndexOf((byte)'\n');
            var column = offset - lastNewline;
            var bad = offset < body.Length ? $" (byte 0x{body[offset]:X2} at offset {offset + bomLength})" : "";
            return new FormatIssue(file, null, line, column, null, $"The file is not valid UTF-8{bad}.");
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <param name="lineOffset">Added to every line, for YAML embedded in a larger file (README front matter).</param>
    public static YamlReadResult Read(string file, string text, FormatLimits limits, int lineOffset = 0)
    {
        var control = FindControlCharacter(text);
        if (control >= 0)
        {
            var (line, column) = LineAndColumn(text, control);
            return Fail(file, line + lineOffset, column,
                $"Control character U+{(int)text[control]:X4} is not allowed in YAML.");
        }

        var builder = new TreeBuilder(file, limits, lineOffset);
        var lastEnd = Mark.Empty;
        try
        {
            var parser = new Parser(new StringReader(text));
            while (parser.MoveNext())
            {
                var error = builder.Accept(parser.Current!);
                if (error is not null)
                {
                    return new(null, error);
                }
                lastEnd = parser.Current!.End;
            }
            return new(builder.Root, null);
        }
        catch (YamlException e)
        {
            return Fail(file, (int)e.Start.Line + lineOffset, (int)e.Start.Column, $"Invalid YAML: {StripLocation(e.Message)}");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // YamlDotNet's scanner fails on a few malformed inputs with a general exception that
            // carries no position: the end of the last good event is the closest we know.
            return Fail(file, (int)lastEnd.Line + lineOffset, (int)lastEnd.Column, "Invalid YAML: the text after this point could not be parsed.");
        }
    }

    private static YamlReadResult Fail(string file, int? line, int? column, string message) =>
        new(null, new FormatIssue(file, null, line, column, null, message));

    // YAML's printable set (1.2, section 5.1) minus what YamlDotNet would misread anyway.
    private static int FindControlCharacter(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var ok = c switch
            {
                '\t' or '\n' or '\r' => true,
                < ' ' => false,
                '\u007F' => false,
                >= '\u0080' and <= '\u009F' => c == '\u0085',
                '\uFFFE' or '\uFFFF' => false,
                _ => true,
            };
            if (!ok)
            {
                return i;
            }
        }
        return -1;
    }

    private static (int Line, int Column) LineAndColumn(string text, int index)
    {
        var span = text.AsSpan(0, index);
        var line = span.Count('\n') + 1;
        return (line, index - span.LastIndexOf('\n'));
    }

    private static string StripLocation(string message) => LocationPrefix().Replace(message, "");

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex LocationPrefix();

    private sealed class TreeBuilder(string file, FormatLimits limits, int lineOffset)
    {
        private readonly Stack<Frame> _open = new();
        private int _documents;
        private int _nodes;

        public YNode? Root { get; private set; }

        public FormatIssue? Accept(ParsingEvent e)
        {
            if (e is NodeEvent && ++_nodes > limits.MaxNodes)
            {
                return Error(e, $"The file has more than {limits.MaxNodes:N0} YAML values; that is the limit.");
            }
            switch (e)
            {
                case DocumentStart when ++_documents > 1:
                    return Error(e, "More than one YAML document ('---') in the file; put everything in one document.");
                case AnchorAlias alias:
                    return Error(e, $"YAML aliases (*{alias.Value}) are not allowed.");
                case NodeEvent node when !node.Anchor.IsEmpty:
                    return Error(e, $"YAML anchors (&{node.Anchor}) are not allowed.");
                case NodeEvent node when !node.Tag.IsEmpty:
                    return Error(e, $"YAML tags ({node.Tag}) are not allowed.");
                case Scalar s:
                    if (s.Value.Length > limits.MaxScalarLength)
                    {
                        return Error(e, $"A value of {s.Value.Length:N0} characters exceeds the limit of {limits.MaxScalarLength:N0}.");
                    }
                    // The raw text was checked before parsing; a double-quoted escape ("\0", "\x1b")
                    // can still spell a control character, and a NUL cannot even be stored (PostgreSQL
                    // text refuses it), so escapes are held to the same rule as raw text.
                    if (FindControlCharacter(s.Value) is var escaped and >= 0)
                    {
                        return Error(e, $"Control character U+{(int)s.Value[escaped]:X4}, written as an escape, is not allowed in YAML.");
                    }
                    return Attach(new YScalar(Line(e), Column(e), s.Value, s.Style), e);
                case MappingStart:
                    return Open(new YMapping(Line(e), Column(e)), e);
                case SequenceStart:
                    return Open(new YSequence(Line(e), Column(e)), e);
                case MappingEnd or SequenceEnd:
                    _open.Pop();
                    return null;
                default:
                    return null;
            }
        }

        private FormatIssue? Open(YNode collection, ParsingEvent e)
        {
            // Checked before the deeper level is entered, so a 5,000-level file stops at level 33.
            if (_open.Count >= limits.MaxDepth)
            {
                return Error(e, $"Nesting deeper than {limits.MaxDepth} levels is not allowed.");
            }
            var error = Attach(collection, e);
            if (error is null)
            {
                _open.Push(new Frame(collection));
            }
            return error;
        }

        private FormatIssue? Attach(YNode node, ParsingEvent e)
        {
            if (_open.Count == 0)
            {
                Root = node;
                return null;
            }
            var parent = _open.Peek();
            switch (parent.Node)
            {
                case YSequence seq:
                    seq.Items.Add(node);
                    return null;
                case YMapping map when parent.PendingKey is null:
                    if (node is not YScalar key)
                    {
                        return Error(e, "Mapping keys must be plain text, not lists or mappings.");
                    }
                    if (!parent.AddKey(key.Value))
                    {
                        return Error(e, $"Duplicate key '{Shorten(key.Value)}' in the same mapping.");
                    }
                    parent.PendingKey = key;
                    return null;
                case YMapping map:
                    map.Entries.Add(new(parent.PendingKey!, node));
                    parent.PendingKey = null;
                    return null;
                default:
                    return Error(e, "Unexpected YAML structure.");
            }
        }

        private int Line(ParsingEvent e) => (int)e.Start.Line + lineOffset;

        private static int Column(ParsingEvent e) => (int)e.Start.Column;

        private FormatIssue Error(ParsingEvent e, string message) => new(file, null, Line(e), Column(e), null, message);

        private static string Shorten(string s) => s.Length <= 80 ? s : s[..80] + "...";

        private sealed class Frame(YNode node)
        {
            private HashSet<string>? _keys;

            public YNode Node { get; } = node;

            public YScalar? PendingKey { get; set; }

            // Most mappings have a handful of keys: scan those, and only hash the large ones, so a
            // file of many tiny mappings costs no more than the mappings themselves.
            public bool AddKey(string key)
            {
                var entries = ((YMapping)Node).Entries;
                if (_keys is null && entries.Count < 16)
                {
                    return !entries.Exists(e => e.Key.Value == key);
                }
                _keys ??= new HashSet<string>(entries.Select(e => e.Key.Value), StringComparer.Ordinal);
                return _keys.Add(key);
            }
        }
    }
}
