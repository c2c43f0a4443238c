namespace CommunityEvals.Contracts.Events;

/// <summary>Stream keys are readable strings so the public feed shows what each event belongs to.</summary>
public static class StreamKeys
{
    public static string User(string name) => $"user/{name}";

    public static string Org(string name) => $"org/{name}";

    /// <summary>One stream per repo: every write to a repo is checked against its version.</summary>
    /// <param name="kind"><c>model</c> or <c>dataset</c>.</param>
    public static string Repo(string kind, string repoId) => $"{kind}/{repoId}";

    public static string Benchmark(string datasetId) => $"benchmark/{datasetId}";

    /// <summary>The evidence of one result and what became of it, owned by the verification service.</summary>
    public static string Evidence(string resultId) => $"evidence/{resultId}";

    /// <summary>An arena voter's votes and the admin's exclusions and inclusions of them.</summary>
    public static string ArenaVoter(string user) => $"arena-voter/{user}";
}
