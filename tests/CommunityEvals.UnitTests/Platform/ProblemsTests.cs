using System.Text.Json;
using CommunityEvals.Platform.Http;
using Microsoft.AspNetCore.Http;

namespace CommunityEvals.UnitTests.Platform;

public class ProblemsTests
{
    [Theory]
    [InlineData("/api/leaderboards/org/name/task", "application/problem+json")]
    [InlineData("/api/results/abc/hide", "application/problem+json")]
    [InlineData("/api/models/acme/m/eval-results", "application/problem+json")]
    [InlineData("/api/models/acme/m/commit/main", "application/json")]
    [InlineData("/api/repos/create", "application/json")]
    [InlineData("/api/whoami-v2", "application/json")]
    public async Task Hub_routes_answer_json_and_native_routes_problem_json(string path, string contentType)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        context.Response.Body = new MemoryStream();

        await Problems.Unprocessable("bad", [new ValidationError(".eval_results/x.yaml", 0, 3, 5, "value", "must be a number")])
            .ExecuteAsync(context);

        Assert.Equal(422, context.Response.StatusCode);
        Assert.Equal(contentType, context.Response.ContentType);
        context.Response.Body.Position = 0;
        using var document = await JsonDocument.ParseAsync(context.Response.Body);
        var root = document.RootElement;
        Assert.Equal(422, root.GetProperty("status").GetInt32());
        Assert.Equal("bad", root.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("type").GetString()));
        Assert.False(string.IsNullOrEmpty(root.GetProperty("title").GetString()));
        var error = Assert.Single(root.GetProperty("errors").EnumerateArray());
        Assert.Equal(".eval_results/x.yaml", error.GetProperty("file").GetString());
        Assert.Equal(0, error.GetProperty("item").GetInt32());
        Assert.Equal(3, error.GetProperty("line").GetInt32());
        Assert.Equal(5, error.GetProperty("column").GetInt32());
        Assert.Equal("value", error.GetProperty("field").GetString());
    }
}
