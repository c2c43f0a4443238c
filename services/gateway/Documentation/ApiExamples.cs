using System.Text.Json.Nodes;

namespace CommunityEvals.Gateway.Documentation;

/// <summary>
/// Example request bodies for the routes people call by hand most, added to the merged document (the
/// services' documents carry the shapes; these show them filled in, as API.md does).
/// </summary>
public static class ApiExamples
{
    private static readonly (string Path, string Method, string ContentType, JsonNode Example)[] Requests =
    [
        ("/api/repos/create", "post", "application/json", new JsonObject { ["type"] = "model", ["name"] = "model-7b", ["organization"] = "acme", ["visibility"] = "public" }),
        ("/api/settings/tokens", "post", "application/json", new JsonObject { ["displayName"] = "laptop", ["role"] = "read" }),
        ("/api/users", "post", "application/json", new JsonObject { ["name"] = "alice", ["orgs"] = new JsonArray("acme") }),
        ("/api/{kinds}/{org}/{name}/commit/{revision}", "post", "application/x-ndjson", JsonValue.Create(
            "{\"key\":\"header\",\"value\":{\"summary\":\"Add MMLU-Pro\"}}\n"
            + "{\"key\":\"file\",\"value\":{\"path\":\".eval_results/mmlu.yaml\",\"content\":\"- dataset:\\n    id: TIGER-Lab/MMLU-Pro\\n    task_id: mmlu_pro\\n  value: 72.4\\n\"}}")!),
        ("/api/{kinds}/{org}/{name}/settings", "put", "application/json", new JsonObject { ["gated"] = "manual" }),
        ("/api/datasets/{org}/{name}/ask-access", "post", "application/json", new JsonObject { ["reason"] = "to evaluate our dialect model" }),
        ("/api/datasets/{org}/{name}/user-access-request/handle", "post", "application/json", new JsonObject { ["user"] = "bob", ["status"] = "accepted" }),
        ("/api/{kinds}/{org}/{name}/discussions/{num}/comment", "post", "application/json", new JsonObject { ["comment"] = "Which split was this run on?" }),
        ("/api/results/{id}/hide", "post", "application/json", new JsonObject { ["reason"] = "wrong split" }),
        ("/api/arena/battles/{battleId}/vote", "post", "application/json", new JsonObject { ["winner"] = "A" }),
    ];

    /// <summary>Puts each example on its route's request body, where the document has that route and type.</summary>
    public static void AddTo(JsonObject paths)
    {
        foreach (var (path, method, contentType, example) in Requests)
        {
            if (paths[path]?[method]?["requestBody"]?["content"]?[contentType] is JsonObject media)
            {
                media["example"] = example.DeepClone();
            }
        }
    }
}
