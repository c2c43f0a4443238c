using CommunityEvals.Contracts.Events;
using CommunityEvals.Ingestion.Files;
using CommunityEvals.Ingestion.Repos;

namespace CommunityEvals.UnitTests.Files;

/// <summary>Which files a revision holds, and the tree listings made of them.</summary>
public class RepoFilesTests
{
    private static CommittedFile Data(string path, long size) => new(path, new string('d', 64), "", size);

    private static CommittedFile Text(string path, string content) => new(path, new string('t', 64), content);

    private static CommitChanges Changes(string oid, IReadOnlyList<CommittedFile> files, IReadOnlyList<string>? deleted = null) =>
        new(oid, null, "c", null, files, deleted ?? [], [], [], []);

    [Fact]
    public void A_folder_lists_its_files_and_subfolders_and_recursive_lists_everything_beneath()
    {
        var files = new[] { Text("eval.yaml", "x"), Data("data/test.jsonl", 10), Data("data/dev/a.jsonl", 5), Data("data/dev/b.jsonl", 6) }
            .ToDictionary(file => file.Path);

        var root = RepoFiles.List(files, "", recursive: false)!;
        Assert.Equal([("data", "directory"), ("eval.yaml", "file")], root.Select(entry => (entry.Path, entry.Type)).ToArray());

        var data = RepoFiles.List(files, "data", recursive: false)!;
        Assert.Equal(["data/dev", "data/test.jsonl"], data.Select(entry => entry.Path).ToArray());

        var everything = RepoFiles.List(files, "", recursive: true)!;
        Assert.Equal(["data", "data/dev", "data/dev/a.jsonl", "data/dev/b.jsonl", "data/test.jsonl", "eval.yaml"], everything.Select(entry => entry.Path).ToArray());

        Assert.Null(RepoFiles.List(files, "nothing", recursive: false));
        Assert.Equal(10, Assert.Single(data, entry => entry.Type == "file").Size);
        Assert.NotNull(Assert.Single(data, entry => entry.Type == "file").Lfs);
        Assert.Null(Assert.Single(root, entry => entry.Type == "file").Lfs);
        Assert.Equal(1, Assert.Single(root, entry => entry.Type == "file").Size);
    }

    [Fact]
    public void A_folders_oid_changes_exactly_when_what_it_holds_does()
    {
        var before = new[] { Data("data/a.jsonl", 1) }.ToDictionary(file => file.Path);
        var same = new[] { Data("data/a.jsonl", 1), Text("eval.yaml", "x") }.ToDictionary(file => file.Path);
        var changed = new[] { Data("data/a.jsonl", 1) with { Sha256 = new string('e', 64) } }.ToDictionary(file => file.Path);
        Assert.Equal(RepoFiles.Find(before, "data")!.Oid, RepoFiles.Find(same, "data")!.Oid);
        Assert.NotEqual(RepoFiles.Find(before, "data")!.Oid, RepoFiles.Find(changed, "data")!.Oid);
    }

    [Fact]
    public void Refs_commit_ids_and_pull_requests_each_show_their_own_files()
    {
        var events = new object[]
        {
            new RepoCreated("acme/bench", RepoPaths.Dataset, "acme", true),
            new MainCommitted("acme/bench", RepoPaths.Dataset, Changes(new string('1', 40), [Text("eval.yaml", "v1"), Data("data/a.jsonl", 1)]), false, null),
            new PullRequestOpened("acme/bench", RepoPaths.Dataset, 1, "more", "bob", Changes(new string('2', 40), [Data("data/b.jsonl", 2)], ["data/a.jsonl"])),
            new MainCommitted("acme/bench", RepoPaths.Dataset, Changes(new string('3', 40), [Text("eval.yaml", "v2")]), false, null),
        };
        var repo = RepoState.Create((RepoCreated)events[0]);
        repo.Apply((MainCommitted)events[1]);
        repo.Apply((PullRequestOpened)events[2]);
        repo.Apply((MainCommitted)events[3]);

        var main = RepoFiles.AtRef(repo, "main")!;
        Assert.Equal(new string('3', 40), main.Commit);
        Assert.Equal("v2", main.Files["eval.yaml"].Content);
        Assert.Same(main.Files, RepoFiles.AtRef(repo, "HEAD")!.Files);

        var pullRequest = RepoFiles.AtRef(repo, "refs/pr/1")!;
        Assert.Equal(["data/b.jsonl", "eval.yaml"], pullRequest.Files.Keys.Order().ToArray());
        Assert.Equal(pullRequest.Files.Keys.Order(), RepoFiles.AtRef(repo, new string('2', 40))!.Files.Keys.Order());
        Assert.Null(RepoFiles.AtRef(repo, "refs/pr/2"));
        Assert.Null(RepoFiles.AtRef(repo, new string('1', 40)));

        var first = RepoFiles.AtCommit(events, new string('1', 40))!;
        Assert.Equal("v1", first.Files["eval.yaml"].Content);
        Assert.True(first.Files.ContainsKey("data/a.jsonl"));
        Assert.Null(RepoFiles.AtCommit(events, new string('9', 40)));
    }
}
