using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CommunityEvals.Contracts.Events;
using CommunityEvals.Ingestion.Repos;

namespace CommunityEvals.Ingestion.Files;

/// <summary>A repo's files as one revision has them, and the commit that revision stands at.</summary>
public sealed record RevisionFiles(string? Commit, IReadOnlyDictionary<string, CommittedFile> Files);

/// <summary>One row of a tree listing (ACCESS.md: <c>oid</c> is the file's sha256, the same as its ETag).</summary>
public sealed record TreeEntry(string Type, string Path, long Size, string Oid, LfsPointer? Lfs);

/// <summary>The Hub's <c>lfs</c> block of a tree entry; Python's client reads <c>pointerSize</c>.</summary>
public sealed record LfsPointer(string Oid, long Size, int PointerSize);

/// <summary>
/// Which files a revision holds (<c>main</c>, <c>HEAD</c>, <c>refs/pr/N</c>, or a commit id), and
/// the directory listings made from them. Pure: older commits are found by folding the repo's events.
/// </summary>
public static class RepoFiles
{
    /// <summary>A git LFS pointer file's size, which the Hub reports beside an LFS file.</summary>
    public const int PointerSize = 134;

    /// <summary>The files of a ref (null when <paramref name="revision"/> is not a ref this repo has, or not a ref at all).</summary>
    public static RevisionFiles? AtRef(RepoState repo, string revision)
    {
        if (revision is "main" or "HEAD" or "refs/heads/main" || (revision.Length > 0 && revision == repo.MainHead))
        {
            return new RevisionFiles(repo.MainHead, repo.MainFiles);
        }

        const string prefix = "refs/pr/";
        var pullRequest = revision.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(revision[prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                ? repo.PullRequest(number)
                : repo.PullRequests.FirstOrDefault(pr => pr.Head.Length > 0 && pr.Head == revision);
        return pullRequest is null ? null : new RevisionFiles(pullRequest.Head, OfPullRequest(repo.MainFiles, pullRequest));
    }

    /// <summary>The files as commit <paramref name="oid"/> left them, from the repo's events in order; null when no commit has that id.</summary>
    public static RevisionFiles? AtCommit(IEnumerable<object> events, string oid)
    {
        RepoState? state = null;
        foreach (var data in events)
        {
            switch (data)
            {
                case RepoCreated created:
                    state = RepoState.Create(created);
                    break;
                case MainCommitted committed when state is not null:
                    state.Apply(committed);
                    if (committed.Commit.CommitOid == oid)
                    {
                        return new RevisionFiles(oid, new Dictionary<string, CommittedFile>(state.MainFiles));
                    }

                    break;
                case PullRequestMerged merged when state is not null:
                    state.Apply(merged);
                    if (merged.Commit.CommitOid == oid)
                    {
                        return new RevisionFiles(oid, new Dictionary<string, CommittedFile>(state.MainFiles));
                    }

                    break;
                case PullRequestOpened opened when state is not null:
                    state.Apply(opened);
                    if (opened.Commit.CommitOid == oid)
                    {
                        return new RevisionFiles(oid, OfPullRequest(state.MainFiles, state.PullRequest(opened.Number)!));
                    }

                    break;
                case PullRequestUpdated updated when state is not null:
                    state.Apply(updated);
                    if (updated.Commit.CommitOid == oid)
                    {
                        return new RevisionFiles(oid, OfPullRequest(state.MainFiles, state.PullRequest(updated.Number)!));
                    }

                    break;
            }
        }

        return null;
    }

    /// <summary>What a pull request's head shows: main's files with the pull request's written over and its deletions gone.</summary>
    public static IReadOnlyDictionary<string, CommittedFile> OfPullRequest(IReadOnlyDictionary<string, CommittedFile> main, PullRequestState pullRequest)
    {
        var files = new Dictionary<string, CommittedFile>(main);
        foreach (var path in pullRequest.DeletedPaths)
        {
            files.Remove(path);
        }

        foreach (var (path, file) in pullRequest.Files)
        {
            files[path] = file;
        }

        return files;
    }

    /// <summary>The file's size in bytes: recorded for data files, the text's UTF-8 length for the others.</summary>
    public static long SizeOf(CommittedFile file) => file.Size ?? Encoding.UTF8.GetByteCount(file.Content);

    public static TreeEntry Entry(CommittedFile file) =>
        new("file", file.Path, SizeOf(file), file.Sha256, file.IsData ? new LfsPointer(file.Sha256, SizeOf(file), PointerSize) : null);

    /// <summary>
    /// The entries under <paramref name="folder"/> ("" for the root): its files and folders, or with
    /// <paramref name="recursive"/> everything beneath it. Null when no file lies under it.
    /// </summary>
    public static IReadOnlyList<TreeEntry>? List(IReadOnlyDictionary<string, CommittedFile> files, string folder, bool recursive)
    {
        var prefix = folder.Length == 0 ? "" : folder.TrimEnd('/') + "/";
        var beneath = files.Values.Where(file => file.Path.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        if (beneath.Count == 0)
        {
            return folder.Length == 0 ? [] : null;
        }

        var folders = new SortedSet<string>(StringComparer.Ordinal);
        var entries = new List<TreeEntry>();
        foreach (var file in beneath)
        {
            var rest = file.Path[prefix.Length..];
            var parts = rest.Split('/');
            for (var depth = 1; depth < parts.Length && (recursive || depth == 1); depth++)
            {
                folders.Add(prefix + string.Join('/', parts[..depth]));
            }

            if (recursive || parts.Length == 1)
            {
                entries.Add(Entry(file));
            }
        }

        entries.AddRange(folders.Select(path => Folder(files, path)));
        return entries.OrderBy(entry => entry.Path, StringComparer.Ordinal).ToList();
    }

    /// <summary>The entry for <paramref name="path"/>: its file, or the folder it names; null when neither.</summary>
    public static TreeEntry? Find(IReadOnlyDictionary<string, CommittedFile> files, string path)
    {
        if (files.TryGetValue(path, out var file))
        {
            return Entry(file);
        }

        var prefix = path.TrimEnd('/') + "/";
        return path.Length > 0 && files.Keys.Any(key => key.StartsWith(prefix, StringComparison.Ordinal)) ? Folder(files, path.TrimEnd('/')) : null;
    }

    /// <summary>A folder's entry; its oid is a hash of what it holds, so it changes exactly when its content does.</summary>
    private static TreeEntry Folder(IReadOnlyDictionary<string, CommittedFile> files, string path)
    {
        var listing = new StringBuilder();
        foreach (var file in files.Values.Where(file => file.Path.StartsWith(path + "/", StringComparison.Ordinal)).OrderBy(file => file.Path, StringComparer.Ordinal))
        {
            listing.Append(file.Path).Append('\0').Append(file.Sha256).Append('\n');
        }

        return new TreeEntry("directory", path, 0, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(listing.ToString()))), null);
    }
}
