using CommunityEvals.Contracts.Events;
using CommunityEvals.Platform.Access;
using JasperFx.Events;

namespace CommunityEvals.Ingestion.Repos;

public enum PullRequestStatus
{
    Open,
    Closed,
    Merged,
}

/// <summary>A pull request as the write side needs it: who may touch it, and what it changes.</summary>
public sealed class PullRequestState
{
    public int Number { get; set; }

    public string Title { get; set; } = "";

    public string Author { get; set; } = "";

    public PullRequestStatus Status { get; set; }

    public string Head { get; set; } = "";

    /// <summary>Files the pull request writes, by path.</summary>
    public Dictionary<string, CommittedFile> Files { get; set; } = [];

    /// <summary>Files the pull request deletes from main.</summary>
    public List<string> DeletedPaths { get; set; } = [];

    /// <summary>The results its files hold, by path.</summary>
    public Dictionary<string, List<ResultEntry>> Results { get; set; } = [];
}

/// <summary>
/// A repo's stream folded into what its deciders need: owner, main's files and results, pull
/// requests, hidden results. Id is the stream key; Version guards concurrent writers.
/// </summary>
public sealed class RepoState
{
    public string Id { get; set; } = "";

    public long Version { get; set; }

    public string Repo { get; set; } = "";

    public string Kind { get; set; } = "";

    public string Owner { get; set; } = "";

    public bool OwnerIsOrg { get; set; }

    public string? MainHead { get; set; }

    public Dictionary<string, CommittedFile> MainFiles { get; set; } = [];

    public Dictionary<string, List<ResultEntry>> MainResults { get; set; } = [];

    public List<string>? BaseModel { get; set; }

    public List<PullRequestState> PullRequests { get; set; } = [];

    public List<string> HiddenResults { get; set; } = [];

    /// <summary>Visibility, gating and access requests: the rules every service applies.</summary>
    public RepoAccessState Access { get; set; } = new();

    public PullRequestState? PullRequest(int number) => PullRequests.FirstOrDefault(pr => pr.Number == number);

    public bool HasResult(string resultId) =>
        MainResults.Values.Concat(PullRequests.SelectMany(pr => pr.Results.Values))
            .Any(results => results.Any(result => result.ResultId == resultId));

    public static RepoState Create(RepoCreated created) => new()
    {
        Repo = created.Repo,
        Kind = created.Kind,
        Owner = created.Owner,
        OwnerIsOrg = created.OwnerIsOrg,
        Access = RepoAccessState.Create(created),
    };

    public void Apply(RepoSettingsChanged changed) => Access.Apply(changed);

    public void Apply(IEvent<AccessRequested> requested) => Access.Apply(requested);

    public void Apply(IEvent<AccessRequestHandled> handled) => Access.Apply(handled);

    public void Apply(IEvent<AccessGranted> granted) => Access.Apply(granted);

    public void Apply(MainCommitted committed)
    {
        ApplyToMain(committed.Commit);
        if (committed.CardChanged)
        {
            BaseModel = committed.BaseModel?.ToList();
        }
    }

    public void Apply(PullRequestOpened opened)
    {
        var pullRequest = new PullRequestState
        {
            Number = opened.Number,
            Title = opened.Title,
            Author = opened.Author,
            Status = PullRequestStatus.Open,
        };
        ApplyToPullRequest(pullRequest, opened.Commit);
        PullRequests.Add(pullRequest);
    }

    public void Apply(PullRequestUpdated updated) => ApplyToPullRequest(PullRequest(updated.Number)!, updated.Commit);

    public void Apply(PullRequestClosed closed) => PullRequest(closed.Number)!.Status = PullRequestStatus.Closed;

    public void Apply(PullRequestReopened reopened) => PullRequest(reopened.Number)!.Status = PullRequestStatus.Open;

    public void Apply(PullRequestMerged merged)
    {
        PullRequest(merged.Number)!.Status = PullRequestStatus.Merged;
        ApplyToMain(merged.Commit);
        if (merged.BaseModel is not null || merged.Commit.Files.Any(file => file.Path == RepoPaths.Card))
        {
            BaseModel = merged.BaseModel?.ToList();
        }
    }

    public void Apply(PullRequestCommented _)
    {
    }

    public void Apply(ResultHidden hidden)
    {
        if (!HiddenResults.Contains(hidden.ResultId))
        {
            HiddenResults.Add(hidden.ResultId);
        }
    }

    public void Apply(ResultUnhidden unhidden) => HiddenResults.Remove(unhidden.ResultId);

    private void ApplyToMain(CommitChanges commit)
    {
        MainHead = commit.CommitOid;
        foreach (var path in commit.DeletedPaths)
        {
            MainFiles.Remove(path);
            MainResults.Remove(path);
        }

        foreach (var file in commit.Files)
        {
            MainFiles[file.Path] = file;
            MainResults[file.Path] = commit.Results.Where(result => result.Path == file.Path).ToList();
        }
    }

    private void ApplyToPullRequest(PullRequestState pullRequest, CommitChanges commit)
    {
        pullRequest.Head = commit.CommitOid;
        foreach (var path in commit.DeletedPaths)
        {
            pullRequest.Files.Remove(path);
            pullRequest.Results.Remove(path);
            if (!pullRequest.DeletedPaths.Contains(path))
            {
                pullRequest.DeletedPaths.Add(path);
            }
        }

        foreach (var file in commit.Files)
        {
            pullRequest.Files[file.Path] = file;
            pullRequest.Results[file.Path] = commit.Results.Where(result => result.Path == file.Path).ToList();
            pullRequest.DeletedPaths.Remove(file.Path);
        }
    }
}
