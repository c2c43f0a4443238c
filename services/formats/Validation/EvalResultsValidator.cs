using CommunityEvals.Formats.Yaml;

namespace CommunityEvals.Formats.Validation;

// FORMATS.md section 2: a YAML list of results, each checked against the registered benchmark.
internal static class EvalResultsValidator
{
    public static IReadOnlyList<ResultItem> Validate(YNode? root, IBenchmarkCatalog catalog, IssueCollector issues, FormatLimits limits)
    {
        var items = new List<ResultItem>();
        switch (root)
        {
            case null:
                issues.Error(null, null, null, "The file is empty; expected a YAML list of results (items starting with '- ').");
                return items;
            case not YSequence:
                issues.Error(null, root, null, $"The file must be a YAML list of results (items starting with '- '), found {root.KindName}.");
                return items;
        }
        var list = (YSequence)root;
        if (list.Items.Count > limits.MaxItemsPerFile)
        {
            issues.Error(null, root, null, $"The file has {list.Items.Count:N0} items; the limit is {limits.MaxItemsPerFile:N0}.");
            return items;
        }
        if (list.Items.Count == 0)
        {
            issues.Warning(null, root, null, "The list is empty: the file records no results.");
        }
        for (var i = 0; i < list.Items.Count; i++)
        {
            var result = ValidateItem(i, list.Items[i], catalog, issues, limits);
            if (result is not null)
            {
                items.Add(result);
            }
        }
        return items;
    }

    private static ResultItem? ValidateItem(int index, YNode node, IBenchmarkCatalog catalog, IssueCollector issues, FormatLimits limits)
    {
        if (node is not YMapping map)
        {
            var found = node is YScalar s && YamlScalars.IsNull(s) ? "an empty item" : node.KindName;
            issues.Error(index, node, null, $"Each result must be a mapping with dataset and value, found {found}.");
            return null;
        }
        var errorsBefore = issues.ErrorCount;
        var fields = new FieldReader(issues, index, map, "");
        var unknown = new List<string>();

        string? datasetId = null, taskId = null, revision = null;
        BenchmarkTask? task = null;
        var dataset = fields.Mapping("dataset", required: true, "a mapping with id and task_id");
        if (dataset is not null)
        {
            var ds = new FieldReader(issues, index, dataset, "dataset");
            (datasetId, var idNode) = ds.String("id", required: true);
            (taskId, var taskNode) = ds.String("task_id", required: true);
            (revision, _) = ds.String("revision", required: false);
            unknown.AddRange(ds.WarnUnknown("dataset"));
            task = ResolveTask(catalog, issues, index, datasetId, idNode, taskId, taskNode);
        }

        var value = ResultRules.Value(fields, "value", task, datasetId);
        var (verifyToken, _) = fields.String("verifyToken", required: false);
        var (date, dateNode) = fields.String("date", required: false);
        if (date is not null && !ResultRules.IsIsoDate(date))
        {
            issues.Error(index, dateNode, "date", $"'date' must be an ISO-8601 date or date-time (e.g. 2026-03-19 or 2026-03-19T10:15:00Z), found '{FieldReader.Shorten(date)}'.");
        }
        var source = ReadSource(fields, unknown);
        var (notes, notesNode) = fields.String("notes", required: false, nonEmpty: false);
        if (notes is not null && notes.Length > limits.MaxNotesLength)
        {
            issues.Error(index, notesNode, "notes", $"'notes' has {notes.Length:N0} characters; the limit is {limits.MaxNotesLength:N0}.");
        }
        unknown.InsertRange(0, fields.WarnUnknown("a result"));

        if (issues.ErrorCount > errorsBefore || value is null || datasetId is null || taskId is null)
        {
            return null;
        }
        return new ResultItem(index, map.Line, map.Column, datasetId, taskId, revision, value.Value.Value, value.Value.Text,
            verifyToken, date, source, notes, fields.ToJson(), unknown);
    }

    internal static BenchmarkTask? ResolveTask(IBenchmarkCatalog catalog, IssueCollector issues, int? item,
        string? datasetId, YNode? idNode, string? taskId, YNode? taskNode,
        string idField = "dataset.id", string taskField = "dataset.task_id")
    {
        if (datasetId is null)
        {
            return null;
        }
        var benchmark = catalog.Find(datasetId);
        if (benchmark is null)
        {
            issues.Error(item, idNode, idField, $"'{FieldReader.Shorten(datasetId)}' is not a registered benchmark; a dataset becomes one when an eval.yaml is committed to its main.");
            return null;
        }
        if (taskId is null)
        {
            return null;
        }
        var task = benchmark.FindTask(taskId);
        if (task is null)
        {
            issues.Error(item, taskNode, taskField,
                $"'{FieldReader.Shorten(taskId)}' is not a task of benchmark '{datasetId}'; valid task ids: {string.Join(", ", benchmark.Tasks.Select(t => t.Id))}.");
        }
        return task;
    }

    internal static ResultSource? ReadSource(FieldReader parent, List<string> unknown)
    {
        var map = parent.Mapping("source", required: false, "a mapping with url (and optionally name, user, org)");
        if (map is null)
        {
            return null;
        }
        var issues = parent.Issues;
        var fields = new FieldReader(issues, parent.Item, map, parent.Path("source"));
        var (url, urlNode) = fields.String("url", required: true);
        if (url is not null && !ResultRules.IsWebUrl(url))
        {
            issues.Error(parent.Item, urlNode, fields.Path("url"), $"'{fields.Path("url")}' must be an absolute http or https URL, found '{FieldReader.Shorten(url)}'.");
            url = null;
        }
        var (name, _) = fields.String("name", required: false);
        var (user, _) = fields.String("user", required: false);
        var (org, _) = fields.String("org", required: false);
        unknown.AddRange(fields.WarnUnknown("source"));
        return url is null ? null : new ResultSource(url, name, user, org);
    }
}
