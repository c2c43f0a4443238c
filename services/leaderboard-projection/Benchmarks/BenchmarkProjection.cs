using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Shared;
using JasperFx.Events;
using Marten.Events.Aggregation;

namespace CommunityEvals.LeaderboardProjection.Benchmarks;

/// <summary>One <see cref="BenchmarkDocument"/> per benchmark stream.</summary>
public sealed class BenchmarkProjection : SingleStreamProjection<BenchmarkDocument, string>
{
    public const string ProjectionName = "Benchmarks";

    public BenchmarkProjection()
    {
        Name = ProjectionName;
        IncludeType<BenchmarkRegistered>();
        IncludeType<BenchmarkUpdated>();
        IncludeType<BenchmarkMarkedOfficial>();
    }

    public override BenchmarkDocument? Evolve(BenchmarkDocument? snapshot, string id, IEvent e) =>
        BenchmarkRules.Evolve(snapshot, id, e.Data, EventInfo.From(e));
}
