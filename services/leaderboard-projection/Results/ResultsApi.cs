using CommunityEvals.LeaderboardProjection.Models;
using CommunityEvals.Contracts.Events;
using System.Text.Json;
using CommunityEvals.LeaderboardProjection.Discussions;
using CommunityEvals.LeaderboardProjection.Shared;
using CommunityEvals.Platform.Http;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityEvals.LeaderboardProjection.Results;

/// <summary>Native routes: one result by id, and everything that happened to it.</summary>
public static class ResultsApi
{
    public static IEndpointRouteBuilder MapResultsApi(this IEndpointRouteBuilder app)
    {
        var result = app.MapGroup("/api/results/{id}");
        result.MapGet("/", GetResultAsync);
        result.MapGet("/history", GetHistoryAsync);
        return app;
    }

    public sealed record Verification(string Status);

    /// <param name="Status">
    /// <c>active</c> (its ref holds it), <c>closed</c> (its pull request is closed),
    /// <c>merged</c> (it became a main result, see <paramref name="MergedInto"/>) or <c>retracted</c>.
    /// </param>
    /// <param name="Current">Whether it counts now: active on main or in an open pull request, and not hidden.</param>
    public sealed record ResultView(
        string Id,
        string Model,
        string Filename,
        string Ref,
        int? PullRequest,
        string Origin,
        bool Hidden,
        string? HiddenReason,
        bool Verified,
        bool Disputed,
        Verification Verification,
        string DatasetId,
        string TaskId,
        double Value,
        string ValueText,
        string? Notes,
        JsonElement Data,
        string Status,
        bool Current,
        IReadOnlyList<string> MergedFrom,
        string? MergedInto,
        DateTimeOffset CreatedAt,
        DateTimeOffset UpdatedAt);

    public static async Task<Results<Ok<ResultView>, ProblemDocumentResult>> GetResultAsync(
        string id, HttpRequest request, IQuerySession session, CancellationToken cancellationToken)
    {
        var record = await session.LoadAsync<ResultRecord>(id, cancellationToken);
        if (record is null || !await VisibleAsync(session, record, request, cancellationToken))
        {
            return NotFound(id);
        }

        var discussion = record.PullRequest is { } number
            ? await session.LoadAsync<Discussion>(Discussion.KeyOf(record.Kind, record.Repo, number), cancellationToken)
            : null;
        return TypedResults.Ok(View(record, discussion?.Status));
    }

    public static async Task<Results<Ok<IReadOnlyList<HistoryEntry>>, ProblemDocumentResult>> GetHistoryAsync(
        string id, HttpRequest request, IQuerySession session, CancellationToken cancellationToken)
    {
        var record = await session.LoadAsync<ResultRecord>(id, cancellationToken);
        if (record is null || !await VisibleAsync(session, record, request, cancellationToken))
        {
            return NotFound(id);
        }

        var sources = record.MergedFrom.Count == 0
            ? []
            : (await session.LoadManyAsync<ResultRecord>(cancellationToken, record.MergedFrom)).ToDictionary(source => source.Id);
        var numbers = sources.Values.Append(record)
            .Select(item => item.PullRequest)
            .OfType<int>()
            .Distinct()
            .Select(number => Discussion.KeyOf(record.Kind, record.Repo, number))
            .ToList();
        var discussions = numbers.Count == 0
            ? []
            : (await session.LoadManyAsync<Discussion>(cancellationToken, numbers)).ToDictionary(discussion => discussion.Number);
        var ids = ResultHistory.IdsFor(record);
        var events = await RepoLog.ReadAsync(session, record.RepoKey, cancellationToken);
        var histories = ResultHistory.Fold(events, ids);
        var evidence = new Dictionary<string, IReadOnlyList<(object Data, EventInfo Info)>>(StringComparer.Ordinal);
        foreach (var resultId in ids)
        {
            evidence[resultId] = await RepoLog.ReadAsync(session, StreamKeys.Evidence(resultId), cancellationToken);
        }

        return TypedResults.Ok(ResultHistory.Assemble(record, sources, histories, discussions, evidence));
    }

    /// <param name="pullRequestStatus">The status of the result's pull request, when it has one and it is known.</param>
    public static ResultView View(ResultRecord record, DiscussionStatus? pullRequestStatus)
    {
        var standing = ResultEvidence.StandingOf(record.Evidence, record.ValueText, record.Verified);
        var status = record.State switch
        {
            ResultState.Retracted => "retracted",
            ResultState.Merged => "merged",
            _ when record.PullRequest is not null && pullRequestStatus is DiscussionStatus.Closed => "closed",
            _ when record.PullRequest is not null && pullRequestStatus is DiscussionStatus.Merged => "merged",
            _ => "active",
        };
        return new ResultView(
            record.Id,
            record.Repo,
            record.Path,
            Refs.Of(record.PullRequest),
            record.PullRequest,
            record.PullRequest is null ? "author" : "community",
            record.Hidden,
            record.HiddenReason,
            standing.Verified,
            standing.Disputed,
            new Verification(standing.Status),
            record.DatasetId,
            record.TaskId,
            record.Value,
            record.ValueText,
            record.Notes,
            KnownOrder.ResultItem(record.Data),
            status,
            status == "active" && !record.Hidden,
            record.MergedFrom,
            record.MergedInto,
            record.CreatedAt,
            record.UpdatedAt);
    }

    /// <summary>A result exists for those who may see its repo and its benchmark's dataset (private repos are their owners' only).</summary>
    private static async Task<bool> VisibleAsync(IQuerySession session, ResultRecord record, HttpRequest request, CancellationToken cancellationToken) =>
        await session.LoadVisiblePageAsync(record.Kind, record.Repo, request, cancellationToken) is not null
        && !await session.IsHiddenFromAsync("dataset", record.DatasetId, request, cancellationToken);

    private static ProblemDocumentResult NotFound(string id) => Problems.NotFound($"result {id} does not exist");
}
