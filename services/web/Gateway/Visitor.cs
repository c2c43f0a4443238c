namespace CommunityEvals.Web.Gateway;

/// <summary>A signed-in person as the API knows them: their name, their orgs, whether it is the admin token.</summary>
public sealed record Person(string Name, IReadOnlyList<string> Orgs, bool IsAdmin)
{
    /// <summary>Whether they own repos of <paramref name="org"/> (API.md: the namespace's user, every member of the org, the admin).</summary>
    public bool Owns(string org) =>
        IsAdmin || string.Equals(Name, org, StringComparison.Ordinal) || Orgs.Contains(org, StringComparer.Ordinal);
}

/// <summary>
/// Who is looking at the page, asked of the API once per request; null when anonymous. Pages use
/// it only to choose which controls to offer: the API decides every write on its own.
/// </summary>
public sealed class Visitor(GatewayApi api)
{
    public const string AdminName = "admin";

    private Task<Person?>? _person;

    public Task<Person?> PersonAsync() => _person ??= LookUpAsync();

    public async Task<string?> NameAsync() => (await PersonAsync())?.Name;

    private async Task<Person?> LookUpAsync()
    {
        if (string.IsNullOrEmpty(api.Token))
        {
            return null;
        }

        var answer = await api.GetAsync("/api/whoami-v2");
        if (!answer.Ok || !answer.Json().TryGetProperty("name", out var name) || name.GetString() is not { } signedIn)
        {
            return null;
        }

        var json = answer.Json();
        IReadOnlyList<string> orgs = json.TryGetProperty("orgs", out var list) && list.ValueKind == System.Text.Json.JsonValueKind.Array
            ? [.. list.EnumerateArray().Select(org => Format.Text(org, "name")).OfType<string>()]
            : [];
        // No user may take the admin's name (AccountDecisions), so the name alone tells.
        var isAdmin = signedIn == AdminName;
        return new Person(signedIn, orgs, isAdmin);
    }
}
