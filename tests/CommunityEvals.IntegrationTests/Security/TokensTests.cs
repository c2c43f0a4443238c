using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;
using CommunityEvals.Platform.Identity;

namespace CommunityEvals.IntegrationTests.Security;

/// <summary>ACCESS.md "Tokens": named read and write tokens per user, shown once, revoked within a second.</summary>
[Collection(StackCollection.Name)]
public sealed class TokensTests(StackFixture stack)
{
    private const string Tokens = "/api/settings/tokens";

    [Fact]
    public async Task A_user_has_several_named_tokens_listed_without_their_secret()
    {
        var (_, first, client) = await stack.CreateUserAsync("tokens");

        var (ciId, ci) = await CreateTokenAsync(client, "ci", "read");
        var (laptopId, laptop) = await CreateTokenAsync(client, "laptop", "write");
        using var listed = await client.GetAsync(Tokens);

        var text = await listed.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        var tokens = JsonDocument.Parse(text).RootElement.EnumerateArray()
            .Select(t => (t.GetProperty("displayName").GetString(), t.GetProperty("role").GetString(), t.GetProperty("id").GetString()))
            .ToList();
        Assert.Equal(3, tokens.Count);
        Assert.Equal(("created with the account", "write"), (tokens[0].Item1, tokens[0].Item2));
        Assert.Equal([("ci", "read", ciId), ("laptop", "write", laptopId)], tokens.Skip(1));
        foreach (var secret in new[] { first, ci, laptop })
        {
            Assert.DoesNotContain(secret, text);
            Assert.DoesNotContain(TokenHash.Of(secret), text);
        }

        // Each token is its user, in its role.
        Assert.Equal("read", await RoleAsync(stack.Client(ci)));
        Assert.Equal("write", await RoleAsync(stack.Client(laptop)));
        Assert.Equal("write", await RoleAsync(client));
    }

    [Fact]
    public async Task A_token_needs_a_name_and_the_role_read_or_write_and_the_admin_has_none()
    {
        var (_, _, client) = await stack.CreateUserAsync("tokbad");

        using var noRole = await client.PostAsJsonAsync(Tokens, new { displayName = "x" });
        using var adminRole = await client.PostAsJsonAsync(Tokens, new { displayName = "x", role = "admin" });
        using var noName = await client.PostAsJsonAsync(Tokens, new { role = "read" });
        using var asAdmin = await stack.Admin.PostAsJsonAsync(Tokens, new { displayName = "x", role = "write" });
        using var anonymous = await stack.Anonymous.GetAsync(Tokens);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, noRole.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, adminRole.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noName.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, asAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", noRole.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_read_token_reads_but_any_other_method_is_403()
    {
        var (name, _, client) = await stack.CreateUserAsync("tokread");
        var (readId, read) = await CreateTokenAsync(client, "reader", "read");
        using var reader = stack.Client(read);

        using var events = await reader.GetAsync("/api/events?limit=1");
        using var jwks = await reader.GetAsync("/.well-known/jwks.json");
        using var head = await reader.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/events?limit=1"));
        using var list = await reader.GetAsync(Tokens);
        using var createRepo = await reader.PostAsJsonAsync("/api/repos/create", new { type = "model", name = "m", organization = name });
        using var createToken = await reader.PostAsJsonAsync(Tokens, new { displayName = "more", role = "write" });
        using var revoke = await reader.DeleteAsync($"{Tokens}/{readId}");
        using var evidence = await reader.PostAsync("/api/results/0123456789abcdef0123456789abcdef/evidence", new ByteArrayContent([1, 2, 3]));

        Assert.Equal(HttpStatusCode.OK, events.StatusCode);
        Assert.Equal(HttpStatusCode.OK, jwks.StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, head.StatusCode);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        foreach (var refused in new[] { createRepo, createToken, revoke, evidence })
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("read token", await refused.Content.ReadAsStringAsync());
        }

        // Nothing was done: the token is still there, and no second one was made.
        Assert.Equal(2, (await client.GetFromJsonAsync<JsonElement>(Tokens)).GetArrayLength());
    }

    [Fact]
    public async Task A_revoked_token_is_refused_on_every_route_within_a_second()
    {
        var (name, _, client) = await stack.CreateUserAsync("tokrevoke");
        var (id, token) = await CreateTokenAsync(client, "to revoke", "write");
        using var revokedClient = stack.Client(token);
        // Used on each route first, so that every lookup the gateway might keep is fresh.
        Assert.Equal(HttpStatusCode.OK, (await revokedClient.GetAsync("/api/whoami-v2")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await revokedClient.GetAsync("/api/events?limit=1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await revokedClient.PostAsJsonAsync("/api/repos/create", new { type = "model", name = "before" })).StatusCode);

        using var revoked = await client.DeleteAsync($"{Tokens}/{id}");
        var since = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(1) - since.Elapsed);

        foreach (var request in new Func<HttpRequestMessage>[]
        {
            () => new HttpRequestMessage(HttpMethod.Get, "/api/whoami-v2"),
            () => new HttpRequestMessage(HttpMethod.Get, "/api/events?limit=1"),
            () => new HttpRequestMessage(HttpMethod.Get, "/.well-known/jwks.json"),
            () => new HttpRequestMessage(HttpMethod.Post, "/api/repos/create") { Content = JsonContent.Create(new { type = "model", name = "after" }) },
        })
        {
            using var sent = request();
            using var response = await revokedClient.SendAsync(sent);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{sent.Method} {sent.RequestUri}: {(int)response.StatusCode}");
            Assert.Equal("Invalid credentials in Authorization header", Assert.Single(response.Headers.GetValues("X-Error-Message")));
        }

        Assert.DoesNotContain(id, await client.GetStringAsync(Tokens));
        Assert.Equal(name, (await client.GetFromJsonAsync<JsonElement>("/api/whoami-v2")).GetProperty("name").GetString());
    }

    [Fact]
    public async Task The_admin_may_revoke_any_users_token_and_users_only_their_own()
    {
        var (owner, _, ownerClient) = await stack.CreateUserAsync("tokowner");
        var (_, _, other) = await stack.CreateUserAsync("tokother");
        var (id, token) = await CreateTokenAsync(ownerClient, "shared by mistake", "write");

        using var byOther = await other.DeleteAsync($"{Tokens}/{id}");
        using var byOtherAsAdmin = await other.DeleteAsync($"/api/users/{owner}/tokens/{id}");
        using var byAdmin = await stack.Admin.DeleteAsync($"/api/users/{owner}/tokens/{id}");
        using var again = await stack.Admin.DeleteAsync($"/api/users/{owner}/tokens/{id}");
        using var noUser = await stack.Admin.DeleteAsync($"/api/users/nobody-{Guid.NewGuid():N}/tokens/{id}");

        Assert.Equal(HttpStatusCode.NotFound, byOther.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byOtherAsAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, byAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, noUser.StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await stack.Client(token).GetAsync("/api/whoami-v2")).StatusCode);
    }

    [Fact]
    public async Task Replaying_an_idempotency_key_on_token_creation_is_409_and_makes_no_second_token()
    {
        var (_, _, client) = await stack.CreateUserAsync("tokidem");
        var key = Guid.NewGuid().ToString("N");

        using var first = await client.SendAsync(CreateRequest("once", key));
        using var replay = await client.SendAsync(CreateRequest("once", key));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var secret = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        Assert.Equal(HttpStatusCode.Conflict, replay.StatusCode);
        Assert.DoesNotContain(secret, await replay.Content.ReadAsStringAsync());
        Assert.Equal(2, (await client.GetFromJsonAsync<JsonElement>(Tokens)).GetArrayLength());

        static HttpRequestMessage CreateRequest(string name, string key)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, Tokens) { Content = JsonContent.Create(new { displayName = name, role = "read" }) };
            request.Headers.Add("Idempotency-Key", key);
            return request;
        }
    }

    [Fact]
    public async Task Creating_and_revoking_tokens_are_events_without_the_secret_or_its_hash()
    {
        var (name, first, client) = await stack.CreateUserAsync("tokevents");
        var (id, token) = await CreateTokenAsync(client, "evented", "read");
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"{Tokens}/{id}")).StatusCode);

        var mine = await Eventually.GetAsync(async () =>
        {
            var events = (await stack.FeedAsync()).Where(e => e.GetProperty("stream").GetString() == $"user/{name}").ToList();
            return events.Count == 4 ? events : null;
        }, "the user's token events in the feed");

        Assert.Equal(["UserCreated", "TokenCreated", "TokenCreated", "TokenRevoked"], mine.Select(e => e.GetProperty("type").GetString()));
        var created = mine[2].GetProperty("data");
        Assert.Equal((name, id, "evented", "read"), (created.GetProperty("user").GetString(), created.GetProperty("tokenId").GetString(),
            created.GetProperty("displayName").GetString(), created.GetProperty("role").GetString()));
        Assert.Equal(id, mine[3].GetProperty("data").GetProperty("tokenId").GetString());
        Assert.Equal(name, mine[3].GetProperty("actor").GetString());
        var whole = string.Join('\n', mine.Select(e => e.GetRawText()));
        foreach (var secret in new[] { first, token })
        {
            Assert.DoesNotContain(secret, whole);
            Assert.DoesNotContain(TokenHash.Of(secret), whole);
        }
    }

    private static async Task<(string Id, string Token)> CreateTokenAsync(HttpClient client, string displayName, string role)
    {
        using var response = await client.PostAsJsonAsync(Tokens, new { displayName, role });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.GetRawText());
        Assert.Equal(displayName, body.GetProperty("displayName").GetString());
        Assert.Equal(role, body.GetProperty("role").GetString());
        Assert.True(body.TryGetProperty("createdAt", out _));
        var token = body.GetProperty("token").GetString()!;
        Assert.StartsWith("hf_", token);
        return (body.GetProperty("id").GetString()!, token);
    }

    private static async Task<string?> RoleAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/whoami-v2")).GetProperty("auth").GetProperty("accessToken").GetProperty("role").GetString();
}
