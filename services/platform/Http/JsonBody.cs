using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace CommunityEvals.Platform.Http;

public static class JsonBody
{
    /// <summary>What JSON request bodies are sent as; routes declare it with the body's type for their API document.</summary>
    public const string ContentType = "application/json";

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        MaxDepth = 32,
        Converters = { new NulFreeString() },
    };

    /// <summary>
    /// Reads a JSON request body; a malformed or missing body is a value (a problem to answer),
    /// not an exception.
    /// </summary>
    public static async Task<(T? Value, ProblemDocumentResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, cancellationToken);
            return value is null
                ? (null, Problems.BadRequest("The request body must be a JSON object."))
                : (value, null);
        }
        catch (JsonException exception)
        {
            return (null, Problems.BadRequest($"The request body is not valid JSON: {exception.Message}"));
        }
    }

    // Strings of a request body end up in events, and PostgreSQL text cannot hold U+0000: such a
    // body is refused as malformed (400) instead of failing the append (500). A lone surrogate or
    // invalid UTF-8 already fails in the reader.
    private sealed class NulFreeString : JsonConverter<string>
    {
        public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString()!;
            return text.Contains('\0') ? throw new JsonException("text must not contain a NUL character (U+0000).") : text;
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }
}
