using CommunityEvals.Evidence;

namespace CommunityEvals.Examples;

/// <summary>Checks a verifyToken offline against the published keys, and that it binds the value it is said to.</summary>
public static class TokenCheck
{
    public static async Task<int> RunAsync(Uri gateway, string token, string model, string dataset, string taskId, double value)
    {
        using var http = new HttpClient { BaseAddress = gateway };
        var validator = VerifyTokenValidator.FromJwks(await http.GetStringAsync("/.well-known/jwks.json"));
        var check = validator.Validate(token, model, dataset, taskId, value);
        Console.WriteLine(check.Ok ? $"valid: {check.Detail}" : $"not valid: {check.Detail}");
        return check.Ok ? 0 : 1;
    }
}
