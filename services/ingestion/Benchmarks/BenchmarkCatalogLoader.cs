using System.Collections.Concurrent;
using CommunityEvals.Formats;
using Marten;

namespace CommunityEvals.Ingestion.Benchmarks;

/// <summary>
/// The registered benchmarks as the format validators need them. A registered definition is
/// stored as JSON, which is YAML too, so the one parser that checked it reads it back; parses are
/// kept per benchmark version because definitions change rarely and commits are frequent.
/// </summary>
public sealed class BenchmarkCatalogLoader(FormatParser parser)
{
    private readonly ConcurrentDictionary<(string DatasetId, string CommitOid), BenchmarkDefinition> _parsed = new();

    public async Task<IBenchmarkCatalog> LoadAsync(IQuerySession session, CancellationToken cancellationToken)
    {
        var registered = await session.Query<RegisteredBenchmark>().ToListAsync(cancellationToken);
        var definitions = new List<KeyValuePair<string, BenchmarkDefinition>>();
        foreach (var benchmark in registered)
        {
            var definition = _parsed.GetOrAdd((benchmark.DatasetId, benchmark.CommitOid), _ =>
                parser.ParseBenchmark("eval.yaml", System.Text.Encoding.UTF8.GetBytes(benchmark.Definition.GetRawText())).Value
                    ?? throw new InvalidOperationException($"The stored definition of {benchmark.DatasetId} no longer parses."));
            definitions.Add(new(benchmark.DatasetId, definition));
        }

        return new BenchmarkCatalog(definitions);
    }
}
