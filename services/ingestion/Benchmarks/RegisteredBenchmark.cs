using System.Text.Json;
using CommunityEvals.Contracts.Events;

namespace CommunityEvals.Ingestion.Benchmarks;

/// <summary>A benchmark's stream folded: its current definition and whether it is official.</summary>
public sealed class RegisteredBenchmark
{
    public string Id { get; set; } = "";

    public long Version { get; set; }

    public string DatasetId { get; set; } = "";

    public string CommitOid { get; set; } = "";

    public JsonElement Definition { get; set; }

    public bool Official { get; set; }

    public static RegisteredBenchmark Create(BenchmarkRegistered registered) => new()
    {
        DatasetId = registered.DatasetId,
        CommitOid = registered.CommitOid,
        Definition = registered.Definition,
    };

    public void Apply(BenchmarkUpdated updated)
    {
        CommitOid = updated.CommitOid;
        Definition = updated.Definition;
    }

    public void Apply(BenchmarkMarkedOfficial _) => Official = true;
}
