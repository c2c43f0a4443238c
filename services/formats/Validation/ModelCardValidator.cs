using System.Text.Json.Nodes;
using CommunityEvals.Formats.Yaml;

namespace CommunityEvals.Formats.Validation;

// FORMATS.md section 3: base_model and the legacy model-index of a README's front matter. Model
// cards carry much else, so only what we use is checked; entries we cannot map onto a registered
// benchmark task become warnings, while metrics that do map are held to the results rules.
internal static class ModelCardValidator
{
    /// <summary>Splits <c>---</c> front matter off a README; null text when there is none.</summary>
    // Lines end as YAML's do (LF, CRLF or a lone CR), as the Hub's own front matter pattern reads
    // them: a card saved with old Mac line ends still has its front matter.
    public static (string? FrontMatter, int LineOffset, FormatIssue? Error) Split(string file, string text)
    {
        var (firstLine, start) = LineAt(text, 0);
        if (firstLine.TrimEnd() is not "---")
        {
            return (null, 0, null);
        }
        var lineStart = start;
        while (lineStart < text.Length)
        {
            var (line, next) = LineAt(text, lineStart);
            if (line.TrimEnd() is "---" or "...")
            {
                return (text[start..lineStart], 1, null);
            }
            lineStart = next;
        }
        return (null, 0, new FormatIssue(file, null, 1, 1, null, "The front matter opened on line 1 is never closed by a '---' line."));
    }

    // The line starting at start, without its break, and where the next line starts.
    private static (string Line, int Next) LineAt(string text, int start)
    {
        var end = text.AsSpan(start).IndexOfAny('\r', '\n');
        if (end < 0)
        {
            return (text[start..], text.Length);
        }
        end += start;
        var next = text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n' ? end + 2 : end + 1;
        return (text[start..end], next);
    }

    public static ModelCard? Validate(YNode? root, IBenchmarkCatalog catalog, IssueCollector issues, FormatLimits limits)
    {
        // '~' or 'null' is the same empty front matter as none at all, as the Hub reads it.
        if (root is null || (root is YScalar scalar && YamlScalars.IsNull(scalar)))
        {
            return new ModelCard([], [], new JsonObject());
        }
        if (root is not YMapping map)
        {
            issues.Error(null, root, null, $"The README front matter must be a mapping, found {root.KindName}.");
            return null;
        }
        var fields = new FieldReader(issues, null, map, "");
        var baseModels = ReadBaseModels(fields);
        var results = new List<ResultItem>();
        var index = fields.Sequence("model-index", required: false, "a list of {name, results}");
        if (index is not null)
        {
            ReadModelIndex(index, catalog, issues, limits, results);
        }
        return new ModelCard(baseModels, results, JsonProjection.ToJsonObject(map));
    }

    private static List<string> ReadBaseModels(FieldReader fields)
    {
        var models = new List<string>();
        var node = fields.Node("base_model", required: false);
        var items = node switch
        {
            null => [],
            YSequence seq => seq.Items,
            _ => [node],
        };
        foreach (var item in items)
        {
            if (item is YScalar s && !YamlScalars.IsNull(s) && !YamlScalars.TryGetBool(s, out _) && !string.IsNullOrWhiteSpace(s.Value))
            {
                models.Add(s.Value.Trim());
            }
            else
            {
                fields.Issues.Error(null, item, "base_model", $"'base_model' must be a model id or a list of model ids, found {FieldReader.Describe(item)}.");
            }
        }
        return models;
    }

    private static void ReadModelIndex(YSequence index, IBenchmarkCatalog catalog, IssueCollector issues, FormatLimits limits, List<ResultItem> results)
    {
        var metricIndex = 0;
        for (var i = 0; i < index.Items.Count; i++)
        {
            var entryPath = $"model-index[{i}]";
            if (index.Items[i] is not YMapping entry)
            {
                issues.Warning(null, index.Items[i], entryPath, $"'{entryPath}' is not a mapping with results; ignored.");
                continue;
            }
            var entryResults = entry.Get("results");
            if (entryResults is not YSequence list)
            {
                issues.Warning(null, entryResults ?? entry, $"{entryPath}.results", $"'{entryPath}' has no list of results; ignored.");
                continue;
            }
            for (var j = 0; j < list.Items.Count; j++)
            {
                var path = $"{entryPath}.results[{j}]";
                var metrics = (list.Items[j] as YMapping)?.Get("metrics") as YSequence;
                var first = metricIndex;
                metricIndex += metrics?.Items.Count ?? 0;
                if (metricIndex > limits.MaxItemsPerFile)
                {
                    issues.Error(null, list.Items[j], path, $"The model-index has more than {limits.MaxItemsPerFile:N0} metrics.");
                    return;
                }
                if (list.Items[j] is not YMapping result || metrics is null)
                {
                    issues.Warning(null, list.Items[j], path, $"'{path}' is not a mapping with a list of metrics; ignored.");
                    continue;
                }
                ReadResult(result, metrics, path, first, catalog, issues, results);
            }
        }
    }

    private static void ReadResult(YMapping result, YSequence metrics, string path, int firstIndex,
        IBenchmarkCatalog catalog, IssueCollector issues, List<ResultItem> results)
    {
        var count = metrics.Items.Count;
        var dataset = result.Get("dataset") as YMapping;
        var type = dataset?.Get("type") is YScalar t && !YamlScalars.IsNull(t) ? t.Value : null;
        if (dataset is null || type is null)
        {
            issues.Warning(null, result, $"{path}.dataset.type", $"'{path}' names no dataset.type; its {count} metric(s) were not imported.");
            return;
        }
        var benchmark = catalog.Find(type);
        if (benchmark is null)
        {
            issues.Warning(null, dataset, $"{path}.dataset.type", $"'{FieldReader.Shorten(type)}' is not a registered benchmark; its {count} metric(s) were not imported.");
            return;
        }
        var config = ScalarText(dataset.Get("config"));
        var split = ScalarText(dataset.Get("split"));
        var candidates = benchmark.Tasks
            .Where(task => (config is null || task.Config == config) && (split is null || task.Split == split))
            .ToList();
        if (candidates.Count != 1)
        {
            var why = candidates.Count == 0 ? "matches no task" : "matches several tasks";
            var tasks = string.Join(", ", benchmark.Tasks.Select(x => $"{x.Id} (config {x.Config}, split {x.Split})"));
            issues.Warning(null, dataset, $"{path}.dataset",
                $"'{path}' (config {config ?? "any"}, split {split ?? "any"}) {why} of '{type}': {tasks}; its {count} metric(s) were not imported.");
            return;
        }
        var task = candidates[0];
        var datasetFields = new FieldReader(issues, null, dataset, $"{path}.dataset");
        var (revision, _) = datasetFields.String("revision", required: false);
        var entryFields = new FieldReader(issues, null, result, path);
        var source = EvalResultsValidator.ReadSource(entryFields, []);
        var sourceJson = result.Get("source") is YMapping sourceMap ? JsonProjection.ToJsonObject(sourceMap) : null;

        for (var k = 0; k < count; k++)
        {
            var item = firstIndex + k;
            var metricPath = $"{path}.metrics[{k}]";
            if (metrics.Items[k] is not YMapping metric)
            {
                issues.Error(item, metrics.Items[k], metricPath, $"'{metricPath}' must be a mapping with type and value, found {metrics.Items[k].KindName}.");
                continue;
            }
            var errorsBefore = issues.ErrorCount;
            var fields = new FieldReader(issues, item, metric, metricPath);
            var value = ResultRules.Value(fields, "value", task, type);
            var (verifyToken, _) = fields.String("verifyToken", required: false);
            if (value is null || issues.ErrorCount > errorsBefore)
            {
                continue;
            }
            var data = new JsonObject
            {
                ["dataset"] = new JsonObject { ["id"] = type, ["task_id"] = task.Id },
                ["value"] = JsonProjection.NumberToJson(value.Value.Text),
            };
            if (revision is not null)
            {
                ((JsonObject)data["dataset"]!)["revision"] = revision;
            }
            if (verifyToken is not null)
            {
                data["verifyToken"] = verifyToken;
            }
            if (sourceJson is not null)
            {
                data["source"] = sourceJson.DeepClone();
            }
            results.Add(new ResultItem(item, metric.Line, metric.Column, type, task.Id, revision, value.Value.Value, value.Value.Text,
                verifyToken, null, source, null, data, []));
        }
    }

    private static string? ScalarText(YNode? node) =>
        node is YScalar s && !YamlScalars.IsNull(s) ? s.Value : null;
}
