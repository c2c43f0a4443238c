using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityEvals.IntegrationTests.Infrastructure;
using CommunityEvals.Platform.Identity;

namespace CommunityEvals.IntegrationTests.Security;

/// <summary>
/// Services trust the gateway and nobody else: an identity header sent straight to a service is
/// refused unless the gateway signed it, recently, with the stack's identity key.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ServiceTrustTests(StackFixture stack)
{
    /// <summary>Per service, a request an identity would change the answer of; ingestion's creates a user as the admin.</summary>
    public static TheoryData<string, string, string> Requests => new()
    {
        { "ingestion", "POST", "/api/users" },
        { "verification", "GET", "/.well-known/jwks.json" },
        { "leaderboard-projection", "GET", "/api/events?limit=1" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task A_forged_identity_sent_straight_to_a_service_is_refused(string service, string method, string path)
    {
        using var direct = new HttpClient { BaseAddress = stack.ServiceUrl(service) };
        var forger = new GatewayIdentity("not the stack's key, though long enough to be one", TimeProvider.System);

        using var plainHeaders = await direct.SendAsync(Request(method, path, ("X-CommunityEvals-User", "admin"), ("X-CommunityEvals-Role", "admin")));
        using var wrongKey = await direct.SendAsync(Request(method, path, (GatewayIdentity.Header, forger.Sign(Caller.Admin))));
        using var unsigned = await direct.SendAsync(Request(method, path, (GatewayIdentity.Header, "v1;user=admin;role=admin;token=admin;t=0")));

        await AssertRefusedAsync(plainHeaders);
        await AssertRefusedAsync(wrongKey);
        await AssertRefusedAsync(unsigned);
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Through_the_gateway_the_same_request_works_as_the_token_says(string service, string method, string path)
    {
        // The gateway drops what the client claimed and forwards what the token proves, signed.
        var client = method == "GET" ? stack.Anonymous : stack.Admin;
        using var response = await client.SendAsync(Request(method, path, ("X-CommunityEvals-User", "someone-else"), ("X-CommunityEvals-Role", "admin")));

        var expected = method == "GET" ? HttpStatusCode.OK : HttpStatusCode.Created;
        Assert.True(response.StatusCode == expected, $"{service}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task Anonymous_requests_straight_to_a_service_stay_anonymous()
    {
        using var direct = new HttpClient { BaseAddress = stack.ServiceUrl("leaderboard-projection") };
        using var ingestion = new HttpClient { BaseAddress = stack.ServiceUrl("ingestion") };

        using var read = await direct.GetAsync("/api/events?limit=1");
        using var write = await ingestion.SendAsync(Request("POST", "/api/users"));

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, write.StatusCode);
        Assert.Contains("bearer token is required", await write.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_signature_replayed_after_its_window_is_refused()
    {
        using var direct = new HttpClient { BaseAddress = stack.ServiceUrl("ingestion") };
        var identity = new GatewayIdentity(stack.IdentityKey, TimeProvider.System);
        var now = DateTimeOffset.UtcNow;

        // Signed with the stack's key as the gateway signs: good now, refused once the window is over.
        using var fresh = await direct.SendAsync(Request("GET", "/api/whoami-v2", (GatewayIdentity.Header, identity.Sign(Caller.Admin, now))));
        using var replayed = await direct.SendAsync(Request("GET", "/api/whoami-v2",
            (GatewayIdentity.Header, identity.Sign(Caller.Admin, now - GatewayIdentity.Window - TimeSpan.FromSeconds(2)))));
        using var early = await direct.SendAsync(Request("GET", "/api/whoami-v2",
            (GatewayIdentity.Header, identity.Sign(Caller.Admin, now + GatewayIdentity.Window + TimeSpan.FromSeconds(2)))));

        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal("admin", (await fresh.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString());
        await AssertRefusedAsync(replayed);
        await AssertRefusedAsync(early);
        Assert.Contains("window", await replayed.Content.ReadAsStringAsync());
    }

    private static HttpRequestMessage Request(string method, string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = JsonContent.Create(new { name = $"trust-{Guid.NewGuid():N}"[..16] });
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return request;
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{(int)response.StatusCode} {body}");
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(401, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains("gateway", problem.RootElement.GetProperty("detail").GetString());
    }
}
