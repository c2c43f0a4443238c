using CommunityEvals.Platform.Access;
using Marten;

namespace CommunityEvals.Verification.Facts;

/// <summary>What a caller may know of a result (ACCESS.md): whether it exists for them, and whether they may read its benchmark's samples.</summary>
public sealed record ResultAccess(bool Visible, bool SamplesReadable)
{
    public static readonly ResultAccess Public = new(true, true);

    /// <summary>
    /// A result exists for a caller who may see both its model repo and its benchmark's dataset repo
    /// (private repos exist for their owners only); the benchmark's samples (failure texts) are
    /// theirs to read when the dataset is not gated, or they have access to it.
    /// </summary>
    public static async Task<ResultAccess> OfAsync(IQuerySession session, ResultFact fact, HttpRequest request, CancellationToken cancellationToken)
    {
        var model = await RepoAccessState.LoadAsync(session, "model", fact.Repo, cancellationToken);
        var dataset = await RepoAccessState.LoadAsync(session, "dataset", fact.DatasetId, cancellationToken);
        if (model is not { Private: true } && dataset is not { Private: true } && dataset?.Gated is null)
        {
            return Public;
        }

        var viewer = await Viewer.LoadAsync(session, request, cancellationToken);
        var visible = (model?.VisibleTo(viewer) ?? true) && (dataset?.VisibleTo(viewer) ?? true);
        return new ResultAccess(visible, visible && (dataset?.DataReadableBy(viewer) ?? true));
    }

    /// <summary>Whether the caller may read the samples of <paramref name="datasetId"/>'s test set (the arena shows them).</summary>
    public static async Task<(bool Visible, bool Readable)> OfBenchmarkAsync(IQuerySession session, string datasetId, HttpRequest request, CancellationToken cancellationToken)
    {
        var dataset = await RepoAccessState.LoadAsync(session, "dataset", datasetId, cancellationToken);
        if (dataset is not { Private: true } && dataset?.Gated is null)
        {
            return (true, true);
        }

        var viewer = await Viewer.LoadAsync(session, request, cancellationToken);
        return (dataset.VisibleTo(viewer), dataset.DataReadableBy(viewer));
    }
}
