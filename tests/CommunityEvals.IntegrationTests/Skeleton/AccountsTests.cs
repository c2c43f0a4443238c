using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;

namespace CommunityEvals.IntegrationTests.Skeleton;

[Collection(StackCollection.Name)]
public sealed class AccountsTests(StackFixture stack)
{
    [Fact]
    public async Task Whoami_names_the_user_and_their_orgs_in_the_hub_shape()
    {
        var (name, _, client) = await stack.CreateUserAsync("who", "who-org-a");

        var whoami = await client.GetFromJsonAsync<JsonElement>("/api/whoami-v2");

        Assert.Equal("user", whoami.GetProperty("type").GetString());
        Assert.Equal(name, whoami.GetProperty("name").GetString());
        Assert.Equal(["who-org-a"], whoami.GetProperty("orgs").EnumerateArray().Select(o => o.GetProperty("name").GetString()));
        Assert.Equal("access_token", whoami.GetProperty("auth").GetProperty("type").GetString());
        Assert.True(whoami.GetProperty("auth").GetProperty("accessToken").TryGetProperty("role", out _));
    }

    [Fact]
    public async Task Creating_users_is_for_the_admin_only()
    {
        var (_, _, user) = await stack.CreateUserAsync("plain");
        var body = new { name = $"x{Guid.NewGuid():N}"[..12] };

        using var anonymous = await stack.Anonymous.PostAsJsonAsync("/api/users", body);
        using var asUser = await user.PostAsJsonAsync("/api/users", body);
        using var badToken = await stack.Client("hf_not-a-real-token").PostAsJsonAsync("/api/users", body);

        await AssertProblem(anonymous, HttpStatusCode.Unauthorized, "application/problem+json");
        await AssertProblem(asUser, HttpStatusCode.Forbidden, "application/problem+json");
        await AssertProblem(badToken, HttpStatusCode.Unauthorized, "application/problem+json");
    }

    [Fact]
    public async Task A_taken_name_is_409_and_an_invalid_one_422()
    {
        var (name, _, _) = await stack.CreateUserAsync("taken");

        using var again = await stack.Admin.PostAsJsonAsync("/api/users", new { name });
        using var invalid = await stack.Admin.PostAsJsonAsync("/api/users", new { name = "no spaces allowed" });
        using var notJson = await stack.Admin.PostAsync("/api/users", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));

        await AssertProblem(again, HttpStatusCode.Conflict, "application/problem+json");
        await AssertProblem(invalid, HttpStatusCode.UnprocessableEntity, "application/problem+json");
        await AssertProblem(notJson, HttpStatusCode.BadRequest, "application/problem+json");
    }

    [Fact]
    public async Task A_client_cannot_claim_an_identity_by_header()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/users")
        {
            Content = JsonContent.Create(new { name = $"spoof{Guid.NewGuid():N}"[..14] }),
        };
        request.Headers.Add("X-CommunityEvals-User", "admin");
        request.Headers.Add("X-CommunityEvals-Role", "admin");

        using var response = await stack.Anonymous.SendAsync(request);

        await AssertProblem(response, HttpStatusCode.Unauthorized, "application/problem+json");
    }

    [Fact]
    public async Task The_admin_adds_members_to_orgs()
    {
        var (name, _, client) = await stack.CreateUserAsync("member");
        var org = $"org{Guid.NewGuid():N}"[..12];

        using var added = await stack.Admin.PostAsJsonAsync($"/api/orgs/{org}/members", new { user = name });
        using var unknown = await stack.Admin.PostAsJsonAsync($"/api/orgs/{org}/members", new { user = "nobody-here-at-all" });

        Assert.Equal(HttpStatusCode.NoContent, added.StatusCode);
        await AssertProblem(unknown, HttpStatusCode.NotFound, "application/problem+json");
        var whoami = await client.GetFromJsonAsync<JsonElement>("/api/whoami-v2");
        Assert.Contains(org, whoami.GetProperty("orgs").EnumerateArray().Select(o => o.GetProperty("name").GetString()));
    }

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string contentType)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("error").GetString()));
    }
}
