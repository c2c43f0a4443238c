namespace CommunityEvals.Formats;

/// <summary>
/// The registered benchmarks, supplied by the caller: results are only meaningful against a
/// benchmark's tasks and ranges, and this library does no I/O of its own.
/// </summary>
public interface IBenchmarkCatalog
{
    /// <summary>The benchmark registered under a dataset id (e.g. <c>TIGER-Lab/MMLU-Pro</c>), or null.</summary>
    BenchmarkDefinition? Find(string datasetId);
}

/// <summary>A fixed, in-memory catalog; ids compare exactly (ordinal).</summary>
public sealed class BenchmarkCatalog : IBenchmarkCatalog
{
    private readonly Dictionary<string, BenchmarkDefinition> _byId;

    public BenchmarkCatalog(IEnumerable<KeyValuePair<string, BenchmarkDefinition>> benchmarks)
    {
        _byId = new Dictionary<string, BenchmarkDefinition>(benchmarks, StringComparer.Ordinal);
    }

    public static BenchmarkCatalog Empty { get; } = new([]);

    public BenchmarkDefinition? Find(string datasetId) => _byId.GetValueOrDefault(datasetId);
}
