namespace CommunityEvals.Web.Gateway;

/// <summary>Who is looking at the page: the signed-in user's name, asked of the API once per request; null when anonymous.</summary>
public sealed class Visitor(GatewayApi api)
{
    private Task<string?>? _name;

    public Task<string?> NameAsync() => _name ??= LookUpAsync();

    private async Task<string?> LookUpAsync()
    {
        if (string.IsNullOrEmpty(api.Token))
        {
            return null;
        }

        var answer = await api.GetAsync("/api/whoami-v2");
        return answer.Ok && answer.Json().TryGetProperty("name", out var name) ? name.GetString() : null;
    }
}
