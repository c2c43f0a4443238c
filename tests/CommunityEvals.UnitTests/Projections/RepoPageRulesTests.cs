using CommunityEvals.LeaderboardProjection.Models;
using static CommunityEvals.UnitTests.Projections.ProjectionEvents;

namespace CommunityEvals.UnitTests.Projections;

public class RepoPageRulesTests
{
    private readonly ProjectionEvents _log = new();

    private RepoPage? _page;

    private readonly List<RepoRevision> _revisions = [];

    private void Apply(object data, string actor = "alice") =>
        _page = RepoPageRules.Evolve(_page, RepoStream, data, _log.Next(data, actor), _revisions);

    private RepoPage Page => _page!;

    [Fact]
    public void Nothing_exists_before_the_repo_is_created()
    {
        Assert.Null(RepoPageRules.Evolve(null, RepoStream, CommitToMain(Commit("c1", ["README.md"], [])), _log.Next("x")));
    }

    [Fact]
    public void The_card_sets_base_model_only_when_it_changes()
    {
        Apply(Created());
        Apply(CommitToMain(Commit("c1", ["README.md"], []), cardChanged: true, baseModel: ["meta/base"]));
        Apply(CommitToMain(Commit("c2", [".eval_results/a.yaml"], [Result("a0", ".eval_results/a.yaml", 0, 1)])));
        Assert.Equal(["meta/base"], Page.BaseModel);

        Apply(CommitToMain(Commit("c3", ["README.md"], []), cardChanged: true, baseModel: null));
        Assert.Null(Page.BaseModel);
    }

    [Fact]
    public void A_merge_that_brings_a_card_replaces_base_model()
    {
        Apply(Created());
        Apply(CommitToMain(Commit("c1", ["README.md"], []), cardChanged: true, baseModel: ["meta/base"]));
        Apply(Opened(1, "bob", Commit("p1", ["README.md"], [])), "bob");
        Apply(Merged(1, Commit("m1", ["README.md"], []), new Dictionary<string, string>(), baseModel: null));

        Assert.Null(Page.BaseModel);
    }

    [Fact]
    public void Every_commit_is_a_revision_with_the_files_its_ref_held()
    {
        Apply(Created());
        Apply(CommitToMain(Commit("c1", ["README.md", ".eval_results/a.yaml"], [])));
        Apply(Opened(1, "bob", Commit("p1", [".eval_results/b.yaml"], [], deleted: [".eval_results/a.yaml"])), "bob");
        Apply(CommitToMain(Commit("c2", [".eval_results/c.yaml"], [])));

        Assert.Equal("c2", Page.MainHead);
        Assert.Equal(["c1", "p1", "c2"], _revisions.Select(revision => revision.Oid));
        Assert.Equal(["main", "refs/pr/1", "main"], _revisions.Select(revision => revision.Ref));
        Assert.Equal([".eval_results/a.yaml", "README.md"], _revisions[0].Files);
        Assert.Equal([".eval_results/b.yaml", "README.md"], _revisions[1].Files);

        // A pull request's ref is main as it is now, with the pull request's changes on top.
        Assert.Equal([".eval_results/b.yaml", ".eval_results/c.yaml", "README.md"], RepoPageRules.FilesOf(Page, Page.PullRequest(1)!));
    }

    [Fact]
    public void Revisions_resolve_like_the_hub()
    {
        Apply(Created());
        Apply(CommitToMain(Commit("c1", ["README.md"], [])));
        Apply(Opened(1, "bob", Commit("p1", [".eval_results/b.yaml"], [])), "bob");
        Apply(CommitToMain(Commit("c2", [".eval_results/a.yaml"], [])));

        Assert.Equal("c2", ModelsApi.Resolve(Page, "HEAD", _revisions)!.Sha);
        Assert.Equal("c2", ModelsApi.Resolve(Page, "main", _revisions)!.Sha);
        Assert.Equal(["README.md"], ModelsApi.Resolve(Page, "c1", _revisions)!.Files);
        var pullRequest = ModelsApi.Resolve(Page, "refs/pr/1", _revisions)!;
        Assert.Equal(_revisions[1].At, pullRequest.LastModified);
        Assert.Equal("p1", pullRequest.Sha);
        Assert.Equal([".eval_results/a.yaml", ".eval_results/b.yaml", "README.md"], pullRequest.Files);
        Assert.Null(ModelsApi.Resolve(Page, "refs/pr/2", _revisions));
        Assert.Null(ModelsApi.Resolve(Page, "refs/pr/x", _revisions));
        Assert.Null(ModelsApi.Resolve(Page, "deadbeef", _revisions));
    }

    [Fact]
    public void The_stored_page_does_not_grow_with_the_number_of_commits()
    {
        Apply(Created());
        Apply(CommitToMain(Commit("c0", [".eval_results/a.yaml"], [Result("a0", ".eval_results/a.yaml", 0, 0)])));
        var size = System.Text.Json.JsonSerializer.Serialize(Page).Length;

        for (var i = 1; i <= 200; i++)
        {
            Apply(CommitToMain(Commit($"c{i}", [".eval_results/a.yaml"], [Result("a0", ".eval_results/a.yaml", 0, i % 10)])));
        }

        // Only the values differ (one digit, one more in the head's oid and the sequence).
        Assert.InRange(System.Text.Json.JsonSerializer.Serialize(Page).Length, size - 10, size + 10);
        Assert.Equal(201, _revisions.Count);
    }

    [Fact]
    public void A_restated_result_keeps_the_sequence_of_its_last_real_change()
    {
        Apply(Created());
        Apply(CommitToMain(Commit("c1", [".eval_results/a.yaml"], [Result("a0", ".eval_results/a.yaml", 0, 70)])));
        var first = Page.Results.Single().Sequence;

        Apply(CommitToMain(Commit("c2", [".eval_results/a.yaml"], [Result("a0", ".eval_results/a.yaml", 0, 70)])));
        Assert.Equal(first, Page.Results.Single().Sequence);

        Apply(CommitToMain(Commit("c3", [".eval_results/a.yaml"], [Result("a0", ".eval_results/a.yaml", 0, 71)])));
        Assert.True(Page.Results.Single().Sequence > first);
    }

    [Fact]
    public void Card_data_names_one_base_model_as_a_string_and_several_as_a_list()
    {
        Apply(Created());
        Assert.Empty(ModelsApi.CardData(Page));

        Apply(CommitToMain(Commit("c1", ["README.md"], []), cardChanged: true, baseModel: ["meta/base"]));
        Assert.Equal("meta/base", ModelsApi.CardData(Page)["base_model"]);

        Apply(CommitToMain(Commit("c2", ["README.md"], []), cardChanged: true, baseModel: ["a/x", "b/y"]));
        Assert.Equal(new List<string> { "a/x", "b/y" }, ModelsApi.CardData(Page)["base_model"]);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(12)]
    public void A_commit_naming_an_id_twice_keeps_its_last_entry_and_the_rest_in_order(int files)
    {
        // Twelve files take the lookup past the few names it compares in turn.
        var paths = Enumerable.Range(0, files).Select(i => $".eval_results/f{i:D2}.yaml").ToList();
        Apply(Created());
        Apply(CommitToMain(Commit("c1", paths, [.. paths.Select((path, i) => Result($"r{i}", path, 0, i))])));
        var first = Page.Results.Single(result => result.ResultId == "r1");

        Apply(CommitToMain(Commit("c2", [paths[0]], [Result("r0", paths[0], 0, 50), Result("r0", paths[0], 0, 60)])));

        Assert.Equal([.. Enumerable.Range(1, files - 1).Select(i => $"r{i}"), "r0"], Page.Results.Select(result => result.ResultId));
        Assert.Equal(60, Page.Results[^1].Value);
        Assert.Same(first, Page.Results[0]);
    }

    [Fact]
    public void A_result_restated_unchanged_keeps_when_it_last_changed_and_a_retracted_one_goes()
    {
        Apply(Created());
        Apply(CommitToMain(Commit("c1", [".eval_results/a.yaml", ".eval_results/b.yaml"],
            [Result("a0", ".eval_results/a.yaml", 0, 1), Result("b0", ".eval_results/b.yaml", 0, 2)])));
        var created = Page.Results.Single(result => result.ResultId == "a0").Sequence;

        Apply(CommitToMain(Commit("c2", [".eval_results/a.yaml"], [Result("a0", ".eval_results/a.yaml", 0, 1)], retracted: ["b0"])));

        var restated = Assert.Single(Page.Results);
        Assert.Equal(("a0", created), (restated.ResultId, restated.Sequence));
    }
}
