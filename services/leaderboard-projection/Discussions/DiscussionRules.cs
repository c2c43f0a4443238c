using System.Globalization;
using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Shared;

namespace CommunityEvals.LeaderboardProjection.Discussions;

/// <summary>How pull-request events build a <see cref="Discussion"/>'s timeline; pure.</summary>
public static class DiscussionRules
{
    public const string DeletedUser = "deleted";

    /// <summary>The discussion an event belongs to, or null for events that are not about one.</summary>
    public static string? KeyOf(object data) => data switch
    {
        PullRequestOpened e => Discussion.KeyOf(e.Kind, e.Repo, e.Number),
        PullRequestUpdated e => Discussion.KeyOf(e.Kind, e.Repo, e.Number),
        PullRequestCommented e => Discussion.KeyOf(e.Kind, e.Repo, e.Number),
        PullRequestClosed e => Discussion.KeyOf(e.Kind, e.Repo, e.Number),
        PullRequestReopened e => Discussion.KeyOf(e.Kind, e.Repo, e.Number),
        PullRequestMerged e => Discussion.KeyOf(e.Kind, e.Repo, e.Number),
        _ => null,
    };

    public static Discussion? Evolve(Discussion? discussion, string id, object data, EventInfo info)
    {
        var actor = string.IsNullOrEmpty(info.Actor) ? DeletedUser : info.Actor;
        if (data is PullRequestOpened opened)
        {
            discussion ??= new Discussion
            {
                Id = id,
                RepoKey = StreamKeys.Repo(opened.Kind, opened.Repo),
                Repo = opened.Repo,
                Kind = opened.Kind,
                Number = opened.Number,
                Title = opened.Title,
                Author = opened.Author,
                Status = DiscussionStatus.Open,
                CreatedAt = info.Timestamp,
                Head = opened.Commit.CommitOid,
            };
            var author = string.IsNullOrEmpty(opened.Author) ? actor : opened.Author;
            var entries = new Entries(discussion, info);
            if (!string.IsNullOrWhiteSpace(opened.Commit.Description))
            {
                entries.Comment(author, opened.Commit.Description);
            }

            entries.Commit(author, opened.Commit);
            return discussion;
        }

        if (discussion is null)
        {
            return null;
        }

        var timeline = new Entries(discussion, info);
        switch (data)
        {
            case PullRequestUpdated updated:
                timeline.Commit(actor, updated.Commit);
                discussion.Head = updated.Commit.CommitOid;
                break;
            case PullRequestCommented commented:
                timeline.Comment(actor, commented.Comment);
                break;
            case PullRequestClosed closed:
                timeline.CommentIfAny(actor, closed.Comment);
                timeline.Status(actor, DiscussionStatus.Closed);
                break;
            case PullRequestReopened reopened:
                timeline.CommentIfAny(actor, reopened.Comment);
                timeline.Status(actor, DiscussionStatus.Open);
                break;
            case PullRequestMerged merged:
                timeline.CommentIfAny(actor, merged.Commit.Description);
                timeline.Status(actor, DiscussionStatus.Merged);
                discussion.MergeCommitOid = merged.Commit.CommitOid;
                break;
            default:
                return discussion;
        }

        return discussion;
    }

    /// <summary>Appends the timeline items of one store event, numbering them within it.</summary>
    private sealed class Entries(Discussion discussion, EventInfo info)
    {
        private int _count;

        public void Comment(string author, string text)
        {
            Add(author, DiscussionEntry.Comment, entry => entry.Text = text);
            discussion.NumComments++;
        }

        public void CommentIfAny(string author, string? text)
        {
            if (!string.IsNullOrWhiteSpace(text))
            {
                Comment(author, text);
            }
        }

        public void Commit(string author, CommitChanges commit) =>
            Add(author, DiscussionEntry.Commit, entry =>
            {
                entry.Oid = commit.CommitOid;
                entry.Subject = commit.Summary;
            });

        public void Status(string author, DiscussionStatus status)
        {
            Add(author, DiscussionEntry.StatusChange, entry => entry.Status = status);
            discussion.Status = status;
        }

        private void Add(string author, string type, Action<DiscussionEntry> fill)
        {
            _count++;
            var entry = new DiscussionEntry
            {
                Id = info.Sequence.ToString("x16", CultureInfo.InvariantCulture) + _count.ToString("x8", CultureInfo.InvariantCulture),
                Type = type,
                Author = author,
                CreatedAt = info.Timestamp,
                Sequence = info.Sequence,
                EventType = info.Type,
            };
            fill(entry);
            discussion.Events.Add(entry);
            discussion.UpdatedAt = info.Timestamp;
        }
    }
}
