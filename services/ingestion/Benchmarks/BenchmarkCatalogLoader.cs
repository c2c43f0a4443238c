using CommunityEvals.Ingestion.Repos;
using System.Collections.Concurrent;
using CommunityEvals.Formats;
using Marten;

namespace CommunityEvals.Ingestion.Benchmarks;

/// <summary>
/// The registered benchmarks as the format validators need them. A registered definition is
/// stored as JSON, which is YAML too, so the one parser that checked it reads it back; parses are
/// kept per benchmark version because definitions change rarely and commits are frequent. Each
/// load asks the store only which version of each benchmark is current, and fetches a definition
/// only for a version this instance has not parsed yet.
/// </summary>
public sealed class BenchmarkCatalogLoader(FormatParser parser)
{
    private readonly ConcurrentDictionary<(string DatasetId, string CommitOid), BenchmarkDefinition> _parsed = new();

    public async Task<IBenchmarkCatalog> LoadAsync(IQuerySession session, CancellationToken cancellationToken)
    {
        var current = await session.Query<RegisteredBenchmark>()
            .Select(benchmark => new BenchmarkVersion(benchmark.Id, benchmark.DatasetId, benchmark.CommitOid))
            .ToListAsync(cancellationToken);
        var definitions = new List<KeyValuePair<string, BenchmarkDefinition>>(current.Count);
        var unparsed = new List<string>();
        foreach (var version in current)
        {
            if (_parsed.TryGetValue((version.DatasetId, version.CommitOid), out var definition))
            {
                definitions.Add(new(version.DatasetId, definition));
            }
            else
            {
                unparsed.Add(version.Id);
            }
        }

        if (unparsed.Count > 0)
        {
            // A definition updated between the two reads comes back at its newer version, which is as current.
            foreach (var benchmark in await session.LoadManyAsync<RegisteredBenchmark>(cancellationToken, unparsed))
            {
                var definition = _parsed.GetOrAdd((benchmark.DatasetId, benchmark.CommitOid), _ =>
                    parser.ParseBenchmark("eval.yaml", System.Text.Encoding.UTF8.GetBytes(benchmark.Definition.GetRawText())).Value
                        ?? throw new InvalidOperationException($"The stored definition of {benchmark.DatasetId} no longer parses."));
                definitions.Add(new(benchmark.DatasetId, definition));
            }
        }

        return new BenchmarkCatalog(definitions);
    }

    private sealed record BenchmarkVersion(string Id, string DatasetId, string CommitOid);
}

/// <summary>
/// The catalog as one writer may use it: a private benchmark they cannot see is answered as if it
/// were not registered (ACCESS.md "Visibility": a YAML item naming it is refused as unknown).
/// </summary>
public sealed class VisibleBenchmarkCatalog(IBenchmarkCatalog catalog, IReadOnlySet<string> hidden) : IBenchmarkCatalog
{
    public BenchmarkDefinition? Find(string datasetId) => hidden.Contains(datasetId) ? null : catalog.Find(datasetId);

    /// <summary>The private dataset repos <paramref name="actor"/> may not see.</summary>
    public static async Task<IReadOnlySet<string>> HiddenFromAsync(IQuerySession session, Actor actor, CancellationToken cancellationToken)
    {
        var privateDatasets = await session.Query<RepoState>()
            .Where(repo => repo.Kind == RepoPaths.Dataset && repo.Access.Private)
            .ToListAsync(cancellationToken);
        return privateDatasets.Where(repo => !actor.Sees(repo)).Select(repo => repo.Repo).ToHashSet(StringComparer.Ordinal);
    }
}
