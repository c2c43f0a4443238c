using System.Text.Json;
using System.Text.Json.Serialization;
using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Shared;
using CommunityEvals.Platform.Http;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityEvals.LeaderboardProjection.Models;

/// <summary>
/// Model pages in the Hub's shape (what <c>modelInfo</c> / <c>model_info</c> read), and the native
/// list of a model's results.
/// </summary>
public static class ModelsApi
{
    public const string EvalResultsKey = "evalResults";

    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/models").MapGet("/", ListModelsAsync);
        var model = app.MapGroup("/api/models/{org}/{name}");
        model.MapGet("/", GetModelAsync);
        model.MapGet("/revision/{**revision}", GetModelRevisionAsync);
        model.MapGet("/eval-results", GetEvalResultsAsync);
        return app;
    }

    public sealed record Sibling([property: JsonPropertyName("rfilename")] string RFilename);

    /// <summary>One result in the Hub's <c>evalResults</c>; <c>pullRequest</c> only for a pull request's.</summary>
    public sealed record HubEvalResult(
        [property: JsonPropertyName("filename")] string Filename,
        [property: JsonPropertyName("verified")] bool Verified,
        [property: JsonPropertyName("pullRequest"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? PullRequest,
        [property: JsonPropertyName("data")] JsonElement Data);

    /// <summary>A model in the Hub's shape: one model's info with its files and card, or a list item without them (null).</summary>
    public sealed record ModelInfo(
        [property: JsonPropertyName("_id")] string ObjectId,
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("modelId")] string ModelId,
        [property: JsonPropertyName("author")] string Author,
        [property: JsonPropertyName("sha")] string? Sha,
        [property: JsonPropertyName("createdAt")] string CreatedAt,
        [property: JsonPropertyName("lastModified")] string LastModified,
        [property: JsonPropertyName("private")] bool Private,
        [property: JsonPropertyName("disabled")] bool Disabled,
        [property: JsonPropertyName("gated")] object Gated,
        [property: JsonPropertyName("pipeline_tag")] string? PipelineTag,
        [property: JsonPropertyName("library_name")] string? LibraryName,
        [property: JsonPropertyName("downloads")] int Downloads,
        [property: JsonPropertyName("likes")] int Likes,
        [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags,
        [property: JsonPropertyName("siblings"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<Sibling>? Siblings,
        [property: JsonPropertyName("cardData"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, object>? CardData,
        [property: JsonPropertyName("evalResults"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<HubEvalResult>? EvalResults);

    public sealed record Verification(string Status);

    /// <summary>One current result, natively: where it is, whose it is, and whether it is hidden.</summary>
    public sealed record EvalResult(
        string Id,
        string Filename,
        string Ref,
        int? PullRequest,
        string Origin,
        bool Hidden,
        string? HiddenReason,
        bool Verified,
        bool Disputed,
        Verification Verification,
        JsonElement Data);

    /// <summary><c>GET /api/models[?author=&amp;search=&amp;limit=&amp;sort=&amp;direction=]</c>: model repos, by id unless sorted by a time.</summary>
    public static async Task<Results<Ok<IReadOnlyList<ModelInfo>>, ProblemDocumentResult>> ListModelsAsync(
        HttpRequest request, IQuerySession session, CancellationToken cancellationToken)
    {
        var query = request.Query;
        var (limit, refused) = HubFormat.Limit(query);
        if (refused is not null)
        {
            return Problems.BadRequest(refused);
        }

        var author = query["author"].FirstOrDefault();
        var search = query["search"].FirstOrDefault();
        var pages = await session.VisibleAsync(await session.Query<RepoPage>().Where(page => page.Kind == "model").ToListAsync(cancellationToken), request, cancellationToken);
        IEnumerable<ModelInfo> items = pages
            .Where(page => string.IsNullOrEmpty(author) || string.Equals(page.Owner, author, StringComparison.OrdinalIgnoreCase))
            .Where(page => string.IsNullOrEmpty(search) || page.Repo.Contains(search, StringComparison.OrdinalIgnoreCase))
            .Select(page => new ModelInfo(HubFormat.ObjectId(page.Id), page.Repo, page.Repo, page.Owner, page.MainHead,
                HubFormat.Time(page.CreatedAt), HubFormat.Time(page.LastModified), Private: page.Private, Disabled: false, Gated: HubFormat.Gated(page.Gated), PipelineTag: null,
                LibraryName: null, Downloads: 0, Likes: 0, Tags: page.BaseModel is { Count: > 0 } ? ["base_model:" + page.BaseModel[0]] : [],
                Siblings: null, CardData: null, EvalResults: null))
            .OrderBy(item => item.Id, StringComparer.Ordinal);
        items = HubFormat.SortByTime(items, query, item => item.CreatedAt, item => item.LastModified);
        return TypedResults.Ok<IReadOnlyList<ModelInfo>>([.. limit is { } take ? items.Take(take) : items]);
    }

    public static Task<Results<Ok<ModelInfo>, ProblemDocumentResult>> GetModelAsync(
        string org, string name, HttpRequest request, IQuerySession session, CancellationToken cancellationToken) =>
        GetModelRevisionAsync(org, name, "HEAD", request, session, cancellationToken);

    public static async Task<Results<Ok<ModelInfo>, ProblemDocumentResult>> GetModelRevisionAsync(
        string org, string name, string revision, HttpRequest request, IQuerySession session, CancellationToken cancellationToken)
    {
        var page = await session.LoadVisiblePageAsync("model", $"{org}/{name}", request, cancellationToken);
        if (page is null)
        {
            return ModelNotFound(org, name);
        }

        var rev = Uri.UnescapeDataString(revision);
        var resolved = TryResolveRef(page, rev, out var onRef)
            ? onRef
            : ResolveCommit(await RevisionsAsync(page, session, cancellationToken), rev);
        if (resolved is null)
        {
            return Problems.NotFound($"revision '{rev}' does not exist in {page.Repo}");
        }

        var expand = HubFormat.Values(request.Query, "expand");
        var evidence = expand.Contains(EvalResultsKey, StringComparer.OrdinalIgnoreCase)
            ? await EvidenceOfAsync(page, session, cancellationToken)
            : [];
        var hiddenBenchmarks = expand.Contains(EvalResultsKey, StringComparer.OrdinalIgnoreCase)
            ? await session.HiddenDatasetsAsync(request, cancellationToken)
            : new HashSet<string>();
        var evalResults = expand.Contains(EvalResultsKey, StringComparer.OrdinalIgnoreCase)
            ? CurrentResults.Of(page)
                .Where(current => !hiddenBenchmarks.Contains(current.Result.DatasetId))
                .Select(current => new HubEvalResult(current.Result.Path, Standing(current.Result, evidence).Verified, current.PullRequest, KnownOrder.ResultItem(current.Result.Data)))
                .ToList()
            : null;

        return TypedResults.Ok(new ModelInfo(
            HubFormat.ObjectId(page.Id),
            page.Repo,
            page.Repo,
            page.Owner,
            resolved.Sha,
            HubFormat.Time(page.CreatedAt),
            HubFormat.Time(resolved.LastModified),
            Private: page.Private,
            Disabled: false,
            Gated: HubFormat.Gated(page.Gated),
            PipelineTag: null,
            LibraryName: null,
            Downloads: 0,
            Likes: 0,
            Tags: [],
            resolved.Files.Select(path => new Sibling(path)).ToList(),
            CardData(page),
            evalResults));
    }

    public static async Task<Results<Ok<IReadOnlyList<EvalResult>>, ProblemDocumentResult>> GetEvalResultsAsync(
        string org, string name, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "include_hidden")] string? includeHiddenText, HttpRequest request, IQuerySession session, CancellationToken cancellationToken)
    {
        if (HubFormat.Flag(includeHiddenText, absent: false) is not { } includeHidden)
        {
            return Problems.BadRequest("'include_hidden' must be true or false.");
        }

        var page = await session.LoadVisiblePageAsync("model", $"{org}/{name}", request, cancellationToken);
        if (page is null)
        {
            return ModelNotFound(org, name);
        }

        var evidence = await EvidenceOfAsync(page, session, cancellationToken);
        var hiddenBenchmarks = await session.HiddenDatasetsAsync(request, cancellationToken);
        IReadOnlyList<EvalResult> results = CurrentResults.Of(page, includeHidden)
            .Where(current => !hiddenBenchmarks.Contains(current.Result.DatasetId))
            .Select(current => (current, standing: Standing(current.Result, evidence)))
            .Select(pair => new EvalResult(
                pair.current.Result.ResultId,
                pair.current.Result.Path,
                pair.current.Ref,
                pair.current.PullRequest,
                pair.current.Origin,
                pair.current.Hidden,
                pair.current.HiddenReason,
                pair.standing.Verified,
                pair.standing.Disputed,
                new Verification(pair.standing.Status),
                KnownOrder.ResultItem(pair.current.Result.Data)))
            .ToList();
        return TypedResults.Ok(results);
    }

    /// <summary>Verification outcomes by result id, as the boards' projection folded them for this model.</summary>
    private static async Task<Dictionary<string, ResultEvidence>> EvidenceOfAsync(RepoPage page, IQuerySession session, CancellationToken cancellationToken) =>
        (await session.LoadAsync<Leaderboards.LeaderboardModel>(page.Id, cancellationToken))?.Evidence ?? [];

    private static EvidenceStanding Standing(RepoResult result, IReadOnlyDictionary<string, ResultEvidence> evidence) =>
        ResultEvidence.StandingOf(evidence.GetValueOrDefault(result.ResultId), result.ValueText, result.Verified);

    public sealed record ResolvedRevision(string? Sha, DateTimeOffset LastModified, IReadOnlyList<string> Files);

    /// <summary>
    /// A Hub revision: <c>HEAD</c> or <c>main</c>, <c>refs/pr/{num}</c> (its head), or any commit
    /// oid the repo has seen (the files its ref held after it), looked up in <paramref name="commits"/>.
    /// Null when there is no such revision.
    /// </summary>
    public static ResolvedRevision? Resolve(RepoPage page, string revision, IReadOnlyList<RepoRevision> commits) =>
        TryResolveRef(page, revision, out var onRef) ? onRef : ResolveCommit(commits, revision);

    /// <summary>
    /// Whether <paramref name="revision"/> names a ref (<c>HEAD</c>, <c>main</c>, <c>refs/pr/{num}</c>),
    /// which the page answers (<paramref name="resolved"/> is null when the ref does not exist);
    /// otherwise it is a commit oid (see <see cref="ResolveCommit"/>).
    /// </summary>
    public static bool TryResolveRef(RepoPage page, string revision, out ResolvedRevision? resolved)
    {
        const string pullRequestPrefix = "refs/pr/";
        if (revision is "HEAD" or Refs.Main or "refs/heads/main")
        {
            resolved = new ResolvedRevision(page.MainHead, page.LastModified, page.MainFiles.Select(file => file.Path).ToList());
            return true;
        }

        if (!revision.StartsWith(pullRequestPrefix, StringComparison.Ordinal))
        {
            resolved = null;
            return false;
        }

        resolved = int.TryParse(revision[pullRequestPrefix.Length..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            && page.PullRequest(number) is { } pullRequest
            && pullRequest.Head.Length > 0
            ? new ResolvedRevision(pullRequest.Head, pullRequest.HeadAt, RepoPageRules.FilesOf(page, pullRequest))
            : null;
        return true;
    }

    /// <summary>A commit oid among the repo's commits (the last one, should an oid come twice); null when it is none of them.</summary>
    public static ResolvedRevision? ResolveCommit(IReadOnlyList<RepoRevision> commits, string oid) =>
        commits.LastOrDefault(item => item.Oid == oid) is { } commit
            ? new ResolvedRevision(commit.Oid, commit.At, commit.Files)
            : null;

    /// <summary>Every commit of the repo, on main or on a pull request, folded from its events.</summary>
    public static async Task<IReadOnlyList<RepoRevision>> RevisionsAsync(RepoPage page, IQuerySession session, CancellationToken cancellationToken)
    {
        var revisions = new List<RepoRevision>();
        RepoPage? folded = null;
        foreach (var (data, info) in await RepoLog.ReadAsync(session, page.Id, cancellationToken))
        {
            folded = RepoPageRules.Evolve(folded, page.Id, data, info, revisions);
        }

        return revisions;
    }

    /// <summary>The card facts we know: <c>base_model</c>, one id as a string and several as a list.</summary>
    public static IReadOnlyDictionary<string, object> CardData(RepoPage page)
    {
        var card = new Dictionary<string, object>();
        if (page.BaseModel is { Count: > 0 } baseModel)
        {
            card["base_model"] = baseModel.Count == 1 ? baseModel[0] : baseModel;
        }

        return card;
    }

    private static ProblemDocumentResult ModelNotFound(string org, string name) => Problems.RepoNotFound("model", $"{org}/{name}");
}
