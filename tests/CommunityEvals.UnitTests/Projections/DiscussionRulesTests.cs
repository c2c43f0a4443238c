using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Discussions;
using CommunityEvals.LeaderboardProjection.Shared;
using static CommunityEvals.UnitTests.Projections.ProjectionEvents;

namespace CommunityEvals.UnitTests.Projections;

public class DiscussionRulesTests
{
    private static readonly string Key = Discussion.KeyOf(Kind, Repo, 1);

    private readonly ProjectionEvents _log = new();

    private Discussion? _discussion;

    private void Apply(object data, string actor) =>
        _discussion = DiscussionRules.Evolve(_discussion, Key, data, _log.Next(data, actor));

    [Fact]
    public void Every_pull_request_event_names_its_discussion()
    {
        Assert.Equal("model/acme/model-7b#1", DiscussionRules.KeyOf(Closed(1)));
        Assert.Equal("model/acme/model-7b#1", DiscussionRules.KeyOf(new PullRequestCommented(Repo, Kind, 1, "hi")));
        Assert.Null(DiscussionRules.KeyOf(Created()));
    }

    [Fact]
    public void The_timeline_holds_comments_commits_and_status_changes_in_order()
    {
        Apply(Opened(1, "bob", Commit("p1", [".eval_results/b.yaml"], [], summary: "Add bob's result", description: "Measured locally")), "bob");
        Apply(Updated(1, Commit("p2", [".eval_results/b.yaml"], [], summary: "Fix value")), "bob");
        Apply(new PullRequestCommented(Repo, Kind, 1, "Thanks!"), "alice");
        Apply(Closed(1, "Not reproducible"), "alice");
        Apply(Reopened(1), "bob");
        Apply(Merged(1, Commit("m1", [".eval_results/b.yaml"], [], summary: "Merge pull request #1"), new Dictionary<string, string>()), "alice");

        var discussion = _discussion!;
        Assert.Equal(("bob", "Add results", DiscussionStatus.Merged, "m1", "p2"),
            (discussion.Author, discussion.Title, discussion.Status, discussion.MergeCommitOid, discussion.Head));
        Assert.Equal("model/acme/model-7b", discussion.RepoKey);
        Assert.Equal(
            ["comment", "commit", "commit", "comment", "comment", "status-change", "status-change", "status-change"],
            discussion.Events.Select(entry => entry.Type));
        Assert.Equal(["bob", "bob", "bob", "alice", "alice", "alice", "bob", "alice"], discussion.Events.Select(entry => entry.Author));
        Assert.Equal("Measured locally", discussion.Events[0].Text);
        Assert.Equal(("p1", "Add bob's result"), (discussion.Events[1].Oid, discussion.Events[1].Subject));
        Assert.Equal([DiscussionStatus.Closed, DiscussionStatus.Open, DiscussionStatus.Merged],
            discussion.Events.Where(entry => entry.Type == DiscussionEntry.StatusChange).Select(entry => entry.Status!.Value));
        Assert.Equal(3, discussion.NumComments);

        // Ids are unique, hex, and stable for a given log.
        Assert.Equal(discussion.Events.Count, discussion.Events.Select(entry => entry.Id).Distinct().Count());
        Assert.All(discussion.Events, entry => Assert.Matches("^[0-9a-f]{24}$", entry.Id));
    }

    [Fact]
    public void Events_before_the_pull_request_opened_make_nothing()
    {
        Assert.Null(DiscussionRules.Evolve(null, Key, Closed(1), _log.Next(Closed(1))));
    }

    [Fact]
    public void Timeline_items_have_the_hubs_shape()
    {
        Apply(Opened(1, "bob", Commit("p1", ["a"], [], summary: "S")), "bob");
        Apply(new PullRequestCommented(Repo, Kind, 1, "a <b>\n\nc"), "alice");
        Apply(Closed(1), "alice");

        var items = _discussion!.Events.Select(DiscussionsApi.ToItem).ToList();

        var commit = Assert.IsType<DiscussionsApi.CommitData>(items[0].Data);
        Assert.Equal(("S", "p1"), (commit.Subject, commit.Oid));
        var comment = Assert.IsType<DiscussionsApi.CommentData>(items[1].Data);
        Assert.Equal("a <b>\n\nc", comment.Latest.Raw);
        Assert.Equal("<p>a &lt;b&gt;</p><p>c</p>", comment.Latest.Html);
        Assert.Equal("closed", Assert.IsType<DiscussionsApi.StatusData>(items[2].Data).Status);
        Assert.EndsWith("Z", items[0].CreatedAt);
    }
}
