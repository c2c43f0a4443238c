using System.IO.Compression;
using System.Text.Json;

namespace CommunityEvals.UnitTests.Evidence;

/// <summary>A bare JSON literal in a generated log (Python's json writes NaN, Infinity, -Infinity unquoted).</summary>
public sealed record BareLiteral(string Text)
{
    public static BareLiteral NaN { get; } = new("NaN");
}

/// <summary>What a generated Inspect log looks like. Defaults: a complete, successful run of hf/acme/model-7b on hf/acme/bench/main.</summary>
public sealed record LogSpec
{
    public int Samples { get; init; } = 20;

    public int Epochs { get; init; } = 1;

    public string Status { get; init; } = "success";

    public string Task { get; init; } = "hf/acme/bench/main";

    public string DatasetName { get; init; } = "acme/bench";

    public string? DatasetLocation { get; init; } = "hf://datasets/acme/bench";

    /// <summary>eval.dataset.samples; null: the number of samples.</summary>
    public int? DatasetSamples { get; init; }

    public bool WriteDatasetSamples { get; init; } = true;

    public string Model { get; init; } = "hf/acme/model-7b";

    public int? Limit { get; init; }

    public string? SampleIdConfig { get; init; }

    public string[]? EpochsReducer { get; init; }

    /// <summary>results.scores[0].reducer, when set.</summary>
    public string? HeadlineReducer { get; init; }

    public string Scorer { get; init; } = "match";

    /// <summary>Per (sample index from 0, epoch from 1): the score value (string, double, int, bool, null or <see cref="BareLiteral"/>). Default: every 4th sample "I", else "C".</summary>
    public Func<int, int, object?> Value { get; init; } = (i, _) => i % 4 == 0 ? "I" : "C";

    /// <summary>Sample indexes whose records carry an error (and no scores).</summary>
    public IReadOnlySet<int> Errored { get; init; } = new HashSet<int>();

    /// <summary>The log's headline accuracy; null: computed (mean over samples of the mean over epochs, errored dropped).</summary>
    public double? Headline { get; init; }

    public bool WriteHeadline { get; init; } = true;

    public int? TotalSamples { get; init; }

    public int? CompletedSamples { get; init; }

    /// <summary>Write inputs as chat messages instead of a string.</summary>
    public bool ChatInput { get; init; }

    /// <summary>Characters of filler in each sample's events (makes samples big without adding samples).</summary>
    public int EventsPadding { get; init; } = 200;

    /// <summary>Sample ids are strings ("s-1") instead of numbers.</summary>
    public bool StringIds { get; init; }

    public object Id(int index) => StringIds ? $"s-{index + 1}" : index + 1;

    public int Records => Samples * Epochs;
}

/// <summary>
/// Writes Inspect logs in both encodings, streaming (no sample is held), so tests and benchmarks can make
/// logs of any size (50,000 samples and more).
/// </summary>
public static class InspectLogGenerator
{
    public static byte[] Json(LogSpec spec)
    {
        using var ms = new MemoryStream();
        WriteJson(spec, ms);
        return ms.ToArray();
    }

    public static byte[] Eval(LogSpec spec)
    {
        using var ms = new MemoryStream();
        WriteEval(spec, ms);
        return ms.ToArray();
    }

    public static byte[] Log(LogSpec spec, bool eval) => eval ? Eval(spec) : Json(spec);

    public static void WriteJson(LogSpec spec, Stream output)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        w.WriteStartObject();
        w.WriteNumber("version", 2);
        w.WriteString("status", spec.Status);
        w.WritePropertyName("eval");
        WriteEvalSpec(w, spec);
        WritePlan(w);
        w.WritePropertyName("results");
        WriteResults(w, spec);
        WriteStats(w);
        w.WriteStartArray("samples");
        for (var epoch = 1; epoch <= spec.Epochs; epoch++)
        {
            for (var i = 0; i < spec.Samples; i++)
            {
                WriteSample(w, spec, i, epoch);
                if (w.BytesPending > 64 * 1024)
                {
                    w.Flush();
                }
            }
        }

        w.WriteEndArray();
        w.WriteNull("reductions");
        w.WriteEndObject();
        w.Flush();
    }

    public static void WriteEval(LogSpec spec, Stream output)
    {
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        WriteEntry(zip, "_journal/start.json", w =>
        {
            w.WriteStartObject();
            w.WriteNumber("version", 2);
            w.WritePropertyName("eval");
            WriteEvalSpec(w, spec);
            WritePlan(w);
            w.WriteEndObject();
        });
        for (var i = 0; i < spec.Samples; i++)
        {
            for (var epoch = 1; epoch <= spec.Epochs; epoch++)
            {
                WriteEntry(zip, $"samples/{spec.Id(i)}_epoch_{epoch}.json", w => WriteSample(w, spec, i, epoch));
            }
        }

        WriteEntry(zip, "summaries.json", w =>
        {
            w.WriteStartArray();
            w.WriteEndArray();
        });
        WriteEntry(zip, "header.json", w =>
        {
            w.WriteStartObject();
            w.WriteNumber("version", 2);
            w.WriteString("status", spec.Status);
            w.WritePropertyName("eval");
            WriteEvalSpec(w, spec);
            WritePlan(w);
            w.WritePropertyName("results");
            WriteResults(w, spec);
            WriteStats(w);
            w.WriteEndObject();
        });
    }

    /// <summary>The accuracy the generator writes as the headline when <see cref="LogSpec.Headline"/> is null.</summary>
    public static double ComputedHeadline(LogSpec spec)
    {
        var sum = 0.0;
        var n = 0;
        for (var i = 0; i < spec.Samples; i++)
        {
            if (spec.Errored.Contains(i))
            {
                continue;
            }

            var epochs = Enumerable.Range(1, spec.Epochs).Select(e => SimpleNumber(spec.Value(i, e))).Where(v => !double.IsNaN(v)).ToList();
            if (epochs.Count == 0)
            {
                continue;
            }

            sum += epochs.Average();
            n++;
        }

        return n == 0 ? 0 : sum / n;
    }

    private static double SimpleNumber(object? value) => value switch
    {
        "C" => 1,
        "P" => 0.5,
        "I" or "N" => 0,
        true => 1,
        false => 0,
        double d => d,
        int i => i,
        BareLiteral => double.NaN,
        null => double.NaN,
        _ => 0,
    };

    private static void WriteEntry(ZipArchive zip, string name, Action<Utf8JsonWriter> body)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
        using var stream = entry.Open();
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true });
        body(w);
        w.Flush();
    }

    private static void WriteEvalSpec(Utf8JsonWriter w, LogSpec spec)
    {
        w.WriteStartObject();
        w.WriteString("eval_id", "GenEvalId");
        w.WriteString("run_id", "GenRunId");
        w.WriteString("created", "2026-01-01T00:00:00+00:00");
        w.WriteString("task", spec.Task);
        w.WriteString("task_id", "RunIdNotTheTask123");
        w.WriteNumber("task_version", 0);
        w.WriteStartObject("task_args");
        w.WriteNumber("shots", 0);
        w.WriteEndObject();
        w.WriteStartObject("dataset");
        w.WriteString("name", spec.DatasetName);
        if (spec.DatasetLocation is not null)
        {
            w.WriteString("location", spec.DatasetLocation);
        }

        if (spec.WriteDatasetSamples)
        {
            w.WriteNumber("samples", spec.DatasetSamples ?? spec.Samples);
        }

        w.WriteStartArray("sample_ids");
        for (var i = 0; i < spec.Samples; i++)
        {
            WriteId(w, spec.Id(i));
        }

        w.WriteEndArray();
        w.WriteBoolean("shuffled", false);
        w.WriteEndObject();
        w.WriteString("model", spec.Model);
        w.WriteStartObject("config");
        if (spec.Limit is { } limit)
        {
            w.WriteNumber("limit", limit);
        }

        if (spec.SampleIdConfig is { } sid)
        {
            w.WriteString("sample_id", sid);
        }

        w.WriteNumber("epochs", spec.Epochs);
        w.WriteStartArray("epochs_reducer");
        foreach (var r in spec.EpochsReducer ?? ["mean"])
        {
            w.WriteStringValue(r);
        }

        w.WriteEndArray();
        w.WriteBoolean("log_samples", true);
        w.WriteEndObject();
        w.WriteStartObject("revision");
        w.WriteString("type", "git");
        w.WriteString("origin", "https://example.org/acme/evals.git");
        w.WriteString("commit", "abc1234");
        w.WriteEndObject();
        w.WriteStartObject("packages");
        w.WriteString("inspect_ai", "0.3.154");
        w.WriteEndObject();
        w.WriteStartArray("scorers");
        w.WriteStartObject();
        w.WriteString("name", spec.Scorer);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WritePlan(Utf8JsonWriter w)
    {
        w.WriteStartObject("plan");
        w.WriteString("name", "plan");
        w.WriteStartArray("steps");
        w.WriteStartObject();
        w.WriteString("solver", "generate");
        w.WriteStartObject("params");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteResults(Utf8JsonWriter w, LogSpec spec)
    {
        w.WriteStartObject();
        var scored = spec.Records - (spec.Errored.Count * spec.Epochs);
        w.WriteNumber("total_samples", spec.TotalSamples ?? spec.Records);
        w.WriteNumber("completed_samples", spec.CompletedSamples ?? spec.TotalSamples ?? spec.Records);
        w.WriteStartArray("scores");
        if (spec.WriteHeadline)
        {
            var headline = spec.Headline ?? ComputedHeadline(spec);
            w.WriteStartObject();
            w.WriteString("name", spec.Scorer);
            w.WriteString("scorer", spec.Scorer);
            if (spec.HeadlineReducer is { } reducer)
            {
                w.WriteString("reducer", reducer);
            }

            w.WriteNumber("scored_samples", scored);
            w.WriteStartObject("params");
            w.WriteEndObject();
            w.WriteStartObject("metrics");
            w.WriteStartObject("accuracy");
            w.WriteString("name", "accuracy");
            w.WriteNumber("value", headline);
            w.WriteEndObject();
            w.WriteStartObject("stderr");
            w.WriteString("name", "stderr");
            w.WriteNumber("value", 0.01);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteStats(Utf8JsonWriter w)
    {
        w.WriteStartObject("stats");
        w.WriteString("started_at", "2026-01-01T00:00:00+00:00");
        w.WriteString("completed_at", "2026-01-01T01:00:00+00:00");
        w.WriteEndObject();
    }

    private static void WriteSample(Utf8JsonWriter w, LogSpec spec, int index, int epoch)
    {
        var question = $"Question {index + 1}: what is {index} + {epoch}?";
        var target = (index % 10).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var errored = spec.Errored.Contains(index);
        var value = spec.Value(index, epoch);
        var answer = SimpleNumber(value) >= 1 ? target : "7";

        w.WriteStartObject();
        w.WritePropertyName("id");
        WriteId(w, spec.Id(index));
        w.WriteNumber("epoch", epoch);
        if (spec.ChatInput)
        {
            w.WriteStartArray("input");
            w.WriteStartObject();
            w.WriteString("role", "system");
            w.WriteString("content", "Answer with a digit.");
            w.WriteEndObject();
            w.WriteStartObject();
            w.WriteString("role", "user");
            w.WriteStartArray("content");
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteString("text", question);
            w.WriteEndObject();
            w.WriteStartObject();
            w.WriteString("type", "image");
            w.WriteString("image", "data:image/png;base64,AAAA");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
        }
        else
        {
            w.WriteString("input", question);
        }

        w.WriteStartArray("choices");
        w.WriteEndArray();
        w.WriteString("target", target);
        w.WriteStartArray("messages");
        w.WriteStartObject();
        w.WriteString("role", "user");
        w.WriteString("content", question);
        w.WriteEndObject();
        w.WriteStartObject();
        w.WriteString("role", "assistant");
        w.WriteString("content", answer);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartObject("output");
        w.WriteString("model", "model-7b");
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteStartObject("message");
        w.WriteString("role", "assistant");
        w.WriteString("content", answer);
        w.WriteEndObject();
        w.WriteString("stop_reason", "stop");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteString("completion", answer);
        w.WriteEndObject();
        w.WriteStartObject("scores");
        if (!errored)
        {
            w.WriteStartObject(spec.Scorer);
            w.WritePropertyName("value");
            switch (value)
            {
                case null:
                    w.WriteNullValue();
                    break;
                case string s:
                    w.WriteStringValue(s);
                    break;
                case double d:
                    w.WriteNumberValue(d);
                    break;
                case int i:
                    w.WriteNumberValue(i);
                    break;
                case bool b:
                    w.WriteBooleanValue(b);
                    break;
                case BareLiteral bare:
                    w.WriteRawValue(bare.Text, skipInputValidation: true);
                    break;
                default:
                    w.WriteRawValue(JsonSerializer.Serialize(value), skipInputValidation: true);
                    break;
            }

            w.WriteString("answer", answer);
            w.WriteString("explanation", $"The model said {answer}.");
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteStartObject("metadata");
        w.WriteString("subject", "arithmetic");
        w.WriteEndObject();
        w.WriteStartObject("store");
        w.WriteEndObject();
        w.WriteStartArray("events");
        w.WriteStartObject();
        w.WriteString("event", "info");
        w.WriteString("data", new string('x', spec.EventsPadding));
        w.WriteStartObject("nested");
        w.WriteStartArray("deep");
        w.WriteNumberValue(1.5);
        w.WriteRawValue("Infinity", skipInputValidation: true);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartObject("model_usage");
        w.WriteEndObject();
        if (errored)
        {
            w.WriteStartObject("error");
            w.WriteString("message", "RuntimeError: the sandbox died");
            w.WriteString("traceback", "Traceback (most recent call last): ...");
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("error");
        }

        w.WriteNumber("total_time", 1.25);
        w.WriteEndObject();
    }

    private static void WriteId(Utf8JsonWriter w, object id)
    {
        if (id is string s)
        {
            w.WriteStringValue(s);
        }
        else
        {
            w.WriteNumberValue((int)id);
        }
    }
}
