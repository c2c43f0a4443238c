using System.Text;

namespace CommunityEvals.UnitTests.Formats;

/// <summary>
/// The generator of <c>Corpus/shapes/</c>: every shape of YAML a parser has tripped on, each written
/// three ways, as a results file, as an <c>eval.yaml</c> and as a README's front matter, because
/// the three carriers reach different validators and a shape handled in one can still break
/// another. Each file is one valid skeleton with the shape put in; what must happen is stated by
/// hand per carrier below (never derived from the parser). The files are committed so a reader can
/// open them; <see cref="CorpusShapesTests"/> fails when they differ from what this makes, and
/// writes them anew with <c>CORPUS_SHAPES_WRITE=1</c>.
/// </summary>
internal static class CorpusShapes
{
    public const string Folder = "shapes";

    public enum Carrier
    {
        Results,
        Benchmark,
        Card,
    }

    public sealed record Outcome(string Expect, string? Field = null, int? Item = null)
    {
        public int Status => Expect switch { "valid" => 200, "too-large" => 413, _ => 422 };
    }

    public sealed record GeneratedFile(string File, string Kind, Outcome Outcome, string About, byte[] Content);

    private sealed record Shape(string Name, string About, Func<Carrier, byte[]> Content, Outcome Results, Outcome Benchmark, Outcome Card);

    private static readonly Outcome Valid = new("valid");
    private static readonly Outcome Invalid = new("invalid");

    // The value slot of each carrier: a result's value, the low end of a benchmark's range, a
    // model-index metric's value. Each names its own field when the number is refused.
    private static readonly Outcome[] BadValue =
    [
        new("invalid", "value", 0),
        new("invalid", "leaderboard.main.range"),
        new("invalid", "model-index[0].results[0].metrics[0].value", 0),
    ];

    public static IReadOnlyList<GeneratedFile> Files() =>
        Shapes().SelectMany(shape => Enum.GetValues<Carrier>().Select(carrier => new GeneratedFile(
            $"{Folder}/{shape.Name}.{Suffix(carrier)}",
            Kind(carrier),
            carrier switch { Carrier.Results => shape.Results, Carrier.Benchmark => shape.Benchmark, _ => shape.Card },
            $"{shape.About} ({Described(carrier)})",
            shape.Content(carrier)))).ToList();

    public static string Kind(Carrier carrier) => carrier switch
    {
        Carrier.Results => "results",
        Carrier.Benchmark => "benchmark",
        _ => "card",
    };

    // A shape's three files sit side by side: shapes/tab-indentation.results.yaml, .eval.yaml, .README.md.
    private static string Suffix(Carrier carrier) => carrier switch
    {
        Carrier.Results => "results.yaml",
        Carrier.Benchmark => "eval.yaml",
        _ => "README.md",
    };

    private static string Described(Carrier carrier) => carrier switch
    {
        Carrier.Results => "in a results file",
        Carrier.Benchmark => "in an eval.yaml",
        _ => "in a README's front matter",
    };

    // One valid file per carrier. {value} is the number slot, {text} a free-text scalar slot, and
    // {extra} takes extra keys at the level of the carrier's main mapping (a result item, the
    // benchmark, the card), written from column 0 and indented here to fit.
    private static string Skeleton(Carrier carrier, string value = "0.5", string text = "shapes", string extra = "")
    {
        var skeleton = carrier switch
        {
            Carrier.Results => """
                - dataset:
                    id: corpus/percent
                    task_id: main
                  value: {value}
                  notes: {text}
                {extra}
                """,
            Carrier.Benchmark => """
                name: Shapes benchmark
                description: {text}
                evaluation_framework: math-arena
                tasks:
                  - id: main
                leaderboard:
                  main:
                    range: [{value}, 1000]
                {extra}
                """,
            _ => """
                ---
                license: {text}
                model-index:
                - name: corpus-model
                  results:
                  - dataset:
                      type: corpus/fraction
                    metrics:
                    - type: acc
                      value: {value}
                {extra}
                ---
                # Shapes

                A model card whose front matter carries the shape.

                """,
        };
        var indent = carrier == Carrier.Results ? "  " : "";
        var extraLines = extra.Length == 0 ? [] : extra.TrimEnd('\n').Split('\n').Select(line => indent + line);
        var lines = skeleton.Replace("{value}", value).Replace("{text}", text).Split('\n')
            .SelectMany(line => line == "{extra}" ? extraLines : [line]);
        return string.Join("\n", lines) + (carrier == Carrier.Card ? "" : "\n");
    }

    private static Func<Carrier, byte[]> Yaml(string? value = null, string? text = null, string? extra = null) =>
        carrier => Utf8(Skeleton(carrier, value ?? "0.5", text ?? "shapes", extra ?? ""));

    private static Func<Carrier, byte[]> Extra(string extra) => Yaml(extra: extra);

    private static Func<Carrier, byte[]> Extra(Func<Carrier, string> extra) => carrier => Utf8(Skeleton(carrier, extra: extra(carrier)));

    private static Func<Carrier, byte[]> Each(string results, string benchmark, string card) =>
        carrier => Utf8(carrier switch { Carrier.Results => results, Carrier.Benchmark => benchmark, _ => card });

    private static Func<Carrier, byte[]> Each(byte[] results, byte[] benchmark, byte[] card) =>
        carrier => carrier switch { Carrier.Results => results, Carrier.Benchmark => benchmark, _ => card };

    /// <summary>The skeleton with <paramref name="raw"/> bytes in the text slot, between two letters.</summary>
    private static Func<Carrier, byte[]> RawInText(params byte[] raw) => carrier =>
    {
        var text = Utf8(Skeleton(carrier, text: "a\uE000b"));
        var marker = Utf8("\uE000");
        var at = text.AsSpan().IndexOf(marker);
        return [.. text.AsSpan(0, at), .. raw, .. text.AsSpan(at + marker.Length)];
    };

    private static Func<Carrier, byte[]> Transformed(Func<string, string> transform, Func<Carrier, byte[]>? of = null) =>
        carrier => Utf8(transform(Encoding.UTF8.GetString((of ?? Yaml())(carrier))));

    private static Func<Carrier, byte[]> Encoded(Encoding encoding, bool withPreamble) => carrier =>
    {
        var text = Skeleton(carrier);
        return [.. withPreamble ? encoding.GetPreamble() : [], .. encoding.GetBytes(text)];
    };

    private static Func<Carrier, byte[]> Prefixed(byte[] prefix, Func<Carrier, byte[]>? of = null) =>
        carrier => [.. prefix, .. (of ?? Yaml())(carrier)];

    private static Func<Carrier, byte[]> Suffixed(byte[] suffix, Func<Carrier, byte[]>? of = null) =>
        carrier => [.. (of ?? Yaml())(carrier), .. suffix];

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    // Levels left for an extra key's value under the limit of 32: a result item is at level 2
    // (inside the root list), the benchmark and the card at level 1.
    private static int LevelsLeft(Carrier carrier) => carrier == Carrier.Results ? 30 : 31;

    private static string FlowNest(int levels) => "extra: " + new string('[', levels) + new string(']', levels);

    private static string BlockNest(int levels) =>
        string.Concat(Enumerable.Range(0, levels).Select(i => new string(' ', 2 * i) + "k:\n")) + new string(' ', 2 * levels) + "leaf: 1";

    private static Outcome[] All(Outcome outcome) => [outcome, outcome, outcome];

    private static Shape S(string name, string about, Func<Carrier, byte[]> content, Outcome[] outcomes) =>
        new(name, about, content, outcomes[0], outcomes[1], outcomes[2]);

    private static Shape S(string name, string about, Func<Carrier, byte[]> content, Outcome results, Outcome benchmark, Outcome card) =>
        new(name, about, content, results, benchmark, card);

    private static IEnumerable<Shape> Shapes()
    {
        // Anchors and aliases: refused wherever they appear, so no alias can ever be expanded.
        yield return S("anchor-on-scalar", "An anchor on an extra scalar value", Extra("extra: &a text"), All(Invalid));
        yield return S("anchor-on-mapping", "An anchor on a flow mapping", Extra("extra: &m {a: 1}"), All(Invalid));
        yield return S("anchor-on-sequence", "An anchor on a flow sequence", Extra("extra: &s [1, 2]"), All(Invalid));
        yield return S("anchor-on-key", "An anchor on a mapping key", Extra("&k extra: 1"), All(Invalid));
        yield return S("anchor-name-2000", "An anchor whose name is 2,000 characters", Extra($"extra: &{new string('a', 2_000)} text"), All(Invalid));
        yield return S("alias-of-scalar", "A scalar anchored, then reused through an alias", Extra("first: &a text\nsecond: *a"), All(Invalid));
        yield return S("alias-undefined", "An alias to an anchor that was never defined", Extra("extra: *nowhere"), All(Invalid));
        yield return S("alias-self-reference", "An alias inside the collection it names", Extra("extra: &a [*a]"), All(Invalid));
        yield return S("alias-billion-laughs", "Billion laughs: nine levels of nine aliases each",
            Extra("extra:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                + string.Concat(Enumerable.Range(1, 8).Select(i =>
                    $"  {(char)('a' + i)}: &{(char)('a' + i)} [{string.Join(", ", Enumerable.Repeat($"*{(char)('a' + i - 1)}", 9))}]\n"))),
            All(Invalid));
        yield return S("alias-quadratic", "Quadratic blow-up: a 100-item list aliased 1,000 times",
            Extra($"base: &a [{string.Join(", ", Enumerable.Repeat("x", 100))}]\nextra: [{string.Join(", ", Enumerable.Repeat("*a", 1000))}]"),
            All(Invalid));
        yield return S("alias-as-key", "An alias used as a mapping key", Extra("base: &k key\nextra:\n  *k : value"), All(Invalid));

        // Tags: refused, whether they would build objects or only retype a value.
        yield return S("tag-python-object-apply", "!!python/object/apply calling os.system", Extra("extra: !!python/object/apply:os.system [\"echo pwned\"]"), All(Invalid));
        yield return S("tag-python-object-new", "!!python/object/new building a subprocess", Extra("extra: !!python/object/new:subprocess.Popen [[ls]]"), All(Invalid));
        yield return S("tag-python-name", "!!python/name naming a builtin", Extra("extra: !!python/name:builtins.eval ''"), All(Invalid));
        yield return S("tag-dotnet-type", "A .NET type name as a local tag", Extra("extra: !System.Diagnostics.Process {StartInfo: {FileName: sh}}"), All(Invalid));
        yield return S("tag-custom-local", "A custom local tag", Extra("extra: !custom text"), All(Invalid));
        yield return S("tag-verbatim", "A verbatim tag", Extra("extra: !<tag:yaml.org,2002:str> text"), All(Invalid));
        yield return S("tag-str-on-value", "!!str on the number slot", Yaml(value: "!!str 0.5"), All(Invalid));
        yield return S("tag-float-on-value", "!!float on the number slot", Yaml(value: "!!float 0.5"), All(Invalid));
        yield return S("tag-binary", "!!binary on an extra value", Extra("extra: !!binary aGVsbG8="), All(Invalid));
        yield return S("tag-set", "!!set on an extra mapping", Extra("extra: !!set {a, b}"), All(Invalid));
        yield return S("tag-named-handle", "A named tag handle, declared by %TAG where the file can hold a directive",
            carrier => Utf8(carrier == Carrier.Card
                ? Skeleton(carrier, extra: "extra: !e!thing text")
                : "%TAG !e! tag:evil.example,2026:\n---\n" + Skeleton(carrier, extra: "extra: !e!thing text")),
            All(Invalid));

        // Merge keys: YAML 1.2 has none, so '<<' is an ordinary (unknown) key and merges nothing.
        yield return S("merge-key-alias", "A merge key with an alias", Extra("base: &b {x: 1}\nextra:\n  <<: *b"), All(Invalid));
        yield return S("merge-key-inline-mapping", "A merge key with an inline mapping: an ordinary key", Extra("extra:\n  <<: {x: 1}\n  y: 2"), All(Valid));
        yield return S("merge-key-list", "A merge key with a list of mappings: an ordinary key", Extra("extra:\n  <<: [{x: 1}, {y: 2}]"), All(Valid));
        yield return S("merge-key-top-level", "A top-level '<<' that would override required fields if it were merged",
            Each(
                "- <<: {dataset: {id: corpus/fraction, task_id: main}, value: 7}\n  dataset:\n    id: corpus/percent\n    task_id: main\n  value: 0.5\n",
                Encoding.UTF8.GetString(Yaml()(Carrier.Benchmark)) + "<<: {name: '', tasks: []}\n",
                Skeleton(Carrier.Card, extra: "<<: {model-index: []}")),
            All(Valid));

        // Indentation and tabs.
        yield return S("indent-one-space", "Every level indented by one space (list items start on their own line)",
            Each(
                "-\n dataset:\n  id: corpus/percent\n  task_id: main\n value: 0.5\n",
                "name: Shapes benchmark\ndescription: shapes\nevaluation_framework: math-arena\ntasks:\n -\n  id: main\nleaderboard:\n main:\n  range: [0.5, 1000]\n",
                "---\nmodel-index:\n-\n name: corpus-model\n results:\n -\n  dataset:\n   type: corpus/fraction\n  metrics:\n  -\n   type: acc\n   value: 0.5\n---\n"),
            All(Valid));
        yield return S("indent-eight-spaces", "Every level indented by eight spaces",
            Each(
                "-       dataset:\n                id: corpus/percent\n                task_id: main\n        value: 0.5\n",
                "name: Shapes benchmark\ndescription: shapes\nevaluation_framework: math-arena\ntasks:\n        - id: main\nleaderboard:\n        main:\n                range: [0.5, 1000]\n",
                "---\nmodel-index:\n-       name: corpus-model\n        results:\n        -       dataset:\n                        type: corpus/fraction\n"
                    + "                metrics:\n                -       type: acc\n                        value: 0.5\n---\n"),
            All(Valid));
        yield return S("indent-sibling-deeper", "One key indented a space deeper than its siblings",
            Transformed(text => text.Replace("\n  value: 0.5", "\n   value: 0.5").Replace("\nleaderboard:", "\n leaderboard:").Replace("\n  results:", "\n   results:")),
            All(Invalid));
        yield return S("indent-sibling-shallower", "A nested key indented a space less than its siblings",
            Transformed(text => text.Replace("\n    task_id:", "\n   task_id:").Replace("    range: [0.5, 1000]\n", "    range: [0.5, 1000]\n   metric: accuracy\n")
                .Replace("\n      value:", "\n     value:")),
            All(Invalid));
        yield return S("indent-compact-sequence", "A block list not indented under its key", Extra("extra:\n- a\n- b"), All(Valid));
        yield return S("indent-mapping-in-sequence-odd", "A mapping inside a list item indented by three", Extra("extra:\n  -   a: 1\n      b: 2"), All(Valid));
        yield return S("tab-indentation", "A tab where indentation is expected", Extra("extra:\n\tkey: value"), All(Invalid));
        yield return S("tab-before-nested-key", "A tab then spaces before a nested key", Extra("extra:\n  a: 1\n\t  b: 2"), All(Invalid));
        yield return S("tab-after-colon", "A tab separating a key from its value", Extra("extra:\tvalue"), All(Valid));
        yield return S("tab-inside-value", "A tab inside a plain value", Yaml(text: "a\tb"), All(Valid));
        yield return S("tab-trailing", "Tabs and spaces at the end of lines", Transformed(text => text.Replace("\n", " \t\n")), All(Valid));

        // Byte-order marks and other encodings: UTF-8 only; one leading UTF-8 BOM is allowed.
        yield return S("bom-utf8", "A UTF-8 byte-order mark", Prefixed([0xEF, 0xBB, 0xBF]), All(Valid));
        yield return S("bom-utf8-twice", "Two UTF-8 byte-order marks",
            Prefixed([0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF]),
            // The second mark is U+FEFF, a character: YAML allows a BOM only at the start of the
            // stream, and a README whose first line is not '---' has no front matter.
            Invalid, Invalid, Valid);
        yield return S("bom-in-quoted-value", "U+FEFF inside a quoted value", Yaml(text: "\"a\uFEFFb\""), All(Valid));
        yield return S("bom-utf16le", "The whole file in UTF-16 LE with its BOM", Encoded(new UnicodeEncoding(false, true), true), All(Invalid));
        yield return S("bom-utf16be", "The whole file in UTF-16 BE with its BOM", Encoded(new UnicodeEncoding(true, true), true), All(Invalid));
        yield return S("bom-utf32le", "The whole file in UTF-32 LE with its BOM", Encoded(new UTF32Encoding(false, true), true), All(Invalid));
        yield return S("bom-utf32be", "The whole file in UTF-32 BE with its BOM", Encoded(new UTF32Encoding(true, true), true), All(Invalid));
        yield return S("utf16le-without-bom", "The whole file in UTF-16 LE without a BOM (every other byte NUL)", Encoded(new UnicodeEncoding(false, false), false), All(Invalid));
        yield return S("bom-utf16le-alone", "Only a UTF-16 LE BOM", Each([0xFF, 0xFE], [0xFF, 0xFE], [0xFF, 0xFE]), All(Invalid));
        yield return S("bom-utf8-alone", "Only a UTF-8 BOM", Each([0xEF, 0xBB, 0xBF], [0xEF, 0xBB, 0xBF], [0xEF, 0xBB, 0xBF]), Invalid, Invalid, Valid);

        // Line ends.
        yield return S("line-ends-crlf", "Every line ending in CR LF", Transformed(text => text.Replace("\n", "\r\n")), All(Valid));
        yield return S("line-ends-cr", "Every line ending in a lone CR (old Mac)", Transformed(text => text.Replace("\n", "\r")), All(Valid));
        yield return S("line-ends-mixed", "LF, CR LF and CR mixed line by line", Transformed(MixLineEnds), All(Valid));
        yield return S("line-ends-none-at-end", "No line break after the last line", Transformed(text => text.TrimEnd('\n')), All(Valid));
        yield return S("line-ends-cr-in-quoted", "A raw CR inside a quoted value (a line break, folded to a space)", Yaml(text: "\"a\r    b\""), All(Valid));
        // YAML 1.2 reads U+2028 as content; the reader breaks the line there, as YAML 1.1 did, so
        // the rest of the value lands at column 0, where no key is expected. Refused, not misread.
        yield return S("line-separator-in-value", "U+2028 LINE SEPARATOR inside a plain value", Yaml(text: "a\u2028b"), All(Invalid));
        yield return S("next-line-escape", "U+0085 NEXT LINE written as the escape \\N", Yaml(text: "\"a\\Nb\""), All(Valid));

        // Flow and block styles mixed.
        yield return S("flow-item", "The main mapping written in flow style",
            Each(
                "- {dataset: {id: corpus/percent, task_id: main}, value: 0.5, notes: shapes}\n",
                "{name: Shapes benchmark, description: shapes, evaluation_framework: math-arena, tasks: [{id: main}], leaderboard: {main: {range: [0.5, 1000]}}}\n",
                "---\n{license: shapes, model-index: [{name: corpus-model, results: [{dataset: {type: corpus/fraction}, metrics: [{type: acc, value: 0.5}]}]}]}\n---\n# Shapes\n"),
            All(Valid));
        yield return S("flow-json", "The document as strict JSON (YAML 1.2 is a superset)",
            Each(
                "[{\"dataset\": {\"id\": \"corpus/percent\", \"task_id\": \"main\"}, \"value\": 0.5}]\n",
                "{\"name\": \"Shapes benchmark\", \"description\": \"shapes\", \"evaluation_framework\": \"math-arena\", \"tasks\": [{\"id\": \"main\"}]}\n",
                "---\n{\"model-index\": [{\"name\": \"corpus-model\", \"results\": [{\"dataset\": {\"type\": \"corpus/fraction\"}, \"metrics\": [{\"type\": \"acc\", \"value\": 0.5}]}]}]}\n---\n"),
            All(Valid));
        yield return S("flow-multiline", "A flow mapping spread over several lines", Extra("extra: {a: 1,\n  b: [x,\n    y],\n  c: 3}"), All(Valid));
        yield return S("flow-trailing-comma", "A trailing comma in a flow list", Extra("extra: [a, b,]"), All(Valid));
        yield return S("flow-empty-key", "A flow mapping entry with an empty key", Extra("extra: {: v}"), All(Valid));
        yield return S("flow-block-inside", "A block list inside a flow mapping", Extra("extra: {a:\n  - b}"), All(Invalid));
        yield return S("flow-missing-comma", "Two flow entries without a comma between them", Extra("extra: {a: 1 b: 2}"), All(Invalid));
        yield return S("flow-unclosed", "An unclosed flow list", Extra("extra: [a, b"), All(Invalid));
        yield return S("flow-extra-closing", "A flow list closed twice", Extra("extra: [a]]"), All(Invalid));
        yield return S("flow-continuation-at-column-0", "A flow list continued at column 0, left of its key's block", Extra("extra: [a,\nb]"),
            // A result item's keys sit at column 2, so column 0 ends its block; the benchmark's and
            // the card's keys sit at column 0, where YAML asks flow lines to be indented.
            All(Invalid));
        yield return S("explicit-key", "An explicit '? ' key with its ': ' value", Extra("? extra\n: value"), All(Valid));
        yield return S("explicit-key-multiline", "An explicit key written as a block literal", Extra("? |\n  extra\n  key\n: value"), All(Valid));
        yield return S("block-literal-keep", "A literal block scalar keeping its trailing lines (|+)", Extra("extra: |+\n  a\n\n"), All(Valid));
        yield return S("block-folded-strip-indent", "A folded block scalar with strip and indentation indicators (>-2)", Extra("extra: >-2\n   indented\n  a\n  b"), All(Valid));
        yield return S("block-literal-under-indented", "A literal block scalar whose later line is indented less than its first",
            Extra("extra: |\n    a\n   b"), All(Invalid));

        // Documents: one per file. A README's front matter ends at its first '---' or '...' line,
        // so there the rest is the Markdown body.
        yield return S("doc-start-explicit", "An explicit '---' before the only document",
            carrier => Utf8(carrier == Carrier.Card ? "---\n---\n" + Skeleton(carrier)[4..] : "---\n" + Skeleton(carrier)), All(Valid));
        yield return S("doc-end-explicit", "An explicit '...' ending the only document (in a README, closing the front matter)",
            carrier => Utf8(carrier == Carrier.Card ? Skeleton(carrier).Replace("\n---\n# Shapes", "\n...\n# Shapes") : Skeleton(carrier) + "...\n"), All(Valid));
        yield return S("doc-end-then-comment", "'...' then only a comment", carrier => Utf8(Skeleton(carrier) + "...\n# trailing\n"), All(Valid));
        yield return S("doc-two", "Two documents", carrier => Utf8(Skeleton(carrier).TrimEnd('\n') + "\n---\n" + Skeleton(carrier)), Invalid, Invalid, Valid);
        yield return S("doc-end-then-second", "'...' then a second document", carrier => Utf8(Skeleton(carrier) + "...\n---\nmore: 1\n"), Invalid, Invalid, Valid);
        yield return S("doc-end-then-bare-content", "'...' then content without '---' (a second, bare document)", carrier => Utf8(Skeleton(carrier) + "...\nmore: 1\n"), Invalid, Invalid, Valid);
        yield return S("doc-markers-only", "Only '---' and '...'", Each("---\n...\n", "---\n...\n", "---\n...\n"), Invalid, Invalid, Valid);
        yield return S("doc-second-empty", "A trailing '---' opening an empty second document", carrier => Utf8(Skeleton(carrier) + "---\n"), Invalid, Invalid, Valid);

        // Sizes of scalars and keys.
        yield return S("scalar-65536", "A value of 65,536 characters: exactly the limit", Yaml(text: new string('x', 65_536)),
            // A result's notes have a limit of their own (2,000 characters).
            new Outcome("invalid", "notes", 0), Valid, Valid);
        yield return S("scalar-65537", "A value of 65,537 characters: one over the limit", Yaml(text: new string('x', 65_537)), All(Invalid));
        yield return S("scalar-escapes-2100", "A double-quoted value of 2,100 escapes (\\x41)", Yaml(text: "\"" + string.Concat(Enumerable.Repeat("\\x41", 2_100)) + "\""),
            new Outcome("invalid", "notes", 0), Valid, Valid);
        yield return S("key-1024", "An implicit key of 1,024 characters: YAML's limit for implicit keys", Extra(new string('k', 1024) + ": value"), All(Valid));
        yield return S("key-1025", "An implicit key of 1,025 characters: one over YAML's limit", Extra(new string('k', 1025) + ": value"), All(Invalid));
        yield return S("key-explicit-5000", "An explicit ('? ') key of 5,000 characters (explicit keys have no length limit)", Extra($"? {new string('k', 5000)}\n: value"), All(Valid));
        yield return S("keys-1100-unknown", "1,100 unknown keys in one mapping (more warnings than are listed)",
            Extra(string.Join("\n", Enumerable.Range(0, 1100).Select(i => $"u{i}: {i}"))), All(Valid));

        // Nesting.
        yield return S("nest-at-limit-flow", "Flow lists nested to exactly 32 levels in all", Extra(carrier => FlowNest(LevelsLeft(carrier))), All(Valid));
        yield return S("nest-over-limit-flow", "Flow lists nested to 33 levels in all", Extra(carrier => FlowNest(LevelsLeft(carrier) + 1)), All(Invalid));
        yield return S("nest-at-limit-block", "Block mappings nested to exactly 32 levels in all", Extra(carrier => BlockNest(LevelsLeft(carrier))), All(Valid));
        yield return S("nest-over-limit-block", "Block mappings nested to 33 levels in all", Extra(carrier => BlockNest(LevelsLeft(carrier) + 1)), All(Invalid));
        yield return S("nest-1000-flow-maps", "1,000 nested flow mappings", Extra("extra: " + string.Concat(Enumerable.Repeat("{a: ", 1000)) + "1" + new string('}', 1000)), All(Invalid));
        yield return S("nest-5000-unclosed", "5,000 unclosed '[' (stops at the depth limit, not at the syntax error)", Extra("extra: " + new string('[', 5000)), All(Invalid));
        yield return S("nest-2000-block-seq", "2,000 nested block lists on one line", Extra("extra:\n  " + string.Concat(Enumerable.Repeat("- ", 2000)) + "x"), All(Invalid));

        // Invalid UTF-8.
        yield return S("utf8-bad-continuation", "Invalid UTF-8: C3 28", RawInText(0xC3, 0x28), All(Invalid));
        yield return S("utf8-lone-continuation", "Invalid UTF-8: a lone continuation byte 80", RawInText(0x80), All(Invalid));
        yield return S("utf8-overlong-slash", "Overlong UTF-8 for '/': C0 AF", RawInText(0xC0, 0xAF), All(Invalid));
        yield return S("utf8-overlong-nul", "Overlong UTF-8 for NUL: C0 80 (Java's modified UTF-8)", RawInText(0xC0, 0x80), All(Invalid));
        yield return S("utf8-encoded-surrogate", "A surrogate encoded in UTF-8: ED A0 80", RawInText(0xED, 0xA0, 0x80), All(Invalid));
        yield return S("utf8-cesu-pair", "A surrogate pair encoded as two UTF-8 sequences (CESU-8)", RawInText(0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80), All(Invalid));
        yield return S("utf8-beyond-unicode", "U+110000 encoded in four bytes: F4 90 80 80", RawInText(0xF4, 0x90, 0x80, 0x80), All(Invalid));
        yield return S("utf8-five-bytes", "An obsolete five-byte sequence: F8 88 80 80 80", RawInText(0xF8, 0x88, 0x80, 0x80, 0x80), All(Invalid));
        yield return S("utf8-ff", "The byte FF, never valid in UTF-8", RawInText(0xFF), All(Invalid));
        yield return S("utf8-latin1", "Latin-1 text: caf E9", RawInText(0x63, 0x61, 0x66, 0xE9), All(Invalid));
        yield return S("utf8-truncated-at-end", "The file ends inside a three-byte sequence: E2 82", Suffixed([0xE2, 0x82]), All(Invalid));
        yield return S("utf8-in-comment", "Invalid UTF-8 inside a comment", Suffixed([.. Utf8("# a comment "), 0xC3, 0x28, (byte)'\n']), All(Invalid));

        // NUL and other control characters, raw or written as escapes (an escape must not be a way in).
        yield return S("nul-raw", "A raw NUL inside a value", RawInText(0x00), All(Invalid));
        yield return S("nul-at-end", "A NUL as the last byte of the file (in a README, in its Markdown body)", Suffixed([0x00]), All(Invalid));
        yield return S("nul-escape-0", "NUL written as the escape \\0", Yaml(text: "\"a\\0b\""), All(Invalid));
        yield return S("nul-escape-x00", "NUL written as the escape \\x00", Yaml(text: "\"a\\x00b\""), All(Invalid));
        yield return S("nul-escape-u0000", "NUL written as the escape \\u0000", Yaml(text: "\"a\\u0000b\""), All(Invalid));
        yield return S("nul-escape-in-key", "NUL written as an escape inside a key", Extra("\"ex\\0tra\": 1"), All(Invalid));
        yield return S("control-escape-bell", "BEL written as the escape \\a", Yaml(text: "\"a\\ab\""), All(Invalid));
        yield return S("control-escape-ansi", "An ANSI colour sequence written with the escape \\e", Yaml(text: "\"\\e[31mred\\e[0m\""), All(Invalid));
        yield return S("control-escape-del", "DEL written as the escape \\x7f", Yaml(text: "\"a\\x7fb\""), All(Invalid));
        yield return S("control-escape-c1", "The C1 control U+009B written as the escape \\x9b", Yaml(text: "\"a\\x9bb\""), All(Invalid));
        yield return S("control-raw-vertical-tab", "A raw vertical tab (U+000B)", RawInText(0x0B), All(Invalid));
        yield return S("control-raw-form-feed", "A raw form feed (U+000C)", RawInText(0x0C), All(Invalid));
        yield return S("control-raw-escape", "A raw ESC (U+001B)", RawInText(0x1B), All(Invalid));
        yield return S("control-raw-c1", "A raw C1 control U+0090", RawInText(0xC2, 0x90), All(Invalid));
        yield return S("noncharacter-escape-fffe", "The noncharacter U+FFFE written as the escape \\uFFFE", Yaml(text: "\"a\\uFFFEb\""), All(Invalid));
        yield return S("noncharacter-raw-ffff", "The noncharacter U+FFFF raw", RawInText(0xEF, 0xBF, 0xBF), All(Invalid));

        // Surrogates written as escapes: a pair is one character, half a pair is nothing.
        yield return S("surrogate-escape-lone-high", "A lone high surrogate escape \\uD800", Yaml(text: "\"a\\uD800b\""), All(Invalid));
        yield return S("surrogate-escape-lone-low", "A lone low surrogate escape \\uDC00", Yaml(text: "\"a\\uDC00b\""), All(Invalid));
        yield return S("surrogate-escape-reversed", "A surrogate pair in the wrong order", Yaml(text: "\"\\uDE00\\uD83D\""), All(Invalid));
        yield return S("surrogate-escape-pair", "A surrogate pair written as two escapes (one emoji)", Yaml(text: "\"a\\uD83D\\uDE00b\""), All(Valid));
        yield return S("astral-escape-32-bit", "An emoji written as the escape \\U0001F600", Yaml(text: "\"\\U0001F600\""), All(Valid));
        yield return S("astral-raw", "An emoji and combining marks, raw", Yaml(text: "\"\U0001F600 e\u0301 \u202Eevil\u202C\""), All(Valid));
        yield return S("escape-beyond-unicode", "The escape \\U00110000, beyond Unicode", Yaml(text: "\"\\U00110000\""), All(Invalid));

        // Duplicate keys, as YAML sees them (after quoting and escapes).
        yield return S("dup-key-plain", "The same extra key twice", Extra("extra: 1\nextra: 2"), All(Invalid));
        yield return S("dup-key-quoted", "A key plain and the same key quoted", Extra("extra: 1\n\"extra\": 2"), All(Invalid));
        yield return S("dup-key-escaped", "A key plain and the same key spelled with an escape", Extra("extra: 1\n\"\\x65xtra\": 2"), All(Invalid));
        yield return S("dup-key-nested", "A duplicate key inside a nested mapping", Extra("extra:\n  a: 1\n  a: 2"), All(Invalid));
        yield return S("dup-key-flow", "A duplicate key in a flow mapping", Extra("extra: {a: 1, a: 2}"), All(Invalid));
        yield return S("dup-key-empty", "Two empty keys in one mapping", Extra("extra: {: 1, : 2}"), All(Invalid));
        yield return S("dup-key-after-100", "100 distinct keys, then the first again", Extra(string.Join("\n", Enumerable.Range(0, 100).Select(i => $"k{i}: {i}")) + "\nk0: again"), All(Invalid));
        yield return S("dup-key-other-case", "Keys that differ only in case: two keys", Extra("extra: 1\nExtra: 2"), All(Valid));
        yield return S("dup-key-other-normalisation", "'café' composed and decomposed: two keys to YAML", Extra("caf\u00E9: 1\ncafe\u0301: 2"), All(Valid));
        yield return S("dup-key-required-field", "A required field given twice",
            Each(
                "- dataset:\n    id: corpus/percent\n    task_id: main\n  value: 0.5\n  value: 0.6\n",
                Encoding.UTF8.GetString(Yaml()(Carrier.Benchmark)).Replace("name: Shapes benchmark\n", "name: Shapes benchmark\nname: Other\n"),
                Skeleton(Carrier.Card).Replace("      value: 0.5\n", "      value: 0.5\n      value: 0.6\n")),
            All(Invalid));

        // Numbers in odd forms, in each carrier's number slot. YAML 1.2's core schema decides what is
        // a number; the rules then want a finite, plain decimal.
        yield return S("num-inf", ".inf", Yaml(value: ".inf"), BadValue);
        yield return S("num-neg-inf", "-.inf", Yaml(value: "-.inf"), BadValue);
        yield return S("num-nan", ".nan", Yaml(value: ".nan"), BadValue);
        yield return S("num-nan-word", "The word NaN", Yaml(value: "NaN"), BadValue);
        yield return S("num-infinity-word", "The word Infinity", Yaml(value: "Infinity"), BadValue);
        yield return S("num-1e999", "1e999, past a double's range", Yaml(value: "1e999"), BadValue);
        yield return S("num-neg-1e999", "-1e999, past a double's range", Yaml(value: "-1e999"), BadValue);
        yield return S("num-400-digits", "A 400-digit integer, past a double's range", Yaml(value: "1" + new string('0', 399)), BadValue);
        yield return S("num-hex", "Hexadecimal 0x1F", Yaml(value: "0x1F"), BadValue);
        yield return S("num-octal-0o", "YAML 1.2 octal 0o17", Yaml(value: "0o17"), BadValue);
        yield return S("num-binary", "0b101: a string in YAML 1.2", Yaml(value: "0b101"), BadValue);
        yield return S("num-underscores", "1_000: a string in YAML 1.2", Yaml(value: "1_000"), BadValue);
        yield return S("num-decimal-comma", "0,5: a string", Yaml(value: "0,5"), BadValue);
        yield return S("num-sexagesimal", "1:30, a YAML 1.1 base-60 number: a string in 1.2", Yaml(value: "1:30"), BadValue);
        yield return S("num-hex-float", "0x1p-1, a C hexadecimal float: a string", Yaml(value: "0x1p-1"), BadValue);
        yield return S("num-fullwidth-digits", "Fullwidth digits: a string", Yaml(value: "\uFF10.\uFF15"), BadValue);
        yield return S("num-comment-glued", "0.5#note: no space before '#', so one string", Yaml(value: "0.5#note"), BadValue);
        yield return S("num-quoted", "A double-quoted number: a string", Yaml(value: "\"0.5\""), BadValue);
        yield return S("num-yes", "yes: a YAML 1.1 boolean, a string in 1.2", Yaml(value: "yes"), BadValue);
        yield return S("num-null", "~: null", Yaml(value: "~"), BadValue);
        yield return S("num-octal-leading-zero", "017: decimal 17 in YAML 1.2, not octal 15", Yaml(value: "017"),
            Valid, Valid, BadValue[2]);
        yield return S("num-neg-zero", "-0", Yaml(value: "-0"), All(Valid));
        yield return S("num-pos-zero", "+0", Yaml(value: "+0"), All(Valid));
        yield return S("num-neg-zero-float", "-0.0", Yaml(value: "-0.0"), All(Valid));
        yield return S("num-leading-dot", ".5", Yaml(value: ".5"), All(Valid));
        yield return S("num-trailing-dot", "0. (a trailing point)", Yaml(value: "0."), All(Valid));
        yield return S("num-plus-sign", "+0.5", Yaml(value: "+0.5"), All(Valid));
        yield return S("num-exponent-upper", "5E-1", Yaml(value: "5E-1"), All(Valid));
        yield return S("num-exponent-plus", "0.05e+1", Yaml(value: "0.05e+1"), All(Valid));
        yield return S("num-tiny-exponent", "1e-20000: zero as a double, but no database numeric holds it as written", Yaml(value: "1e-20000"), All(Valid));
        yield return S("num-zero-huge-exponent", "0e-99999", Yaml(value: "0e-99999"), All(Valid));
        yield return S("num-20000-decimals", "Zero point 19,999 zeros and a one", Yaml(value: "0." + new string('0', 19_999) + "1"), All(Valid));
        yield return S("num-tiny-in-extra", "1e-20000 in an extra key, echoed back with the data", Extra("extra: [1e-20000, -1e-400, 0e999]"), All(Valid));

        // Dates: checked where a result has one; elsewhere they are only text.
        yield return S("date-iso-date", "An ISO date", Extra("date: \"2026-03-19\""), All(Valid));
        yield return S("date-plain-timestamp", "An unquoted YAML timestamp (a string in YAML 1.2)", Extra("date: 2026-03-19T10:15:00Z"), All(Valid));
        yield return S("date-offset", "A date-time with an offset and a fraction", Extra("date: 2026-03-19T10:15:00.123456789+05:30"), All(Valid));
        yield return S("date-leap-day", "29 February of a leap year", Extra("date: 2024-02-29"), All(Valid));
        yield return S("date-feb-30", "30 February", Extra("date: 2026-02-30"), new Outcome("invalid", "date", 0), Valid, Valid);
        yield return S("date-year-zero", "Year 0000", Extra("date: 0000-01-01"), new Outcome("invalid", "date", 0), Valid, Valid);
        yield return S("date-year-10000", "Year 10000", Extra("date: 10000-01-01"), new Outcome("invalid", "date", 0), Valid, Valid);
        yield return S("date-leap-second", "A leap second, 23:59:60", Extra("date: 2016-12-31T23:59:60Z"), new Outcome("invalid", "date", 0), Valid, Valid);
        yield return S("date-space-separator", "A space instead of 'T' (YAML 1.1's timestamp form)", Extra("date: 2026-03-19 10:15:00"), new Outcome("invalid", "date", 0), Valid, Valid);
        yield return S("date-fraction-12-digits", "Twelve digits of fraction", Extra("date: 2026-03-19T10:15:00.123456789012Z"), new Outcome("invalid", "date", 0), Valid, Valid);
        yield return S("date-as-number", "A date written as a number, 20260319", Extra("date: 20260319"), new Outcome("invalid", "date", 0), Valid, Valid);

        // Empty and comment-only files; a README without front matter is valid and records nothing.
        yield return S("empty", "An empty file", Each("", "", ""), Invalid, Invalid, Valid);
        yield return S("only-newlines", "Only line breaks", Each("\n\n\n", "\r\n\r\n", "\r\r"), Invalid, Invalid, Valid);
        yield return S("only-spaces-and-tabs", "Only spaces and tabs", Each("  \t  \n\t\n", "  \t  \n\t\n", "  \t  \n\t\n"), Invalid, Invalid, Valid);
        yield return S("only-comment", "Only a comment",
            Each("# nothing here\n", "# nothing here\n", "---\n# nothing here\n---\n# Shapes\n"), Invalid, Invalid, Valid);
        yield return S("only-null", "Only '~' (null; an empty front matter)", Each("~\n", "~\n", "---\n~\n---\n"), Invalid, Invalid, Valid);
        yield return S("front-matter-unclosed", "A first line '---' (in a README, front matter never closed; elsewhere an explicit document start)",
            carrier => Utf8("---\n" + Skeleton(carrier).Replace("---\n", "")), Valid, Valid, Invalid);

        // Directives.
        // A README's front matter cannot hold a directive's own '---': there the directive is
        // followed by content without a document start, which YAML refuses.
        yield return S("directive-yaml-1-1", "A %YAML 1.1 directive (1.1's extra booleans still do not apply)",
            carrier => Utf8(carrier == Carrier.Card ? "---\n%YAML 1.1\n" + Skeleton(carrier)[4..] : "%YAML 1.1\n---\n" + Skeleton(carrier)),
            Valid, Valid, Invalid);
        yield return S("directive-yaml-2-0", "A %YAML 2.0 directive: an unknown major version",
            carrier => Utf8(carrier == Carrier.Card ? "---\n%YAML 2.0\n" + Skeleton(carrier)[4..] : "%YAML 2.0\n---\n" + Skeleton(carrier)),
            All(Invalid));
        yield return S("directive-twice", "%YAML given twice", carrier => Utf8("%YAML 1.2\n%YAML 1.2\n---\n" + Skeleton(carrier)), Invalid, Invalid, Valid);
    }

    private static string MixLineEnds(string text)
    {
        var lines = text.Split('\n');
        var ends = new[] { "\n", "\r\n", "\r" };
        return string.Concat(lines.Select((line, i) => i == lines.Length - 1 ? line : line + ends[i % 3]));
    }
}
