using CommunityEvals.Contracts.Events;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Http;
using CommunityEvals.Platform.Identity;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityEvals.Ingestion.Benchmarks;

public static class BenchmarkDecisions
{
    public static Decision MarkOfficial(string datasetId, RegisteredBenchmark? benchmark, Caller caller) =>
        !caller.IsAdmin ? Decision.Reject(RejectionKind.Forbidden, "only the admin marks benchmarks official")
        : benchmark is null ? Decision.Reject(RejectionKind.NotFound, $"'{datasetId}' is not a registered benchmark: commit an eval.yaml to its main first")
        : benchmark.Official ? Decision.Accept()
        : Decision.Accept(new PendingEvent(StreamKeys.Benchmark(datasetId), new BenchmarkMarkedOfficial(datasetId), benchmark.Version));
}

/// <summary>Benchmark writes; registering happens by committing eval.yaml, reads are the projection's.</summary>
public static class BenchmarksApi
{
    public static IEndpointRouteBuilder MapBenchmarksApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/benchmarks/{org}/{name}").MapPost("/official", MarkOfficialAsync);
        return app;
    }

    public sealed record Official(string Id, bool IsOfficial);

    public static async Task<Results<Ok<Official>, ProblemDocumentResult>> MarkOfficialAsync(
        string org, string name, HttpRequest request, IDocumentStore store, CancellationToken cancellationToken)
    {
        if (Caller.From(request) is not { } caller)
        {
            return Problems.Unauthorized();
        }

        var datasetId = $"{org}/{name}";
        var (_, refused) = await store.DecideAndCommitAsync(caller, async session =>
        {
            await session.LockStreamsAsync(cancellationToken, StreamKeys.Benchmark(datasetId));
            var benchmark = await session.LoadAsync<RegisteredBenchmark>(StreamKeys.Benchmark(datasetId), cancellationToken);
            return (BenchmarkDecisions.MarkOfficial(datasetId, benchmark, caller), true);
        }, cancellationToken);

        return refused is not null ? refused : TypedResults.Ok(new Official(datasetId, true));
    }
}
