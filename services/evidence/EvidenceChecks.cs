using System.Globalization;
using CommunityEvals.Evidence.Reading;

namespace CommunityEvals.Evidence;

/// <summary>The checks, as pure functions of the header, the recomputation and the claim.</summary>
public static class EvidenceChecks
{
    /// <summary>Relative/absolute tolerance for <c>headline</c>: |a - b| &lt;= 1e-9 * max(1, |a|, |b|).</summary>
    public const double HeadlineTolerance = 1e-9;

    /// <summary>The least tolerance <c>value</c> allows.</summary>
    public const double MinValueTolerance = 1e-6;

    private const string NotReadable = "not checked: the log is not readable";

    /// <summary>
    /// Evaluates all eight checks. <paramref name="header"/> null: the log could not be opened; <paramref name="recomputation"/>
    /// null: its samples could not be read; <paramref name="unreadable"/>: why (null when readable).
    /// </summary>
    public static IReadOnlyList<EvidenceCheck> Evaluate(InspectLogHeader? header, Recomputation? recomputation, EvidenceClaim claim, string? unreadable)
    {
        var checks = new List<EvidenceCheck>(8)
        {
            unreadable is null
                ? new EvidenceCheck(EvidenceCheckNames.Readable, true, "a well-formed Inspect log within the limits")
                : new EvidenceCheck(EvidenceCheckNames.Readable, false, unreadable),
        };

        if (header is null)
        {
            foreach (var name in EvidenceCheckNames.All.Skip(1))
            {
                checks.Add(new EvidenceCheck(name, false, NotReadable));
            }

            return checks;
        }

        checks.Add(Status(header));
        checks.Add(Dataset(header, claim));
        checks.Add(Task(header, claim));
        checks.Add(Model(header, claim));
        if (recomputation is null || unreadable is not null)
        {
            checks.Add(new EvidenceCheck(EvidenceCheckNames.Complete, false, NotReadable + " (samples)"));
            checks.Add(new EvidenceCheck(EvidenceCheckNames.Headline, false, NotReadable + " (samples)"));
            checks.Add(new EvidenceCheck(EvidenceCheckNames.Value, false, NotReadable + " (samples)"));
            return checks;
        }

        checks.Add(Complete(header, recomputation, claim));
        checks.Add(Headline(header, recomputation));
        checks.Add(Value(recomputation, claim));
        return checks;
    }

    /// <summary><c>verified</c> when all pass; <c>contradicted</c> when only <c>value</c> fails; else <c>rejected</c>.</summary>
    public static EvidenceStatus Outcome(IEnumerable<EvidenceCheck> checks)
    {
        var failed = checks.Where(c => !c.Ok).Select(c => c.Name).ToList();
        return failed.Count switch
        {
            0 => EvidenceStatus.Verified,
            1 when failed[0] == EvidenceCheckNames.Value => EvidenceStatus.Contradicted,
            _ => EvidenceStatus.Rejected,
        };
    }

    public static EvidenceCheck Status(InspectLogHeader header) =>
        header.Status == "success"
            ? new EvidenceCheck(EvidenceCheckNames.Status, true, "status is 'success'")
            : new EvidenceCheck(EvidenceCheckNames.Status, false,
                header.Status is null
                    ? "the log has no status"
                    : $"status is '{header.Status}', not 'success'" + (header.Error is { } e ? $" (error: {JsonFacts.Cut(e, 200)})" : ""));

    /// <summary>
    /// The benchmark's dataset id equals (case-insensitively) <c>eval.dataset.name</c> or <c>eval.dataset.location</c>
    /// (Hub prefixes such as <c>hf://datasets/</c> and a trailing <c>@revision</c> removed), or the
    /// <c>org/dataset</c> of an <c>hf/org/dataset/task</c> <c>eval.task</c>.
    /// </summary>
    public static EvidenceCheck Dataset(InspectLogHeader header, EvidenceClaim claim)
    {
        var candidates = new List<(string Source, string? Raw, string? Id)>
        {
            ("eval.dataset.name", header.Dataset.Name, NormalizeDatasetRef(header.Dataset.Name)),
            ("eval.dataset.location", header.Dataset.Location, NormalizeDatasetRef(header.Dataset.Location)),
            ("eval.task", header.Task, HubTask(header.Task)?.Dataset),
        };

        foreach (var (source, raw, id) in candidates)
        {
            if (id is not null && string.Equals(id, claim.DatasetId.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return new EvidenceCheck(EvidenceCheckNames.Dataset, true, $"{source} '{raw}' is {claim.DatasetId}");
            }
        }

        var seen = string.Join(", ", candidates.Where(c => c.Raw is not null).Select(c => $"{c.Source} '{c.Raw}'"));
        return new EvidenceCheck(EvidenceCheckNames.Dataset, false,
            seen.Length == 0
                ? $"the log names no dataset; expected {claim.DatasetId}"
                : $"the log ran on {seen}, not {claim.DatasetId}");
    }

    /// <summary>
    /// From <c>eval.task</c> (never <c>eval.task_id</c>, a run id): <c>hf/org/dataset/task</c> must name this dataset and task;
    /// any other (registry) name must end in the task id (its last <c>/</c> or <c>@</c> segment equals it, case-insensitively).
    /// </summary>
    public static EvidenceCheck Task(InspectLogHeader header, EvidenceClaim claim)
    {
        var task = header.Task?.Trim();
        if (string.IsNullOrEmpty(task))
        {
            return new EvidenceCheck(EvidenceCheckNames.Task, false, "the log has no eval.task");
        }

        if (HubTask(task) is { } hub)
        {
            var datasetOk = string.Equals(hub.Dataset, claim.DatasetId.Trim(), StringComparison.OrdinalIgnoreCase);
            var taskOk = string.Equals(hub.Task, claim.TaskId.Trim(), StringComparison.OrdinalIgnoreCase);
            return datasetOk && taskOk
                ? new EvidenceCheck(EvidenceCheckNames.Task, true, $"eval.task '{task}' is task {claim.TaskId} of {claim.DatasetId}")
                : new EvidenceCheck(EvidenceCheckNames.Task, false,
                    $"eval.task '{task}' is task {hub.Task} of {hub.Dataset}, not {claim.TaskId} of {claim.DatasetId}");
        }

        var last = task[(task.LastIndexOfAny(['/', '@']) + 1)..];
        return string.Equals(last, claim.TaskId.Trim(), StringComparison.OrdinalIgnoreCase)
            ? new EvidenceCheck(EvidenceCheckNames.Task, true, $"eval.task '{task}' ends in task id {claim.TaskId}")
            : new EvidenceCheck(EvidenceCheckNames.Task, false, $"eval.task '{task}' is not task {claim.TaskId}");
    }

    /// <summary>
    /// <c>eval.model</c> without its provider prefix (the first segment: <c>hf/acme/model-7b</c> -> <c>acme/model-7b</c>)
    /// equals the result's model repo id, case-insensitively. A provider model with no org (<c>openai/gpt-4o</c>)
    /// also matches a repo id equal to the whole name.
    /// </summary>
    public static EvidenceCheck Model(InspectLogHeader header, EvidenceClaim claim)
    {
        var model = header.Model?.Trim();
        if (string.IsNullOrEmpty(model))
        {
            return new EvidenceCheck(EvidenceCheckNames.Model, false, "the log has no eval.model");
        }

        var stripped = StripProvider(model);
        var expected = claim.ModelId.Trim();
        if (string.Equals(stripped, expected, StringComparison.OrdinalIgnoreCase))
        {
            return new EvidenceCheck(EvidenceCheckNames.Model, true,
                ReferenceEquals(stripped, model) ? $"eval.model '{model}' is {expected}" : $"eval.model '{model}' is {expected} (provider prefix ignored)");
        }

        if (!stripped.Contains('/') && string.Equals(model, expected, StringComparison.OrdinalIgnoreCase))
        {
            return new EvidenceCheck(EvidenceCheckNames.Model, true, $"eval.model '{model}' is {expected}");
        }

        return new EvidenceCheck(EvidenceCheckNames.Model, false, $"eval.model '{model}' is {stripped}, not {expected}");
    }

    /// <summary>
    /// A full run: no <c>limit</c> or <c>sample_id</c> in <c>eval.config</c>; <c>completed_samples == total_samples</c>;
    /// the log holds as many sample records as <c>total_samples</c> counts; its distinct sample ids cover the
    /// benchmark's declared <c>samples</c> and the log's own <c>eval.dataset.samples</c>, when given.
    /// </summary>
    public static EvidenceCheck Complete(InspectLogHeader header, Recomputation recomputation, EvidenceClaim claim)
    {
        var problems = new List<string>();
        if (header.Config.Limit is { } limit)
        {
            problems.Add($"a partial run (eval.config.limit = {JsonFacts.Cut(limit, 80)})");
        }

        if (header.Config.SampleId is { } sampleId)
        {
            problems.Add($"a partial run (eval.config.sample_id = {JsonFacts.Cut(sampleId, 80)})");
        }

        var results = header.Results;
        if (results is null)
        {
            problems.Add("the log has no results");
        }
        else if (results.TotalSamples is not { } total || results.CompletedSamples is not { } completed)
        {
            problems.Add("results lack total_samples or completed_samples");
        }
        else
        {
            if (completed != total)
            {
                problems.Add($"completed_samples {completed} != total_samples {total}");
            }

            if (recomputation.Records != total)
            {
                problems.Add($"the log holds {recomputation.Records} sample records but total_samples is {total}");
            }
        }

        var distinct = recomputation.DistinctSamples;
        if (claim.DeclaredSamples is { } declared && distinct < declared)
        {
            problems.Add($"covers {distinct} distinct samples, the benchmark declares {declared}");
        }

        if (header.Dataset.Samples is { } datasetSamples && distinct < datasetSamples)
        {
            problems.Add($"covers {distinct} of the dataset's {datasetSamples} samples (eval.dataset.samples)");
        }

        if (problems.Count > 0)
        {
            return new EvidenceCheck(EvidenceCheckNames.Complete, false, string.Join("; ", problems));
        }

        var epochs = recomputation.MaxEpochs > 1 ? $" x {recomputation.MaxEpochs} epochs" : "";
        var covers = claim.DeclaredSamples is { } d ? $", covering the declared {d}" : "";
        return new EvidenceCheck(EvidenceCheckNames.Complete, true,
            $"a full run: {distinct} samples{epochs}, {recomputation.Records} records{covers}");
    }

    /// <summary>The value recomputed from the samples equals the log's own headline metric (within 1e-9).</summary>
    public static EvidenceCheck Headline(InspectLogHeader header, Recomputation recomputation)
    {
        if (recomputation.Problem is { } problem)
        {
            return new EvidenceCheck(EvidenceCheckNames.Headline, false, $"cannot recompute: {problem}");
        }

        var headline = header.Headline;
        if (headline is null)
        {
            return new EvidenceCheck(EvidenceCheckNames.Headline, false, "the log reports no headline score (results.scores is empty)");
        }

        var metric = headline.HeadlineMetric;
        if (metric?.Value is not { } logValue)
        {
            return new EvidenceCheck(EvidenceCheckNames.Headline, false,
                $"the headline score '{headline.Name}' has no numeric metric" + (metric is null ? "" : $" ('{metric.Name}')"));
        }

        if (recomputation.Value is not { } value)
        {
            return new EvidenceCheck(EvidenceCheckNames.Headline, false,
                $"no sample has a usable '{recomputation.Scorer ?? headline.Name}' score to recompute {metric.Name} from");
        }

        var how = $"{metric.Name} recomputed from {recomputation.Samples} samples (scorer '{recomputation.Scorer}', reducer {recomputation.Reducer}"
            + (recomputation.ErroredRecords > 0 ? $", {recomputation.ErroredRecords} errored records dropped" : "") + ")";
        var ok = Math.Abs(value - logValue) <= HeadlineTolerance * Math.Max(1, Math.Max(Math.Abs(value), Math.Abs(logValue)));
        return ok
            ? new EvidenceCheck(EvidenceCheckNames.Headline, true, $"{how} is {Fmt(value)}, as the log reports")
            : new EvidenceCheck(EvidenceCheckNames.Headline, false, $"{how} is {Fmt(value)}, but the log reports {Fmt(logValue)}");
    }

    /// <summary>
    /// The claimed value equals the recomputed fraction after scale (range ending at 100: percent; at 1: fraction;
    /// otherwise either), within half a unit in the last decimal place written (at least 1e-6).
    /// </summary>
    public static EvidenceCheck Value(Recomputation recomputation, EvidenceClaim claim)
    {
        if (recomputation.Value is not { } fraction)
        {
            return new EvidenceCheck(EvidenceCheckNames.Value, false, "not checked: nothing was recomputed");
        }

        if (!double.IsFinite(claim.Value))
        {
            return new EvidenceCheck(EvidenceCheckNames.Value, false, $"the claimed value {Fmt(claim.Value)} is not a finite number");
        }

        var text = ValueText(claim);
        var tolerance = Tolerance(text);
        var readings = Readings(claim.RangeMax);
        foreach (var (scale, label) in readings)
        {
            var candidate = fraction * scale;
            if (Matches(claim.Value, candidate, tolerance))
            {
                return new EvidenceCheck(EvidenceCheckNames.Value, true,
                    $"claimed {text} matches the recomputed {Fmt(candidate)} ({label}, tolerance {Fmt(tolerance)})");
            }
        }

        var shown = string.Join(" or ", readings.Select(r => $"{Fmt(fraction * r.Scale)} ({r.Label})"));
        return new EvidenceCheck(EvidenceCheckNames.Value, false,
            $"claimed {text}, but the samples give {shown}; tolerance {Fmt(tolerance)}");
    }

    /// <summary>Half a unit in the last decimal place of <paramref name="valueText"/> (<c>74.2</c> -> 0.05, <c>74</c> -> 0.5, <c>7.42e1</c> -> 0.05), at least 1e-6.</summary>
    public static double Tolerance(string valueText)
    {
        var text = valueText.Trim().Replace("_", "", StringComparison.Ordinal).TrimStart('+', '-');
        var exponent = 0;
        var e = text.IndexOfAny(['e', 'E']);
        if (e >= 0)
        {
            if (!int.TryParse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent))
            {
                return MinValueTolerance;
            }

            text = text[..e];
        }

        var dot = text.IndexOf('.');
        var decimals = (dot < 0 ? 0 : text.Length - dot - 1) - exponent;
        var tolerance = 0.5 * Math.Pow(10, -decimals);
        return double.IsFinite(tolerance) ? Math.Max(tolerance, MinValueTolerance) : MinValueTolerance;
    }

    /// <summary>The claim's value text, or the shortest text of its value.</summary>
    public static string ValueText(EvidenceClaim claim) =>
        string.IsNullOrWhiteSpace(claim.ValueText) ? claim.Value.ToString("R", CultureInfo.InvariantCulture) : claim.ValueText.Trim();

    private static (double Scale, string Label)[] Readings(double? rangeMax) => rangeMax switch
    {
        100 => [(100, "percent")],
        1 => [(1, "fraction")],
        _ => [(1, "fraction"), (100, "percent")],
    };

    private static bool Matches(double claimed, double candidate, double tolerance) =>
        Math.Abs(claimed - candidate) <= tolerance + 1e-9 * Math.Max(1, Math.Abs(claimed));

    /// <summary><c>eval.model</c> without its provider prefix (<c>vllm/acme/model-7b</c> -> <c>acme/model-7b</c>).</summary>
    public static string StripProvider(string model)
    {
        var slash = model.IndexOf('/');
        return slash < 0 ? model : model[(slash + 1)..];
    }

    /// <summary>A dataset reference reduced to an <c>org/name</c> id: Hub prefixes and <c>@revision</c> removed; null when empty.</summary>
    public static string? NormalizeDatasetRef(string? reference)
    {
        if (string.IsNullOrWhiteSpace(reference))
        {
            return null;
        }

        var s = reference.Trim();
        var hub = false;
        foreach (var prefix in new[]
                 {
                     "hf://datasets/", "hf://", "https://huggingface.co/datasets/", "http://huggingface.co/datasets/",
                     "huggingface.co/datasets/", "datasets/",
                 })
        {
            if (s.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                s = s[prefix.Length..];
                hub = true;
                break;
            }
        }

        var cut = s.IndexOfAny(['@', '?', '#']);
        if (cut >= 0)
        {
            s = s[..cut];
        }

        s = s.TrimEnd('/');
        if (hub)
        {
            // hf://datasets/org/name/some/file.jsonl -> org/name
            var parts = s.Split('/');
            if (parts.Length > 2)
            {
                s = parts[0] + "/" + parts[1];
            }
        }

        return s.Length == 0 ? null : s;
    }

    /// <summary>Splits <c>hf/org/dataset/task</c>; null for any other task name.</summary>
    public static (string Dataset, string Task)? HubTask(string? task)
    {
        if (task is null || !task.StartsWith("hf/", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var parts = task.Split('/');
        return parts.Length >= 4 && parts.Skip(1).All(p => p.Length > 0)
            ? (parts[1] + "/" + parts[2], string.Join('/', parts.Skip(3)))
            : null;
    }

    private static string Fmt(double d) =>
        double.IsFinite(d) ? Math.Round(d, 10).ToString("0.##########", CultureInfo.InvariantCulture) : d.ToString(CultureInfo.InvariantCulture);
}
