using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace CommunityEvals.Platform.Http;

public static class JsonBody
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        MaxDepth = 32,
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
}
