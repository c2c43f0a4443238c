using System.Text.Json;
using System.Text.Json.Nodes;

namespace CommunityEvals.LeaderboardProjection.Shared;

/// <summary>
/// Puts the keys of the documented formats back in their documented order. The event store keeps
/// event data as PostgreSQL <c>jsonb</c>, which does not remember key order, so a definition or
/// result item comes back from the log with its keys shuffled; known keys are listed in the
/// order of FORMATS.md (the order files are written in), unknown ones follow as they come.
/// </summary>
public static class KnownOrder
{
    private sealed record Shape(string[] Keys, IReadOnlyDictionary<string, Shape>? Children = null)
    {
        /// <summary>The shape of a key's value; <c>*</c> stands for every key of a map.</summary>
        public Shape? Child(string key) =>
            Children is null ? null : Children.GetValueOrDefault(key) ?? Children.GetValueOrDefault("*");
    }

    private static readonly Shape Step = new(["name", "args"]);

    private static readonly Shape Task = new(
        ["id", "config", "split", "field_spec", "solvers", "scorers", "shuffle_choices", "epochs", "epoch_reducer"],
        new Dictionary<string, Shape>
        {
            ["field_spec"] = new(["input", "target", "choices", "id", "metadata", "input_image"]),
            ["solvers"] = Step,
            ["scorers"] = Step,
        });

    private static readonly Shape BenchmarkShape = new(
        ["name", "description", "evaluation_framework", "tasks", "leaderboard"],
        new Dictionary<string, Shape>
        {
            ["tasks"] = Task,
            ["leaderboard"] = new([], new Dictionary<string, Shape> { ["*"] = new(["metric", "higher_is_better", "range", "samples"]) }),
        });

    private static readonly Shape ResultShape = new(
        ["dataset", "value", "verifyToken", "date", "source", "notes"],
        new Dictionary<string, Shape>
        {
            ["dataset"] = new(["id", "task_id", "revision"]),
            ["source"] = new(["url", "name", "user", "org"]),
        });

    /// <summary>An <c>eval.yaml</c> definition, as an object in file order.</summary>
    public static JsonNode? Benchmark(JsonElement definition) =>
        definition.ValueKind == JsonValueKind.Undefined ? null : JsonNode.Parse(Ordered(definition, BenchmarkShape).WrittenSpan);

    /// <summary>One item of a <c>.eval_results</c> file.</summary>
    public static JsonElement ResultItem(JsonElement item) =>
        item.ValueKind == JsonValueKind.Undefined ? item : JsonElement.Parse(Ordered(item, ResultShape).WrittenSpan);

    /// <summary>
    /// The <c>source</c> of a result item as JSON text in the documented key order (what
    /// <c>ResultItem(item).GetProperty("source").GetRawText()</c> gives), without reordering the
    /// rest of the item; null when the item has none, or it is null.
    /// </summary>
    public static string? ResultSourceText(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        JsonElement? found = null;
        foreach (var property in item.EnumerateObject())
        {
            if (property.Name == "source")
            {
                // The last, as the reordering keeps it.
                found = property.Value;
            }
        }

        if (found is not { } source || source.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return null;
        }

        return System.Text.Encoding.UTF8.GetString(Ordered(source, ResultShape.Child("source")).WrittenSpan);
    }

    /// <summary>
    /// The element as JSON with the shape's keys in order, written straight out rather than built
    /// as nodes (boards work out a result's source for every changed result).
    /// </summary>
    private static System.Buffers.ArrayBufferWriter<byte> Ordered(JsonElement element, Shape? shape)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using var writer = new Utf8JsonWriter(buffer);
        Write(writer, element, shape);
        writer.Flush();
        return buffer;
    }

    /// <summary>Known keys in the shape's order, then the others as they come; a repeated key keeps its first place and its last value.</summary>
    private static void Write(Utf8JsonWriter writer, JsonElement element, Shape? shape)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object when shape is not null:
                var properties = new List<(string Name, JsonElement Value)>();
                foreach (var property in element.EnumerateObject())
                {
                    var at = properties.FindIndex(known => known.Name == property.Name);
                    if (at >= 0)
                    {
                        properties[at] = (property.Name, property.Value);
                    }
                    else
                    {
                        properties.Add((property.Name, property.Value));
                    }
                }

                writer.WriteStartObject();
                foreach (var key in shape.Keys)
                {
                    foreach (var (name, value) in properties)
                    {
                        if (name == key)
                        {
                            writer.WritePropertyName(name);
                            Write(writer, value, shape.Child(name));
                        }
                    }
                }

                foreach (var (name, value) in properties)
                {
                    if (!shape.Keys.Contains(name))
                    {
                        writer.WritePropertyName(name);
                        Write(writer, value, shape.Child(name));
                    }
                }

                writer.WriteEndObject();
                return;
            case JsonValueKind.Array when shape is not null:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(writer, item, shape);
                }

                writer.WriteEndArray();
                return;
            default:
                element.WriteTo(writer);
                return;
        }
    }
}
