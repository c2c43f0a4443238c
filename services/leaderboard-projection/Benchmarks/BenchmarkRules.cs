using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Shared;

namespace CommunityEvals.LeaderboardProjection.Benchmarks;

/// <summary>How benchmark events change a <see cref="BenchmarkDocument"/>; pure.</summary>
public static class BenchmarkRules
{
    public static BenchmarkDocument? Evolve(BenchmarkDocument? benchmark, string id, object data, EventInfo info)
    {
        switch (data)
        {
            case BenchmarkRegistered registered:
                benchmark ??= New(id, registered.DatasetId, info);
                benchmark.Definition = registered.Definition.Clone();
                benchmark.CommitOid = registered.CommitOid;
                benchmark.UpdatedAt = info.Timestamp;
                return benchmark;
            case BenchmarkUpdated updated:
                benchmark ??= New(id, updated.DatasetId, info);
                benchmark.Definition = updated.Definition.Clone();
                benchmark.CommitOid = updated.CommitOid;
                benchmark.UpdatedAt = info.Timestamp;
                return benchmark;
            case BenchmarkMarkedOfficial when benchmark is not null:
                benchmark.Official = true;
                benchmark.OfficialAt ??= info.Timestamp;
                return benchmark;
            default:
                return benchmark;
        }
    }

    private static BenchmarkDocument New(string id, string datasetId, EventInfo info) => new()
    {
        Id = id,
        DatasetId = datasetId,
        RegisteredAt = info.Timestamp,
    };
}
