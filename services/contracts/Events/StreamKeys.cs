namespace CommunityEvals.Contracts.Events;

/// <summary>Stream keys are readable strings so the public feed shows what each event belongs to.</summary>
public static class StreamKeys
{
    public static string User(string name) => $"user/{name}";

    public static string Org(string name) => $"org/{name}";
}
