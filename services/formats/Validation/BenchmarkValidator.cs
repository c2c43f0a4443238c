using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CommunityEvals.Formats.Yaml;

namespace CommunityEvals.Formats.Validation;

// FORMATS.md section 1: eval.yaml, plus our leaderboard: extension.
internal static partial class BenchmarkValidator
{
    private const string InspectAi = "inspect-ai";

    // Inspect's fixed sets, as named in FORMATS.md.
    private static readonly string[] SolverNames =
        ["prompt_template", "system_message", "user_message", "chain_of_thought", "use_tools", "generate", "self_critique", "multiple_choice"];

    private static readonly string[] ScorerNames =
        ["includes", "match", "pattern", "answer", "exact", "f1", "model_graded_qa", "model_graded_fact", "choice", "math"];

    public static BenchmarkDefinition? Validate(YNode? root, IReadOnlyList<string> frameworks, IssueCollector issues)
    {
        if (root is not YMapping map)
        {
            var found = root is null ? "an empty file" : root.KindName;
            issues.Error(null, root, null, $"eval.yaml must be a mapping with name, description, evaluation_framework and tasks, found {found}.");
            return null;
        }
        var fields = new FieldReader(issues, null, map, "");
        var (name, _) = fields.String("name", required: true);
        var (description, _) = fields.String("description", required: true);
        var (framework, frameworkNode) = fields.String("evaluation_framework", required: true);
        if (framework is not null && !frameworks.Contains(framework, StringComparer.Ordinal))
        {
            issues.Error(null, frameworkNode, "evaluation_framework",
                $"'evaluation_framework' '{FieldReader.Shorten(framework)}' is not supported; allowed values: {string.Join(", ", frameworks)}.");
            framework = null;
        }
        var isInspect = framework == InspectAi;

        var tasks = new List<BenchmarkTask>();
        var tasksNode = fields.Sequence("tasks", required: true, "a non-empty list of tasks");
        if (tasksNode is not null && tasksNode.Items.Count == 0)
        {
            issues.Error(null, tasksNode, "tasks", "'tasks' must not be empty: each task is a leaderboard.");
        }
        var firstIdAt = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; tasksNode is not null && i < tasksNode.Items.Count; i++)
        {
            var (task, id, idNode) = ReadTask(tasksNode.Items[i], i, isInspect, issues);
            if (id is null)
            {
                continue;
            }
            if (firstIdAt.TryGetValue(id, out var first))
            {
                issues.Error(null, idNode, $"tasks[{i}].id", $"Task id '{FieldReader.Shorten(id)}' is already used by tasks[{first}]; task ids must be unique.");
                continue;
            }
            firstIdAt[id] = i;
            if (task is not null)
            {
                tasks.Add(task);
            }
        }

        var leaderboards = ReadLeaderboard(fields, tasksNode is null ? null : firstIdAt.Keys, issues);
        var dimensions = ReadArena(fields, issues);
        fields.WarnUnknown("eval.yaml");

        if (name is null || description is null || framework is null || issues.ErrorCount > 0)
        {
            return null;
        }
        var withBoards = tasks.Select(t => leaderboards.TryGetValue(t.Id, out var lb) ? t with { Leaderboard = lb } : t).ToList();
        return new BenchmarkDefinition(name, description, framework, withBoards, fields.ToJson()) { ArenaDimensions = dimensions };
    }

    private static (BenchmarkTask? Task, string? Id, YNode? IdNode) ReadTask(YNode node, int index, bool isInspect, IssueCollector issues)
    {
        var prefix = $"tasks[{index}]";
        if (node is not YMapping map)
        {
            issues.Error(null, node, prefix, $"'{prefix}' must be a mapping with at least an id, found {node.KindName}.");
            return (null, null, null);
        }
        var errorsBefore = issues.ErrorCount;
        var fields = new FieldReader(issues, null, map, prefix);
        var (id, idNode) = fields.String("id", required: true);
        var (config, _) = fields.String("config", required: false);
        var (split, _) = fields.String("split", required: false);
        var fieldSpec = ReadFieldSpec(fields, isInspect);
        var solvers = ReadSteps(fields, "solvers", SolverNames, isInspect);
        var scorers = ReadSteps(fields, "scorers", ScorerNames, isInspect);
        var shuffle = fields.Bool("shuffle_choices");
        var epochs = fields.Integer("epochs", min: 1);
        var (reducer, reducerNode) = fields.String("epoch_reducer", required: false);
        if (reducer is not null && !EpochReducer().IsMatch(reducer))
        {
            issues.Error(null, reducerNode, fields.Path("epoch_reducer"),
                $"'{fields.Path("epoch_reducer")}' must be one of mean, median, mode, max, pass_at_N, at_least_N (N a positive whole number), found '{FieldReader.Shorten(reducer)}'.");
        }
        fields.WarnUnknown("a task");
        if (id is null || issues.ErrorCount > errorsBefore)
        {
            return (null, id, idNode);
        }
        return (new BenchmarkTask(id, config ?? "default", split ?? "test", fieldSpec, solvers, scorers, shuffle, epochs, reducer, LeaderboardSpec.Default), id, idNode);
    }

    private static JsonObject? ReadFieldSpec(FieldReader task, bool isInspect)
    {
        var map = task.Mapping("field_spec", required: isInspect, "a mapping of dataset fields (input, target, choices, ...)");
        if (map is null)
        {
            return null;
        }
        foreach (var (key, value) in map.Entries)
        {
            var path = $"{task.Path("field_spec")}.{key.Value}";
            var ok = value switch
            {
                YScalar s => !YamlScalars.IsNull(s) && !YamlScalars.TryGetBool(s, out _),
                YSequence seq => seq.Items.All(x => x is YScalar xs && !YamlScalars.IsNull(xs)),
                _ => false,
            };
            if (!ok)
            {
                task.Issues.Error(null, value, path, $"'{path}' must be a field name or a list of field names, found {FieldReader.Describe(value)}.");
            }
        }
        return JsonProjection.ToJsonObject(map);
    }

    private static IReadOnlyList<TaskStep> ReadSteps(FieldReader task, string key, string[] allowed, bool isInspect)
    {
        var steps = new List<TaskStep>();
        var list = task.Sequence(key, required: isInspect, "a list of {name, args}");
        if (list is null)
        {
            return steps;
        }
        if (isInspect && list.Items.Count == 0)
        {
            task.Issues.Error(null, list, task.Path(key), $"'{task.Path(key)}' must not be empty for inspect-ai.");
        }
        for (var i = 0; i < list.Items.Count; i++)
        {
            var path = $"{task.Path(key)}[{i}]";
            if (list.Items[i] is not YMapping map)
            {
                task.Issues.Error(null, list.Items[i], path, $"'{path}' must be a mapping with a name, found {list.Items[i].KindName}.");
                continue;
            }
            var fields = new FieldReader(task.Issues, null, map, path);
            var (name, nameNode) = fields.String("name", required: true);
            if (name is not null && !allowed.Contains(name, StringComparer.Ordinal))
            {
                task.Issues.Error(null, nameNode, fields.Path("name"),
                    $"'{fields.Path("name")}' '{FieldReader.Shorten(name)}' is not one of Inspect's {key}: {string.Join(", ", allowed)}.");
                name = null;
            }
            var args = fields.Mapping("args", required: false, "a mapping of arguments");
            fields.WarnUnknown(key == "solvers" ? "a solver" : "a scorer");
            if (name is not null)
            {
                steps.Add(new TaskStep(name, args is null ? null : JsonProjection.ToJsonObject(args)));
            }
        }
        return steps;
    }

    private static Dictionary<string, LeaderboardSpec> ReadLeaderboard(FieldReader root, IEnumerable<string>? taskIds, IssueCollector issues)
    {
        var specs = new Dictionary<string, LeaderboardSpec>(StringComparer.Ordinal);
        var map = root.Mapping("leaderboard", required: false, "a mapping from task id to {metric, higher_is_better, range, samples}");
        if (map is null)
        {
            return specs;
        }
        var ids = taskIds?.ToList();
        foreach (var (key, value) in map.Entries)
        {
            var path = $"leaderboard.{key.Value}";
            if (ids is not null && !ids.Contains(key.Value, StringComparer.Ordinal))
            {
                issues.Error(null, key, path, $"'{FieldReader.Shorten(key.Value)}' under 'leaderboard' is not a task id of this file; task ids: {string.Join(", ", ids)}.");
                continue;
            }
            if (value is YScalar s && YamlScalars.IsNull(s))
            {
                specs[key.Value] = LeaderboardSpec.Default;
                continue;
            }
            if (value is not YMapping entry)
            {
                issues.Error(null, value, path, $"'{path}' must be a mapping with metric, higher_is_better, range or samples, found {value.KindName}.");
                continue;
            }
            var errorsBefore = issues.ErrorCount;
            var fields = new FieldReader(issues, null, entry, path);
            var (metric, _) = fields.String("metric", required: false);
            var higher = fields.Bool("higher_is_better");
            var range = ReadRange(fields);
            var samples = fields.Integer("samples", min: 1);
            fields.WarnUnknown("a leaderboard entry");
            if (issues.ErrorCount == errorsBefore)
            {
                specs[key.Value] = new LeaderboardSpec(metric, higher ?? true, range, samples);
            }
        }
        return specs;
    }

    // ARENA.md "Dimensions": what arena voters judge; without the section, one dimension, overall.
    private static IReadOnlyList<ArenaDimension> ReadArena(FieldReader root, IssueCollector issues)
    {
        var map = root.Mapping("arena", required: false, "a mapping with dimensions");
        if (map is null)
        {
            return ArenaDimension.Defaults;
        }
        var fields = new FieldReader(issues, null, map, "arena");
        var list = fields.Sequence("dimensions", required: true, "a non-empty list of {id, name, description}");
        fields.WarnUnknown("the arena section");
        if (list is null)
        {
            return ArenaDimension.Defaults;
        }
        if (list.Items.Count == 0)
        {
            issues.Error(null, list, "arena.dimensions", "'arena.dimensions' must not be empty: leave the arena section out for the one dimension 'overall'.");
            return ArenaDimension.Defaults;
        }
        var dimensions = new List<ArenaDimension>();
        var firstIdAt = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < list.Items.Count; i++)
        {
            var path = $"arena.dimensions[{i}]";
            if (list.Items[i] is not YMapping entry)
            {
                issues.Error(null, list.Items[i], path, $"'{path}' must be a mapping with id, name and description, found {list.Items[i].KindName}.");
                continue;
            }
            var dimension = new FieldReader(issues, null, entry, path);
            var (id, idNode) = dimension.String("id", required: true);
            var (name, _) = dimension.String("name", required: false);
            var (description, _) = dimension.String("description", required: false);
            dimension.WarnUnknown("an arena dimension");
            if (id is null)
            {
                continue;
            }
            if (!DimensionId().IsMatch(id))
            {
                issues.Error(null, idNode, $"{path}.id",
                    $"'{path}.id' must be lower-case letters, digits, '_' or '-', starting with a letter or digit, at most 64 characters (^[a-z0-9][a-z0-9_-]{{0,63}}$), found '{FieldReader.Shorten(id)}'.");
                continue;
            }
            if (firstIdAt.TryGetValue(id, out var first))
            {
                issues.Error(null, idNode, $"{path}.id", $"Dimension id '{id}' is already used by arena.dimensions[{first}]; dimension ids must be unique.");
                continue;
            }
            firstIdAt[id] = i;
            dimensions.Add(new ArenaDimension(id, name ?? id, description));
        }
        return dimensions.Count > 0 ? dimensions : ArenaDimension.Defaults;
    }

    private static ValueRange? ReadRange(FieldReader fields)
    {
        var node = fields.Node("range", required: false);
        if (node is null)
        {
            return null;
        }
        var path = fields.Path("range");
        if (node is not YSequence { Items.Count: 2 } pair
            || pair.Items.Any(x => x is not YScalar s || !YamlScalars.IsDecimalNumber(s) || !double.IsFinite(YamlScalars.ParseDecimal(s.Value))))
        {
            fields.Issues.Error(null, node, path, $"'{path}' must be a list of two finite numbers [min, max], found {FieldReader.Describe(node)}.");
            return null;
        }
        var min = YamlScalars.ParseDecimal(((YScalar)pair.Items[0]).Value);
        var max = YamlScalars.ParseDecimal(((YScalar)pair.Items[1]).Value);
        if (!(min < max))
        {
            fields.Issues.Error(null, node, path, $"'{path}' must have min < max, found [{ResultRules.Format(min)}, {ResultRules.Format(max)}].");
            return null;
        }
        return new ValueRange(min, max);
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex DimensionId();

    [GeneratedRegex(@"^(mean|median|mode|max|pass_at_[1-9][0-9]*|at_least_[1-9][0-9]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex EpochReducer();
}
