using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using CommunityEvals.IntegrationTests.Infrastructure;

namespace CommunityEvals.IntegrationTests.Documentation;

/// <summary>
/// docs/API.md's route table against the running stack: every route it lists is one the gateway
/// serves. A route nobody serves answers 405, or 404 with the "Not Found: METHOD /path" problem the
/// services write for an unmatched path; a served one answers anything else (a 404 for the
/// placeholder repo included, in its handler's words).
/// </summary>
[Collection(StackCollection.Name)]
public sealed partial class DocumentedRoutesTests(StackFixture stack)
{
    [Fact]
    public async Task Every_route_in_the_API_document_is_served()
    {
        var routes = DocumentedRoutes();
        Assert.True(routes.Count >= 30, $"docs/API.md lists only {routes.Count} routes");
        var s = await stack.CreateScenarioAsync("docs");
        var (org, name) = (s.Dataset.Split('/')[0], s.Dataset.Split('/')[1]);
        var values = new Dictionary<string, string>
        {
            ["org"] = org,
            ["name"] = name,
            ["kind"] = "datasets",
            ["task_id"] = "main",
            ["id"] = "0123456789abcdef0123456789abcdef",
            ["num"] = "1",
            ["revision"] = "main",
            ["sample_id"] = "1",
            ["user"] = s.OwnerName,
            ["battle_id"] = "not-a-battle",
            ["path"] = "eval.yaml",
            ["status"] = "pending",
            ["ticket"] = "not-a-ticket",
        };

        var unserved = new List<string>();
        foreach (var (method, template) in routes)
        {
            var path = Placeholder().Replace(template, match => values.TryGetValue(match.Groups[1].Value, out var value)
                ? value
                : throw new InvalidOperationException($"docs/API.md: unknown placeholder {match.Value} in {template}"));
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method != "GET")
            {
                // A body that no handler accepts: what matters here is who answers, not what.
                request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            }

            // Anonymous, so that nothing is changed: a served write answers 401 before doing anything.
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using var response = await stack.Anonymous.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
            if (response.StatusCode == HttpStatusCode.MethodNotAllowed
                || (response.StatusCode == HttpStatusCode.NotFound && await IsUnmatchedAsync(response, method)))
            {
                unserved.Add($"{method} {template} ({(int)response.StatusCode})");
            }
        }

        Assert.True(unserved.Count == 0, "docs/API.md lists routes the stack does not serve:\n" + string.Join('\n', unserved));
    }

    private static async Task<bool> IsUnmatchedAsync(HttpResponseMessage response, string method)
    {
        var body = await response.Content.ReadAsStringAsync();
        try
        {
            using var problem = JsonDocument.Parse(body);
            return problem.RootElement.TryGetProperty("detail", out var detail)
                && detail.GetString()?.StartsWith($"Not Found: {method} ", StringComparison.Ordinal) == true;
        }
        catch (JsonException)
        {
            return body.Length == 0;
        }
    }

    /// <summary>The (method, path) rows of the table under "## Every route".</summary>
    internal static List<(string Method, string Path)> DocumentedRoutes()
    {
        var text = File.ReadAllText(Path.Combine(RepoRoot.Path, "docs", "API.md"));
        var start = text.IndexOf("## Every route", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/API.md has no '## Every route' section");
        var end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = end < 0 ? text[start..] : text[start..end];
        return RouteRow().Matches(section).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
    }

    [GeneratedRegex(@"^\| (GET|POST|PUT|DELETE|PATCH) \| (/\S*) \|", RegexOptions.Multiline)]
    private static partial Regex RouteRow();

    [GeneratedRegex(@"\{([a-z_]+)\}")]
    private static partial Regex Placeholder();
}
