using System.Text;
using CommunityEvals.Contracts.Events;
using CommunityEvals.Formats;
using CommunityEvals.Ingestion.Commits;
using CommunityEvals.Ingestion.Files;
using CommunityEvals.Ingestion.Repos;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Identity;

namespace CommunityEvals.UnitTests.Files;

/// <summary>ACCESS.md "Files in repos": which paths a repo takes, the limits, and uploaded files named by a commit.</summary>
public class DataFileRulesTests
{
    private static readonly FormatParser Parser = new();
    private static readonly Actor Owner = new(new Caller("alice", Caller.WriteRole, "t-alice"), ["acme"]);
    private static readonly CommitLimits Limits = new() { MaxFileBytes = 100, MaxCommitFilesBytes = 250 };
    private static readonly string ShaA = new('a', 64);
    private static readonly string ShaB = new('b', 64);
    private static readonly string ShaC = new('c', 64);

    private static RepoState DatasetRepo()
    {
        var repo = RepoState.Create(new RepoCreated("acme/bench", RepoPaths.Dataset, "acme", true));
        repo.Id = StreamKeys.Repo(RepoPaths.Dataset, "acme/bench");
        return repo;
    }

    private static CommitOutcome Decide(RepoState repo, IReadOnlyList<IncomingFile> files, IReadOnlyList<IncomingLfsFile> uploaded, IReadOnlyDictionary<string, long> stored) =>
        CommitDecisions.Decide(
            new CommitFiles(new CommitTarget.Main(), new IncomingCommit(new CommitHeader("data", null, null), files, [], uploaded), new string('1', 40)),
            repo, Owner, Parser, BenchmarkCatalog.Empty, null, null, stored, Limits);

    [Theory]
    [InlineData("data/test.jsonl", null)]
    [InlineData("test.parquet", null)]
    [InlineData("a/b/c.csv", null)]
    [InlineData("../x.csv", "not a valid repo path")]
    [InlineData("data/../x.csv", "not a valid repo path")]
    [InlineData(".git/config", "not a valid repo path")]
    [InlineData("data/.git/hooks", "not a valid repo path")]
    [InlineData("/rooted.csv", "not a valid repo path")]
    [InlineData("data//x.csv", "not a valid repo path")]
    [InlineData("data\\x.csv", "not a valid repo path")]
    [InlineData("data/x\0.csv", "not a valid repo path")]
    public void A_dataset_takes_any_relative_path_without_dot_dot_git_NUL_or_a_leading_slash(string path, string? refusal)
    {
        var why = RepoPaths.Refusal(RepoPaths.Dataset, path);
        if (refusal is null)
        {
            Assert.Null(why);
            Assert.True(RepoPaths.IsDataFile(RepoPaths.Dataset, path));
        }
        else
        {
            Assert.Contains(refusal, why);
        }
    }

    [Fact]
    public void Model_repos_keep_their_listed_paths_and_a_datasets_card_and_eval_yaml_are_not_data()
    {
        Assert.NotNull(RepoPaths.Refusal(RepoPaths.Model, "data/test.jsonl"));
        Assert.False(RepoPaths.IsDataFile(RepoPaths.Dataset, "eval.yaml"));
        Assert.False(RepoPaths.IsDataFile(RepoPaths.Dataset, "README.md"));
        Assert.False(RepoPaths.IsDataFile(RepoPaths.Model, "data/test.jsonl"));
    }

    [Fact]
    public void An_uploaded_file_in_the_store_is_committed_with_its_path_size_and_hash_and_no_content()
    {
        var outcome = Decide(DatasetRepo(), [], [new IncomingLfsFile("data/test.jsonl", ShaA, 80, 2)], new Dictionary<string, long> { [ShaA] = 80 });
        Assert.Null(outcome.Decision.Rejection);
        var committed = Assert.IsType<MainCommitted>(Assert.Single(outcome.Decision.Events).Event);
        var file = Assert.Single(committed.Commit.Files);
        Assert.Equal(("data/test.jsonl", ShaA, 80L, ""), (file.Path, file.Sha256, file.Size!.Value, file.Content));
        Assert.True(file.IsData);
    }

    [Fact]
    public void An_inline_data_file_is_committed_by_hash_and_size_not_as_text()
    {
        var bytes = new byte[] { 0, 1, 2, 255 };
        var outcome = Decide(DatasetRepo(), [new IncomingFile("data/raw.bin", bytes, 2)], [], new Dictionary<string, long>());
        Assert.Null(outcome.Decision.Rejection);
        var file = Assert.Single(Assert.IsType<MainCommitted>(Assert.Single(outcome.Decision.Events).Event).Commit.Files);
        Assert.Equal(4, file.Size);
        Assert.Equal(DataFileHash(bytes), file.Sha256);
        Assert.Equal("", file.Content);
    }

    [Theory]
    [InlineData(80, 70, null)]
    [InlineData(80, 79, "no uploaded file")]
    public void An_uploaded_file_must_be_stored_with_the_size_named(long named, long stored, string? refusal)
    {
        var outcome = Decide(DatasetRepo(), [], [new IncomingLfsFile("data/test.jsonl", ShaA, named, 2)], new Dictionary<string, long> { [ShaA] = stored == 70 ? named : stored });
        if (refusal is null)
        {
            Assert.Null(outcome.Decision.Rejection);
        }
        else
        {
            Assert.Equal(RejectionKind.Invalid, outcome.Decision.Rejection!.Kind);
            Assert.Contains(refusal, outcome.Decision.Rejection.Message);
            Assert.Empty(outcome.Decision.Events);
        }
    }

    [Fact]
    public void A_file_over_the_file_limit_or_files_over_the_commit_limit_are_too_large()
    {
        var oneTooLarge = Decide(DatasetRepo(), [], [new IncomingLfsFile("data/big.bin", ShaA, 101, 2)], new Dictionary<string, long> { [ShaA] = 101 });
        Assert.Equal(RejectionKind.TooLarge, oneTooLarge.Decision.Rejection!.Kind);
        Assert.Contains("data/big.bin", oneTooLarge.Decision.Rejection.Message);

        var stored = new Dictionary<string, long> { [ShaA] = 100, [ShaB] = 100, [ShaC] = 51 };
        var together = Decide(DatasetRepo(), [],
            [new IncomingLfsFile("a.bin", ShaA, 100, 2), new IncomingLfsFile("b.bin", ShaB, 100, 3), new IncomingLfsFile("c.bin", ShaC, 51, 4)], stored);
        Assert.Equal(RejectionKind.TooLarge, together.Decision.Rejection!.Kind);
        Assert.Contains("251", together.Decision.Rejection.Message);

        stored[ShaC] = 50;
        var atTheLimit = Decide(DatasetRepo(), [],
            [new IncomingLfsFile("a.bin", ShaA, 100, 2), new IncomingLfsFile("b.bin", ShaB, 100, 3), new IncomingLfsFile("c.bin", ShaC, 50, 4)], stored);
        Assert.Null(atTheLimit.Decision.Rejection);
    }

    [Fact]
    public void The_card_and_eval_yaml_cannot_be_uploaded_beforehand_their_text_belongs_in_the_event()
    {
        var outcome = Decide(DatasetRepo(), [], [new IncomingLfsFile("README.md", ShaA, 10, 2)], new Dictionary<string, long> { [ShaA] = 10 });
        Assert.Equal(RejectionKind.Invalid, outcome.Decision.Rejection!.Kind);
        Assert.Contains("inline", outcome.Decision.Rejection.Message);
    }

    [Fact]
    public void The_commit_body_names_uploaded_files_with_lfsFile_lines_and_refuses_bad_ones_by_line()
    {
        var body = Encoding.UTF8.GetBytes(string.Join('\n',
            """{"key":"header","value":{"summary":"data"}}""",
            $$$"""{"key":"lfsFile","value":{"path":"data/a.jsonl","algo":"sha256","oid":"{{{ShaA}}}","size":12}}"""));
        var (commit, errors) = NdjsonCommit.Parse(body);
        Assert.Empty(errors);
        Assert.Equal(new IncomingLfsFile("data/a.jsonl", ShaA, 12, 2), Assert.Single(commit!.UploadedFiles));

        var bad = Encoding.UTF8.GetBytes(string.Join('\n',
            """{"key":"header","value":{"summary":"data"}}""",
            """{"key":"lfsFile","value":{"path":"data/a.jsonl","oid":"ABC","size":12}}""",
            $$$"""{"key":"lfsFile","value":{"path":"data/b.jsonl","oid":"{{{ShaA}}}","size":-1}}"""));
        var (none, problems) = NdjsonCommit.Parse(bad);
        Assert.Null(none);
        Assert.Equal([("oid", 2), ("size", 3)], problems.Select(problem => (problem.Field, problem.Line!.Value)).ToArray());
    }

    private static string DataFileHash(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
}
