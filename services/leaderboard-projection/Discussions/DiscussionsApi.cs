using System.Net;
using System.Text.Json.Serialization;
using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Models;
using CommunityEvals.LeaderboardProjection.Shared;
using CommunityEvals.Platform.Http;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityEvals.LeaderboardProjection.Discussions;

/// <summary>
/// Reading pull requests in the Hub's shapes (what <c>get_repo_discussions</c> and
/// <c>get_discussion_details</c> parse). Writing them is ingestion's job.
/// </summary>
public static class DiscussionsApi
{
    /// <summary>The Hub's page size for discussion lists.</summary>
    public const int PageSize = 50;

    public static IEndpointRouteBuilder MapDiscussionsApi(this IEndpointRouteBuilder app)
    {
        var discussions = app.MapGroup("/api/{kinds:regex(^(models|datasets)$)}/{org}/{name}/discussions");
        discussions.MapGet("/", ListAsync);
        discussions.MapGet("/{num:int}", GetAsync);
        return app;
    }

    public sealed record Person(string Name);

    public sealed record RepoRef(string Name, string Type);

    public sealed record RepoOwner(string Name, string Type, bool IsParticipating);

    public sealed record DiscussionItem(
        int Num,
        string Title,
        string Status,
        bool IsPullRequest,
        Person Author,
        string CreatedAt,
        RepoRef Repo,
        RepoOwner RepoOwner,
        int NumComments,
        bool Pinned,
        IReadOnlyList<object> TopReactions,
        int NumReactionUsers);

    public sealed record DiscussionPage(IReadOnlyList<DiscussionItem> Discussions, int Count, int Start, int NumClosedDiscussions);

    public sealed record Changes(
        string Base,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MergeCommitId);

    /// <summary>One timeline item; <c>data</c> depends on <c>type</c>.</summary>
    public sealed record EventItem(string Id, string Type, Person Author, string CreatedAt, object Data);

    public sealed record CommentLatest(string Raw, string Html, string UpdatedAt, Person Author);

    public sealed record CommentData(
        bool Edited,
        bool Hidden,
        CommentLatest Latest,
        int NumEdits,
        IReadOnlyList<string> Editors,
        IReadOnlyList<object> Reactions,
        IReadOnlyList<object> History,
        bool IsReport);

    public sealed record CommitData(string Subject, string Oid);

    public sealed record StatusData(string Status);

    public sealed record DiscussionDetails(
        [property: JsonPropertyName("_id")] string ObjectId,
        int Num,
        string Title,
        string Status,
        bool IsPullRequest,
        Person Author,
        string CreatedAt,
        RepoRef Repo,
        RepoOwner RepoOwner,
        IReadOnlyList<EventItem> Events,
        Changes Changes,
        IReadOnlyList<string> FilesWithConflicts,
        bool Pinned,
        bool Locked,
        bool IsReport);

    public static async Task<Results<Ok<DiscussionPage>, ProblemDocumentResult>> ListAsync(
        string kinds, string org, string name, HttpRequest request, IQuerySession session, CancellationToken cancellationToken)
    {
        var kind = KindOf(kinds);
        var repo = $"{org}/{name}";
        var page = await session.LoadVisiblePageAsync(kind, repo, request, cancellationToken);
        if (page is null)
        {
            return RepoNotFound(kind, repo);
        }

        // huggingface_hub's get_repo_discussions asks for page N with ?p=N and filters with type,
        // status and author, each one of the values it allows.
        var query = request.Query;
        var pageIndex = 0;
        if (query["p"].FirstOrDefault() is { Length: > 0 } pageText
            && (!int.TryParse(pageText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out pageIndex) || pageIndex < 0))
        {
            return Problems.BadRequest("'p' (the page, from 0) must be a non-negative integer.");
        }

        var type = query["type"].FirstOrDefault() ?? "all";
        var status = query["status"].FirstOrDefault() ?? "all";
        if (type is not ("all" or "discussion" or "pull_request"))
        {
            return Problems.BadRequest("'type' must be all, discussion or pull_request.");
        }

        if (status is not ("all" or "open" or "closed"))
        {
            return Problems.BadRequest("'status' must be all, open or closed.");
        }

        var discussions = await session.Query<Discussion>()
            .Where(discussion => discussion.RepoKey == page.Id)
            .ToListAsync(cancellationToken);

        // Only pull requests exist here, so asking for plain discussions finds none.
        var author = query["author"].FirstOrDefault();
        var search = query["search"].FirstOrDefault();
        var matching = discussions
            .Where(discussion => type is not "discussion")
            .Where(discussion => status switch
            {
                "open" => discussion.Status == DiscussionStatus.Open,
                "closed" => discussion.Status != DiscussionStatus.Open,
                _ => true,
            })
            .Where(discussion => string.IsNullOrEmpty(author) || string.Equals(discussion.Author, author, StringComparison.OrdinalIgnoreCase))
            .Where(discussion => string.IsNullOrEmpty(search) || discussion.Title.Contains(search, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(discussion => discussion.Number)
            .ToList();

        var start = pageIndex * PageSize;
        var items = matching.Skip(start).Take(PageSize)
            .Select(discussion => new DiscussionItem(
                discussion.Number,
                discussion.Title,
                discussion.Status.ToHub(),
                IsPullRequest: true,
                new Person(discussion.Author),
                HubFormat.Time(discussion.CreatedAt),
                RepoOf(page),
                OwnerOf(page),
                discussion.NumComments,
                Pinned: false,
                TopReactions: [],
                NumReactionUsers: 0))
            .ToList();
        var closed = discussions.Count(discussion => discussion.Status != DiscussionStatus.Open);
        return TypedResults.Ok(new DiscussionPage(items, matching.Count, start, closed));
    }

    public static async Task<Results<Ok<DiscussionDetails>, ProblemDocumentResult>> GetAsync(
        string kinds, string org, string name, int num, HttpRequest request, IQuerySession session, CancellationToken cancellationToken)
    {
        var kind = KindOf(kinds);
        var repo = $"{org}/{name}";
        var page = await session.LoadVisiblePageAsync(kind, repo, request, cancellationToken);
        if (page is null)
        {
            return RepoNotFound(kind, repo);
        }

        var discussion = await session.LoadAsync<Discussion>(Discussion.KeyOf(kind, repo, num), cancellationToken);
        if (discussion is null)
        {
            return Problems.NotFound($"discussion #{num} does not exist in {repo}");
        }

        return TypedResults.Ok(new DiscussionDetails(
            HubFormat.ObjectId(discussion.Id),
            discussion.Number,
            discussion.Title,
            discussion.Status.ToHub(),
            IsPullRequest: true,
            new Person(discussion.Author),
            HubFormat.Time(discussion.CreatedAt),
            RepoOf(page),
            OwnerOf(page),
            discussion.Events.Select(ToItem).ToList(),
            new Changes("refs/heads/main", discussion.MergeCommitOid),
            FilesWithConflicts: [],
            Pinned: false,
            Locked: false,
            IsReport: false));
    }

    public static EventItem ToItem(DiscussionEntry entry)
    {
        var createdAt = HubFormat.Time(entry.CreatedAt);
        object data = entry.Type switch
        {
            DiscussionEntry.Comment => new CommentData(
                Edited: false,
                Hidden: false,
                new CommentLatest(entry.Text ?? "", Html(entry.Text ?? ""), createdAt, new Person(entry.Author)),
                NumEdits: 0,
                Editors: [entry.Author],
                Reactions: [],
                History: [],
                IsReport: false),
            DiscussionEntry.Commit => new CommitData(entry.Subject ?? "", entry.Oid ?? ""),
            _ => new StatusData(entry.Status?.ToHub() ?? "open"),
        };
        return new EventItem(entry.Id, entry.Type, new Person(entry.Author), createdAt, data);
    }

    /// <summary>Comments are shown as escaped text, one paragraph per blank-line-separated block.</summary>
    private static string Html(string raw) => string.Concat(
        raw.Replace("\r\n", "\n", StringComparison.Ordinal)
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(block => $"<p>{WebUtility.HtmlEncode(block).Replace("\n", "<br>", StringComparison.Ordinal)}</p>"));

    private static RepoRef RepoOf(RepoPage page) => new(page.Repo, page.Kind);

    private static RepoOwner OwnerOf(RepoPage page) => new(page.Owner, page.OwnerIsOrg ? "org" : "user", IsParticipating: false);

    private static string KindOf(string kinds) => kinds == "datasets" ? "dataset" : "model";

    private static ProblemDocumentResult RepoNotFound(string kind, string repo) => Problems.RepoNotFound(kind, repo);
}
