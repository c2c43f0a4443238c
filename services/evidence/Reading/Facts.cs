using System.Text;
using System.Text.Json;
using static CommunityEvals.Evidence.Reading.JsonFacts;

namespace CommunityEvals.Evidence.Reading;

/// <summary>Builds <see cref="InspectLogHeader"/> from the detached <c>eval</c>, <c>results</c>, ... values.</summary>
internal static class HeaderFacts
{
    public static InspectLogHeader Build(JsonElement eval, JsonElement? results, JsonElement? status, JsonElement? version, JsonElement? error)
    {
        var dataset = Prop(eval, "dataset");
        var config = Prop(eval, "config");
        var revision = Prop(eval, "revision");

        return new InspectLogHeader
        {
            Version = version is { } v ? Int(v) : null,
            Status = status is { ValueKind: JsonValueKind.String } s ? s.GetString() : null,
            Error = ErrorMessage(error),
            Task = Str(eval, "task"),
            TaskRunId = Str(eval, "task_id"),
            TaskArgs = RawMap(Prop(eval, "task_args")),
            Dataset = dataset is { } d
                ? new InspectDataset
                {
                    Name = Str(d, "name"),
                    Location = Str(d, "location"),
                    Samples = Int(d, "samples"),
                    SampleIds = Prop(d, "sample_ids") is { ValueKind: JsonValueKind.Array } ids
                        ? ids.EnumerateArray().Select(x => Id(x) ?? x.GetRawText()).ToArray()
                        : null,
                }
                : new InspectDataset(),
            Model = Str(eval, "model"),
            Config = config is { } c
                ? new InspectEvalConfig
                {
                    Limit = Prop(c, "limit") is { } limit ? limit.GetRawText() : null,
                    SampleId = Prop(c, "sample_id") is { } sid ? sid.GetRawText() : null,
                    Epochs = Int(c, "epochs"),
                    EpochsReducer = Prop(c, "epochs_reducer") is { } r ? Strings(r) : [],
                }
                : new InspectEvalConfig(),
            Revision = revision is { ValueKind: JsonValueKind.Object } rev
                ? new InspectRevision(Str(rev, "type"), Str(rev, "origin"), Str(rev, "commit"),
                    Prop(rev, "dirty") is { ValueKind: JsonValueKind.True or JsonValueKind.False } dirty ? dirty.GetBoolean() : null)
                : null,
            Packages = RawMap(Prop(eval, "packages")),
            Results = results is { ValueKind: JsonValueKind.Object } res ? BuildResults(res) : null,
        };
    }

    private static InspectResults BuildResults(JsonElement results)
    {
        var scores = new List<InspectScore>();
        if (Prop(results, "scores") is { ValueKind: JsonValueKind.Array } array)
        {
            foreach (var score in array.EnumerateArray())
            {
                var name = Str(score, "name") ?? Str(score, "scorer");
                if (name is null)
                {
                    continue;
                }

                var metrics = new List<InspectMetric>();
                if (Prop(score, "metrics") is { ValueKind: JsonValueKind.Object } m)
                {
                    foreach (var metric in m.EnumerateObject())
                    {
                        var value = Prop(metric.Value, "value") is { } mv ? JsonFacts.Double(mv) : null;
                        metrics.Add(new InspectMetric(Str(metric.Value, "name") ?? metric.Name, value));
                    }
                }

                scores.Add(new InspectScore
                {
                    Name = name,
                    Scorer = Str(score, "scorer"),
                    Reducer = Str(score, "reducer"),
                    Metrics = metrics,
                });
            }
        }

        return new InspectResults
        {
            TotalSamples = Int(results, "total_samples"),
            CompletedSamples = Int(results, "completed_samples"),
            Scores = scores,
        };
    }

    private static string? ErrorMessage(JsonElement? error) => error switch
    {
        null => null,
        { ValueKind: JsonValueKind.Object } o => Str(o, "message") ?? "error",
        { ValueKind: JsonValueKind.String } s => s.GetString() is { Length: > 0 } m ? m : "error",
        { ValueKind: JsonValueKind.Null } => null,
        { } other => other.GetRawText(),
    };
}

/// <summary>Builds <see cref="InspectSample"/> from one sample's detached fields.</summary>
internal static class SampleFacts
{
    public static InspectSample Build(string where, JsonField id, JsonField epoch, JsonField input, JsonField target,
        JsonField output, JsonField scores, JsonField error, int maxText)
    {
        // An id is a string or a number (its text); anything else counts as none.
        var sampleId = id.Type is JsonTokenType.String or JsonTokenType.Number ? id.Text : null;
        if (sampleId is null)
        {
            throw new InspectLogFormatException($"{where} has no id (a number or a string)");
        }

        var sampleEpoch = 1;
        if (epoch.IsPresent)
        {
            sampleEpoch = epoch.Integer is { } n && n >= 1
                ? n
                : throw new InspectLogFormatException($"{where} (id {sampleId}) has an epoch that is not a positive integer");
        }

        var scoreMap = new Dictionary<string, InspectSampleScore>(StringComparer.Ordinal);
        if (scores.Type == JsonTokenType.StartObject)
        {
            foreach (var p in scores.Element.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                var value = p.Value.TryGetProperty("value", out var v) ? v : default;
                scoreMap[p.Name] = new InspectSampleScore(
                    value,
                    OptionalText(p.Value, "answer", maxText),
                    OptionalText(p.Value, "explanation", maxText));
            }
        }

        return new InspectSample
        {
            Id = sampleId,
            Epoch = sampleEpoch,
            Input = input.Type switch
            {
                JsonTokenType.None or JsonTokenType.Null => "",
                JsonTokenType.StartObject or JsonTokenType.StartArray => RenderInput(input.Element, maxText),
                _ => Cut(input.Text!, maxText), // a string as is; a number or boolean as its JSON text
            },
            Target = target.Type switch
            {
                JsonTokenType.None or JsonTokenType.Null => [],
                JsonTokenType.StartObject or JsonTokenType.StartArray => Strings(target.Element).Select(x => Cut(x, maxText)).ToArray(),
                JsonTokenType.String => new[] { Cut(Unmark(target.Text!), maxText) },
                _ => new[] { Cut(target.Text!, maxText) },
            },
            Completion = output.Type == JsonTokenType.StartObject ? Completion(output.Element, maxText) : null,
            Scores = scoreMap,
            Error = error.Type switch
            {
                JsonTokenType.None or JsonTokenType.Null or JsonTokenType.False => null,
                JsonTokenType.StartObject => Cut(Str(error.Element, "message") is { Length: > 0 } m ? m : "error", maxText),
                JsonTokenType.String => Cut(error.Text is { Length: > 0 } m ? m : "error", maxText),
                JsonTokenType.StartArray => Cut(error.Element.GetRawText(), maxText),
                _ => Cut(error.Text!, maxText), // a number or true, as its JSON text
            },
        };
    }

    /// <summary>The strings of a JSON array (other items as their JSON text), each cut to <paramref name="max"/>.</summary>
    public static IReadOnlyList<string> Texts(JsonElement array, int max) =>
        [.. array.EnumerateArray().Select(item => Cut(item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText(), max))];

    private static string? OptionalText(JsonElement obj, string name, int max) =>
        Prop(obj, name) is { } v ? Cut(Text(v), max) : null;

    /// <summary><c>output.completion</c>, else the first choice's message content.</summary>
    private static string? Completion(JsonElement output, int max)
    {
        if (Str(output, "completion") is { Length: > 0 } completion)
        {
            return Cut(completion, max);
        }

        if (Prop(output, "choices") is { ValueKind: JsonValueKind.Array } choices)
        {
            foreach (var choice in choices.EnumerateArray())
            {
                if (Prop(choice, "message") is { } message && Prop(message, "content") is { } content)
                {
                    var sb = new StringBuilder();
                    AppendContent(sb, content, max);
                    return Cut(sb.ToString(), max);
                }
            }
        }

        return null;
    }
}
