using System.Text;
using CommunityEvals.Contracts.Events;
using CommunityEvals.Formats;
using CommunityEvals.Ingestion.Commits;
using CommunityEvals.Ingestion.Discussions;
using CommunityEvals.Ingestion.Hiding;
using CommunityEvals.Ingestion.Repos;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Identity;

namespace CommunityEvals.UnitTests.Commits;

public class CommitDecisionsTests
{
    private const string EvalYaml = """
        name: MMLU-Pro
        description: Ten-choice MMLU.
        evaluation_framework: inspect-ai
        tasks:
          - id: mmlu_pro
            field_spec: {input: question, target: answer, choices: options}
            solvers: [{name: multiple_choice}]
            scorers: [{name: choice}]
        leaderboard:
          mmlu_pro: {metric: accuracy, higher_is_better: true, range: [0, 100]}
        """;

    private static readonly FormatParser Parser = new();

    private static readonly IBenchmarkCatalog Catalog = new BenchmarkCatalog(
    [
        new("TIGER-Lab/MMLU-Pro", Parser.ParseBenchmark("eval.yaml", Encoding.UTF8.GetBytes(EvalYaml)).Value!),
    ]);

    private static readonly Actor Owner = new(new Caller("alice", Caller.WriteRole, "t-alice"), ["acme"]);
    private static readonly Actor Stranger = new(new Caller("mallory", Caller.WriteRole, "t-mallory"), []);

    private static RepoState ModelRepo()
    {
        var repo = RepoState.Create(new RepoCreated("acme/model-7b", RepoPaths.Model, "acme", true));
        repo.Id = StreamKeys.Repo(RepoPaths.Model, "acme/model-7b");
        return repo;
    }

    private static string Result(double value) => $"""
        - dataset:
            id: TIGER-Lab/MMLU-Pro
            task_id: mmlu_pro
          value: {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}
        """;

    private static CommitFiles Commit(CommitTarget target, params (string Path, string Content)[] files) => new(
        target,
        new IncomingCommit(new CommitHeader("Add results", null, null), files.Select((f, i) => new IncomingFile(f.Path, Encoding.UTF8.GetBytes(f.Content), i + 2)).ToList(), []),
        Guid.NewGuid().ToString("N") + "00000000");

    private static CommitOutcome Decide(CommitFiles command, RepoState repo, Actor actor) =>
        CommitDecisions.Decide(command, repo, actor, Parser, Catalog, null);

    [Fact]
    public void An_owner_commit_to_main_records_the_results_with_stable_ids()
    {
        var repo = ModelRepo();

        var outcome = Decide(Commit(new CommitTarget.Main(), (".eval_results/mmlu.yaml", Result(74.2))), repo, Owner);

        var committed = Assert.IsType<MainCommitted>(Assert.Single(outcome.Decision.Events).Event);
        var result = Assert.Single(committed.Commit.Results);
        Assert.Equal(74.2, result.Value);
        Assert.Equal("74.2", result.ValueText);
        Assert.Equal(CommitDecisions.ResultId(RepoPaths.Model, "acme/model-7b", "main", ".eval_results/mmlu.yaml", 0), result.ResultId);
        Assert.Empty(committed.Commit.RetractedResultIds);
    }

    [Fact]
    public void Someone_else_cannot_commit_to_main_but_may_open_a_pull_request()
    {
        var repo = ModelRepo();

        var toMain = Decide(Commit(new CommitTarget.Main(), (".eval_results/mmlu.yaml", Result(74.2))), repo, Stranger);
        var pullRequest = Decide(Commit(new CommitTarget.NewPullRequest(), (".eval_results/mmlu.yaml", Result(80))), repo, Stranger);

        Assert.Equal(RejectionKind.Forbidden, toMain.Decision.Rejection?.Kind);
        var opened = Assert.IsType<PullRequestOpened>(Assert.Single(pullRequest.Decision.Events).Event);
        Assert.Equal(1, opened.Number);
        Assert.Equal("mallory", opened.Author);
        Assert.Equal(CommitDecisions.ResultId(RepoPaths.Model, "acme/model-7b", "refs/pr/1", ".eval_results/mmlu.yaml", 0), opened.Commit.Results[0].ResultId);
    }

    [Fact]
    public void One_bad_file_refuses_the_whole_commit_naming_file_item_and_field()
    {
        var repo = ModelRepo();

        var outcome = Decide(Commit(new CommitTarget.Main(),
            (".eval_results/good.yaml", Result(74.2)),
            (".eval_results/bad.yaml", Result(174.2))), repo, Owner);

        Assert.Equal(RejectionKind.Invalid, outcome.Decision.Rejection?.Kind);
        Assert.Empty(outcome.Decision.Events);
        var error = Assert.Single(outcome.Decision.Rejection!.Errors!);
        Assert.Equal((".eval_results/bad.yaml", 0, "value"), (error.File, error.Item, error.Field));
        Assert.NotNull(error.Line);
    }

    [Theory]
    [InlineData("weights.bin")]
    [InlineData(".eval_results/../README.md")]
    [InlineData(".eval_results/sub/x.yaml")]
    [InlineData("eval.yaml")]
    public void Paths_a_model_repo_does_not_accept_are_refused(string path)
    {
        var outcome = Decide(Commit(new CommitTarget.Main(), (path, Result(74.2))), ModelRepo(), Owner);

        Assert.Equal(RejectionKind.Invalid, outcome.Decision.Rejection?.Kind);
        Assert.Equal("path", Assert.Single(outcome.Decision.Rejection!.Errors!).Field);
    }

    [Theory]
    [InlineData(new byte[] { 0x23, 0x20, 0x44, 0x61, 0x74, 0x61, 0x00 })]
    [InlineData(new byte[] { 0x63, 0x61, 0x66, 0xE9 })]
    public void A_dataset_readme_that_is_not_storable_text_is_refused(byte[] content)
    {
        // Stored as text but never parsed: a NUL (which PostgreSQL text cannot hold) or invalid
        // UTF-8 must be refused here, not fail the append or be stored mangled.
        var repo = RepoState.Create(new RepoCreated("acme/data", RepoPaths.Dataset, "acme", true));
        repo.Id = StreamKeys.Repo(RepoPaths.Dataset, "acme/data");
        var command = new CommitFiles(new CommitTarget.Main(),
            new IncomingCommit(new CommitHeader("Card", null, null), [new IncomingFile(RepoPaths.Card, content, 2)], []), new string('0', 40));

        var outcome = Decide(command, repo, Owner);

        Assert.Equal(RejectionKind.Invalid, outcome.Decision.Rejection?.Kind);
        Assert.Equal(RepoPaths.Card, Assert.Single(outcome.Decision.Rejection!.Errors!).File);

        var text = command with { Commit = command.Commit with { Files = [new IncomingFile(RepoPaths.Card, "# Data\n"u8.ToArray(), 2)] } };
        Assert.Null(Decide(text, repo, Owner).Decision.Rejection);
    }

    [Fact]
    public void A_stale_parent_commit_is_a_failed_precondition()
    {
        var repo = ModelRepo();
        repo.Apply(new MainCommitted(repo.Repo, repo.Kind, Changes("head1"), false, null));
        var command = Commit(new CommitTarget.Main(), (".eval_results/mmlu.yaml", Result(74.2)));
        command = command with { Commit = command.Commit with { Header = command.Commit.Header with { ParentCommit = "stale" } } };

        Assert.Equal(RejectionKind.PreconditionFailed, Decide(command, repo, Owner).Decision.Rejection?.Kind);
    }

    [Fact]
    public void Recommitting_a_file_with_fewer_items_retracts_the_missing_ones_and_keeps_ids()
    {
        var repo = ModelRepo();
        var first = Decide(Commit(new CommitTarget.Main(), (".eval_results/mmlu.yaml", Result(70) + "\n" + Result(71))), repo, Owner);
        repo.Apply((MainCommitted)first.Decision.Events[0].Event);

        var second = Decide(Commit(new CommitTarget.Main(), (".eval_results/mmlu.yaml", Result(72))), repo, Owner);

        var committed = (MainCommitted)second.Decision.Events[0].Event;
        var firstIds = ((MainCommitted)first.Decision.Events[0].Event).Commit.Results.Select(r => r.ResultId).ToList();
        Assert.Equal(firstIds[0], Assert.Single(committed.Commit.Results).ResultId);
        Assert.Equal([firstIds[1]], committed.Commit.RetractedResultIds);
    }

    [Fact]
    public void Merging_moves_pull_request_results_to_main_with_new_linked_ids()
    {
        var repo = ModelRepo();
        var opened = Decide(Commit(new CommitTarget.NewPullRequest(), (".eval_results/mmlu.yaml", Result(80))), repo, Stranger);
        repo.Apply((PullRequestOpened)opened.Decision.Events[0].Event);

        var merge = DiscussionDecisions.Decide(new Merge(1, "merge1", null), repo, Owner, Parser, Catalog, null);
        var byStranger = DiscussionDecisions.Decide(new Merge(1, "merge2", null), repo, Stranger, Parser, Catalog, null);

        var merged = Assert.IsType<PullRequestMerged>(Assert.Single(merge.Events).Event);
        var mainResult = Assert.Single(merged.Commit.Results);
        var prResultId = ((PullRequestOpened)opened.Decision.Events[0].Event).Commit.Results[0].ResultId;
        Assert.Equal(prResultId, merged.MergedFrom[mainResult.ResultId]);
        Assert.NotEqual(prResultId, mainResult.ResultId);
        Assert.Equal(RejectionKind.Forbidden, byStranger.Rejection?.Kind);
    }

    [Fact]
    public void The_author_may_close_their_pull_request_but_not_merge_or_hide()
    {
        var repo = ModelRepo();
        var opened = Decide(Commit(new CommitTarget.NewPullRequest(), (".eval_results/mmlu.yaml", Result(80))), repo, Stranger);
        var pr = (PullRequestOpened)opened.Decision.Events[0].Event;
        repo.Apply(pr);

        var close = DiscussionDecisions.Decide(new ChangeStatus(1, "closed", null), repo, Stranger);
        var hide = HidingDecisions.Decide(new HideResult(pr.Commit.Results[0].ResultId, "spam"), repo, Stranger);
        var ownerHide = HidingDecisions.Decide(new HideResult(pr.Commit.Results[0].ResultId, "spam"), repo, Owner);
        var noReason = HidingDecisions.Decide(new HideResult(pr.Commit.Results[0].ResultId, "  "), repo, Owner);

        Assert.IsType<PullRequestClosed>(Assert.Single(close.Events).Event);
        Assert.Equal(RejectionKind.Forbidden, hide.Rejection?.Kind);
        Assert.IsType<ResultHidden>(Assert.Single(ownerHide.Events).Event);
        Assert.Equal(RejectionKind.Invalid, noReason.Rejection?.Kind);
    }

    private static CommitChanges Changes(string oid) => new(oid, null, "s", null, [], [], [], [], []);
}
