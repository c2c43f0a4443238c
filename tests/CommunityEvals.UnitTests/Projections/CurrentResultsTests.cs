using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Models;
using CommunityEvals.LeaderboardProjection.Shared;
using static CommunityEvals.UnitTests.Projections.ProjectionEvents;

namespace CommunityEvals.UnitTests.Projections;

public class CurrentResultsTests
{
    private readonly ProjectionEvents _log = new();

    private RepoPage? _page;

    private void Apply(object data, string actor = "alice") =>
        _page = RepoPageRules.Evolve(_page, RepoStream, data, _log.Next(data, actor));

    private RepoPage Page => _page!;

    private static List<string> Ids(IEnumerable<CurrentResult> results) => results.Select(result => result.Result.ResultId).ToList();

    [Fact]
    public void Main_results_are_the_authors_and_open_pull_requests_the_communitys()
    {
        Apply(Created());
        Apply(CommitToMain(Commit("c1", [".eval_results/a.yaml"], [Result("m1", ".eval_results/a.yaml", 0, 70)])));
        Apply(Opened(1, "bob", Commit("p1", [".eval_results/b.yaml"], [Result("b1", ".eval_results/b.yaml", 0, 80)])), "bob");

        var current = CurrentResults.Of(Page);

        Assert.Equal(["m1", "b1"], Ids(current));
        Assert.Equal(("main", (int?)null, CurrentResult.Author), (current[0].Ref, current[0].PullRequest, current[0].Origin));
        Assert.Equal(("refs/pr/1", (int?)1, CurrentResult.Community), (current[1].Ref, current[1].PullRequest, current[1].Origin));
    }

    [Fact]
    public void Closing_a_pull_request_removes_its_results_and_reopening_brings_them_back()
    {
        Apply(Created());
        Apply(Opened(1, "bob", Commit("p1", [".eval_results/b.yaml"], [Result("b1", ".eval_results/b.yaml", 0, 80)])), "bob");

        Apply(Closed(1, "not reproducible"));
        Assert.Empty(CurrentResults.Of(Page));

        Apply(Reopened(1), "bob");
        Assert.Equal(["b1"], Ids(CurrentResults.Of(Page)));
    }

    [Fact]
    public void Merging_replaces_the_pull_requests_results_by_main_results()
    {
        Apply(Created());
        Apply(Opened(1, "bob", Commit("p1", [".eval_results/b.yaml"], [Result("b1", ".eval_results/b.yaml", 0, 80)])), "bob");
        Apply(Merged(1, Commit("m1", [".eval_results/b.yaml"], [Result("mb1", ".eval_results/b.yaml", 0, 80)]), new Dictionary<string, string> { ["mb1"] = "b1" }));

        var current = Assert.Single(CurrentResults.Of(Page));
        Assert.Equal(("mb1", "main", CurrentResult.Author), (current.Result.ResultId, current.Ref, current.Origin));
        Assert.Equal(DiscussionStatus.Merged, Page.PullRequest(1)!.Status);
    }

    [Fact]
    public void Hidden_results_are_left_out_unless_asked_for_and_unhiding_restores_them()
    {
        Apply(Created());
        Apply(CommitToMain(Commit("c1", [".eval_results/a.yaml"], [Result("m1", ".eval_results/a.yaml", 0, 70), Result("m2", ".eval_results/a.yaml", 1, 71)])));
        Apply(new ResultHidden(Repo, "m1", "wrong split"));

        Assert.Equal(["m2"], Ids(CurrentResults.Of(Page)));
        var all = CurrentResults.Of(Page, includeHidden: true);
        Assert.Equal(["m1", "m2"], Ids(all));
        Assert.True(all[0].Hidden);
        Assert.Equal("wrong split", all[0].HiddenReason);
        Assert.Equal("alice", Page.Hidden.Single().By);

        Apply(new ResultUnhidden(Repo, "m1"));
        Assert.Equal(["m1", "m2"], Ids(CurrentResults.Of(Page)));
    }

    [Fact]
    public void Recommitting_a_file_replaces_its_results_and_leaves_other_files_alone()
    {
        Apply(Created());
        Apply(CommitToMain(Commit("c1", [".eval_results/a.yaml", ".eval_results/b.yaml"],
            [Result("a0", ".eval_results/a.yaml", 0, 70), Result("a1", ".eval_results/a.yaml", 1, 71), Result("b0", ".eval_results/b.yaml", 0, 60)])));

        Apply(CommitToMain(Commit("c2", [".eval_results/a.yaml"], [Result("a0", ".eval_results/a.yaml", 0, 72)], retracted: ["a1"])));

        var current = CurrentResults.Of(Page);
        Assert.Equal(["a0", "b0"], Ids(current));
        Assert.Equal(72, current[0].Result.Value);
    }

    [Fact]
    public void Deleting_a_file_retracts_its_results()
    {
        Apply(Created());
        Apply(CommitToMain(Commit("c1", [".eval_results/a.yaml", ".eval_results/b.yaml"],
            [Result("a0", ".eval_results/a.yaml", 0, 70), Result("b0", ".eval_results/b.yaml", 0, 60)])));

        Apply(CommitToMain(Commit("c2", [], [], deleted: [".eval_results/a.yaml"], retracted: ["a0"])));

        Assert.Equal(["b0"], Ids(CurrentResults.Of(Page)));
        Assert.Equal([".eval_results/b.yaml"], Page.MainFiles.Select(file => file.Path));
    }

    [Fact]
    public void A_pull_request_update_replaces_only_its_own_results()
    {
        Apply(Created());
        Apply(CommitToMain(Commit("c1", [".eval_results/a.yaml"], [Result("a0", ".eval_results/a.yaml", 0, 70)])));
        Apply(Opened(1, "bob", Commit("p1", [".eval_results/b.yaml"], [Result("b0", ".eval_results/b.yaml", 0, 80), Result("b1", ".eval_results/b.yaml", 1, 81)])), "bob");
        Apply(Opened(2, "carol", Commit("p2", [".eval_results/c.yaml"], [Result("c0", ".eval_results/c.yaml", 0, 90)])), "carol");

        Apply(Updated(1, Commit("p1b", [".eval_results/b.yaml"], [Result("b0", ".eval_results/b.yaml", 0, 82)], retracted: ["b1"])), "bob");

        var current = CurrentResults.Of(Page);
        Assert.Equal(["a0", "b0", "c0"], Ids(current));
        Assert.Equal(82, current[1].Result.Value);
    }

    [Fact]
    public void The_pure_selection_works_on_plain_lists()
    {
        var results = new List<RepoResult>
        {
            new() { ResultId = "p3", PullRequest = 3, Path = "x", Index = 0 },
            new() { ResultId = "p2", PullRequest = 2, Path = "x", Index = 0 },
            new() { ResultId = "m", Path = "y", Index = 1 },
            new() { ResultId = "m0", Path = "y", Index = 0 },
        };
        var pullRequests = new List<RepoPullRequest>
        {
            new() { Number = 2, Status = DiscussionStatus.Open },
            new() { Number = 3, Status = DiscussionStatus.Closed },
        };

        var current = CurrentResults.Select(results, pullRequests, [new HiddenMark { ResultId = "m", Reason = "r" }]);

        Assert.Equal(["m0", "p2"], Ids(current));
    }

    /// <summary>Open pull requests are flags by number up to a bound, and a set beyond it: both must answer alike.</summary>
    [Theory]
    [InlineData(new[] { 1, 2, 3 }, new[] { 2 })]
    [InlineData(new[] { 7, 4096, 4097, 90_000, -3 }, new[] { 4096, 90_000, -3 })]
    [InlineData(new[] { 5 }, new int[0])]
    public void A_pull_requests_results_are_current_exactly_while_it_is_open(int[] numbers, int[] open)
    {
        var pullRequests = numbers.Select(number => new RepoPullRequest
        {
            Number = number,
            Status = open.Contains(number) ? DiscussionStatus.Open : number % 2 == 0 ? DiscussionStatus.Merged : DiscussionStatus.Closed,
        }).ToList();
        var hidden = new HiddenMark { ResultId = "hidden" };
        var standing = new ResultStanding(pullRequests, [hidden]);

        foreach (var number in numbers.Append(1_000_000).Append(4095))
        {
            var result = new RepoResult { ResultId = $"r{number}", PullRequest = number };
            Assert.Equal(open.Contains(number), standing.IsCurrent(result));
            Assert.Equal(open.Contains(number), standing.Counts(result));
        }

        Assert.True(standing.IsCurrent(new RepoResult { ResultId = "hidden" }));
        Assert.False(standing.Counts(new RepoResult { ResultId = "hidden" }));
        Assert.Same(hidden, standing.HiddenMarkOf(new RepoResult { ResultId = "hidden" }));
        Assert.True(standing.Counts(new RepoResult { ResultId = "main" }));
        Assert.Null(standing.HiddenMarkOf(new RepoResult { ResultId = "main" }));
    }
}
