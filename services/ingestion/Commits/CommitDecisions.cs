using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CommunityEvals.Contracts.Events;
using CommunityEvals.Evidence;
using CommunityEvals.Formats;
using CommunityEvals.Ingestion.Benchmarks;
using CommunityEvals.Ingestion.Repos;
using CommunityEvals.Platform.EventStore;
using CommunityEvals.Platform.Http;

namespace CommunityEvals.Ingestion.Commits;

/// <summary>Where a commit goes: <c>main</c>, an existing pull request, or a new pull request.</summary>
public abstract record CommitTarget
{
    public sealed record Main : CommitTarget;

    public sealed record ExistingPullRequest(int Number) : CommitTarget;

    public sealed record NewPullRequest : CommitTarget;

    public const string MainRef = "main";

    public static string PullRequestRef(int number) => $"refs/pr/{number}";

    /// <summary>Reads a Hub revision (already URL-decoded) and the <c>create_pr</c> flag.</summary>
    public static CommitTarget? Parse(string revision, bool createPullRequest)
    {
        if (revision == MainRef)
        {
            return createPullRequest ? new NewPullRequest() : new Main();
        }

        const string prefix = "refs/pr/";
        return !createPullRequest && revision.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(revision[prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? new ExistingPullRequest(number)
            : null;
    }
}

/// <param name="CommitOid">A fresh id for the commit, chosen by the caller so the decider stays pure.</param>
public sealed record CommitFiles(CommitTarget Target, IncomingCommit Commit, string CommitOid);

/// <summary>What a decided commit answers besides its events.</summary>
public sealed record CommitOutcome(Decision Decision, int? PullRequestNumber, IReadOnlyList<string> Warnings);

/// <summary>
/// The pure rules of a commit: who may write where, which files a repo accepts, what each file
/// must contain, and what results appear and disappear. All or nothing: one bad file refuses all.
/// </summary>
public static class CommitDecisions
{
    /// <param name="storedBlobs">The sizes of the uploaded files' blobs that are in the store, by sha256.</param>
    public static CommitOutcome Decide(
        CommitFiles command,
        RepoState repo,
        Actor actor,
        FormatParser parser,
        IBenchmarkCatalog catalog,
        RegisteredBenchmark? existingBenchmark,
        VerifyTokenValidator? tokens = null,
        IReadOnlyDictionary<string, long>? storedBlobs = null,
        CommitLimits? limits = null)
    {
        var pullRequest = command.Target is CommitTarget.ExistingPullRequest existing ? repo.PullRequest(existing.Number) : null;
        if (Refuse(command, repo, actor, pullRequest) is { } refusal)
        {
            return new CommitOutcome(refusal, null, []);
        }

        if (RefuseDataFiles(command.Commit, repo, storedBlobs ?? new Dictionary<string, long>(), limits ?? new CommitLimits()) is { } refusedFiles)
        {
            return new CommitOutcome(refusedFiles, null, []);
        }

        var refName = command.Target switch
        {
            CommitTarget.ExistingPullRequest target => CommitTarget.PullRequestRef(target.Number),
            CommitTarget.NewPullRequest => CommitTarget.PullRequestRef(NextDiscussionNumber(repo)),
            _ => CommitTarget.MainRef,
        };

        var parsed = ParseFiles(command.Commit, repo, refName, parser, catalog, tokens);
        if (parsed.Rejection is { } rejected)
        {
            return new CommitOutcome(new Decision([], rejected), null, []);
        }

        var before = command.Target is CommitTarget.Main ? repo.MainResults : pullRequest?.Results ?? [];
        var changedPaths = command.Commit.WrittenPaths.Concat(command.Commit.DeletedPaths).ToHashSet();
        var kept = parsed.Results.Select(result => result.ResultId).ToHashSet();
        var retracted = before.Where(pair => changedPaths.Contains(pair.Key))
            .SelectMany(pair => pair.Value)
            .Select(result => result.ResultId)
            .Where(id => !kept.Contains(id))
            .ToList();

        var header = command.Commit.Header;
        var changes = new CommitChanges(
            command.CommitOid,
            command.Target is CommitTarget.ExistingPullRequest ? pullRequest!.Head : repo.MainHead,
            header.Summary,
            header.Description,
            parsed.Files,
            command.Commit.DeletedPaths,
            parsed.Results,
            retracted,
            parsed.Warnings);

        var stream = StreamKeys.Repo(repo.Kind, repo.Repo);
        var events = new List<PendingEvent>();
        int? number = null;
        switch (command.Target)
        {
            case CommitTarget.Main:
                var cardChanged = repo.Kind == RepoPaths.Model
                    && (changedPaths.Contains(RepoPaths.Card));
                events.Add(new(stream, new MainCommitted(repo.Repo, repo.Kind, changes, cardChanged, cardChanged ? parsed.BaseModels : null), repo.Version));
                if (parsed.Benchmark is { } benchmark)
                {
                    events.Add(BenchmarkEvent(repo.Repo, command.CommitOid, benchmark, existingBenchmark));
                }

                break;
            case CommitTarget.NewPullRequest:
                number = NextDiscussionNumber(repo);
                events.Add(new(stream, new PullRequestOpened(repo.Repo, repo.Kind, number.Value, header.Summary, actor.Name, changes), repo.Version));
                break;
            case CommitTarget.ExistingPullRequest target:
                number = target.Number;
                events.Add(new(stream, new PullRequestUpdated(repo.Repo, repo.Kind, target.Number, changes), repo.Version));
                break;
        }

        return new CommitOutcome(Decision.Accept(events), number, parsed.Warnings);
    }

    public static int NextDiscussionNumber(RepoState repo) => repo.PullRequests.Count + 1;

    /// <summary>Stable across re-commits: the same repo, ref, file and item index give the same id.</summary>
    public static string ResultId(string kind, string repo, string refName, string path, int index)
    {
        var key = $"{kind}/{repo}\n{refName}\n{path}\n{index.ToString(CultureInfo.InvariantCulture)}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];
    }

    public static PendingEvent BenchmarkEvent(string datasetId, string commitOid, BenchmarkDefinition definition, RegisteredBenchmark? existing)
    {
        var json = JsonSerializer.SerializeToElement(definition.Data);
        return existing is null
            ? new PendingEvent(StreamKeys.Benchmark(datasetId), new BenchmarkRegistered(datasetId, commitOid, json), 0)
            : new PendingEvent(StreamKeys.Benchmark(datasetId), new BenchmarkUpdated(datasetId, commitOid, json), existing.Version);
    }

    private static Decision? Refuse(CommitFiles command, RepoState repo, Actor actor, PullRequestState? pullRequest)
    {
        switch (command.Target)
        {
            case CommitTarget.Main when !actor.Owns(repo):
                return Decision.Reject(RejectionKind.Forbidden, $"only the owner of {repo.Repo} may commit to main; open a pull request instead (create_pr=1)");
            case CommitTarget.ExistingPullRequest target when pullRequest is null:
                return Decision.Reject(RejectionKind.NotFound, $"pull request #{target.Number} does not exist in {repo.Repo}");
            case CommitTarget.ExistingPullRequest when pullRequest!.Author != actor.Name && !actor.Owns(repo):
                return Decision.Reject(RejectionKind.Forbidden, $"only the author of pull request #{pullRequest.Number} or the repo's owner may commit to it");
            case CommitTarget.ExistingPullRequest when pullRequest!.Status != PullRequestStatus.Open:
                return Decision.Reject(RejectionKind.Conflict, $"pull request #{pullRequest.Number} is {pullRequest.Status.ToString().ToLowerInvariant()}; reopen it first");
        }

        var parent = command.Commit.Header.ParentCommit;
        var head = command.Target is CommitTarget.ExistingPullRequest ? pullRequest!.Head : repo.MainHead;
        if (!string.IsNullOrEmpty(parent) && parent != head)
        {
            return Decision.Reject(RejectionKind.PreconditionFailed,
                $"parentCommit {parent} is not the head of the revision (head is {head ?? "empty"}); fetch and retry");
        }

        var errors = new List<ValidationError>();
        foreach (var path in command.Commit.WrittenPaths.Concat(command.Commit.DeletedPaths))
        {
            if (RepoPaths.Refusal(repo.Kind, path) is { } why)
            {
                errors.Add(new ValidationError(path, null, null, null, "path", why));
            }
        }

        var present = command.Target is CommitTarget.ExistingPullRequest
            ? repo.MainFiles.Keys.Concat(pullRequest!.Files.Keys).Except(pullRequest.DeletedPaths).ToHashSet()
            : repo.MainFiles.Keys.ToHashSet();
        foreach (var path in command.Commit.DeletedPaths.Where(path => !present.Contains(path) && RepoPaths.Refusal(repo.Kind, path) is null))
        {
            errors.Add(new ValidationError(path, null, null, null, "path", $"'{path}' cannot be deleted: it does not exist"));
        }

        if (!command.Commit.WrittenPaths.Any() && command.Commit.DeletedPaths.Count == 0)
        {
            errors.Add(new ValidationError(NdjsonCommit.BodyName, null, null, null, null, "the commit changes no file"));
        }

        return errors.Count > 0
            ? Decision.Reject(RejectionKind.Invalid, errors[0].Message, errors)
            : null;
    }

    /// <summary>
    /// The rules of data files (ACCESS.md "Files in repos"): only a dataset's data files may be
    /// uploaded beforehand, each must be in the store as promised, and sizes stay within the limits.
    /// </summary>
    private static Decision? RefuseDataFiles(IncomingCommit commit, RepoState repo, IReadOnlyDictionary<string, long> storedBlobs, CommitLimits limits)
    {
        var errors = new List<ValidationError>();
        foreach (var file in commit.UploadedFiles.Where(file => RepoPaths.Refusal(repo.Kind, file.Path) is null))
        {
            if (!RepoPaths.IsDataFile(repo.Kind, file.Path))
            {
                errors.Add(new ValidationError(file.Path, null, file.Line, null, "key",
                    $"'{file.Path}' must be sent inline (as a 'file' line): its text is kept with the commit; only a dataset's data files are uploaded"));
            }
            else if (storedBlobs.GetValueOrDefault(file.Sha256, -1) != file.Size)
            {
                errors.Add(new ValidationError(file.Path, null, file.Line, null, "oid",
                    $"'{file.Path}': no uploaded file with sha256 {file.Sha256} and {file.Size} bytes; upload it first (LFS batch, then PUT)"));
            }
        }

        if (errors.Count > 0)
        {
            return Decision.Reject(RejectionKind.Invalid, errors[0].Message, errors);
        }

        var sizes = commit.Files.Where(file => RepoPaths.IsDataFile(repo.Kind, file.Path)).Select(file => (file.Path, Size: (long)file.Content.Length))
            .Concat(commit.UploadedFiles.Select(file => (file.Path, file.Size)))
            .ToList();
        var tooLarge = sizes.Where(file => file.Size > limits.MaxFileBytes)
            .Select(file => new ValidationError(file.Path, null, null, null, "size",
                $"'{file.Path}' is {file.Size:N0} bytes, more than the limit of {limits.MaxFileBytes:N0} bytes a file"))
            .ToList();
        var total = sizes.Sum(file => file.Size);
        if (tooLarge.Count == 0 && total > limits.MaxCommitFilesBytes)
        {
            tooLarge.Add(new ValidationError(NdjsonCommit.BodyName, null, null, null, "size",
                $"the commit's files are {total:N0} bytes together, more than the limit of {limits.MaxCommitFilesBytes:N0} bytes a commit"));
        }

        return tooLarge.Count > 0 ? Decision.Reject(RejectionKind.TooLarge, tooLarge[0].Message, tooLarge) : null;
    }

    private sealed record ParsedFiles(
        IReadOnlyList<CommittedFile> Files,
        IReadOnlyList<ResultEntry> Results,
        IReadOnlyList<string> Warnings,
        IReadOnlyList<string>? BaseModels,
        BenchmarkDefinition? Benchmark,
        Rejection? Rejection);

    private static ParsedFiles ParseFiles(IncomingCommit commit, RepoState repo, string refName, FormatParser parser, IBenchmarkCatalog catalog, VerifyTokenValidator? tokens)
    {
        var files = new List<CommittedFile>();
        var results = new List<ResultEntry>();
        var warnings = new List<string>();
        var errors = new List<FormatIssue>();
        var tooLarge = false;
        IReadOnlyList<string>? baseModels = null;
        BenchmarkDefinition? benchmark = null;

        foreach (var file in commit.UploadedFiles)
        {
            files.Add(new CommittedFile(file.Path, file.Sha256, "", file.Size));
        }

        foreach (var file in commit.Files)
        {
            IReadOnlyList<ResultItem> items = [];
            if (RepoPaths.IsDataFile(repo.Kind, file.Path))
            {
                // Data: bytes for the blob store, not text for the log; nothing in it is interpreted.
                files.Add(new CommittedFile(file.Path, Convert.ToHexStringLower(SHA256.HashData(file.Content)), "", file.Content.LongLength));
                continue;
            }

            if (repo.Kind == RepoPaths.Model && RepoPaths.IsResultsFile(file.Path))
            {
                var outcome = parser.ParseResults(file.Path, file.Content, catalog);
                Collect(outcome, ref tooLarge);
                items = outcome.Value ?? [];
            }
            else if (repo.Kind == RepoPaths.Model && file.Path == RepoPaths.Card)
            {
                var outcome = parser.ParseModelCard(file.Path, file.Content, catalog);
                Collect(outcome, ref tooLarge);
                items = outcome.Value?.Results ?? [];
                baseModels = outcome.Value?.BaseModels;
            }
            else if (repo.Kind == RepoPaths.Dataset && file.Path == RepoPaths.BenchmarkDefinition)
            {
                var outcome = parser.ParseBenchmark(file.Path, file.Content);
                Collect(outcome, ref tooLarge);
                benchmark = outcome.Value;
            }
            else
            {
                // Stored but not interpreted (a dataset's README.md): still it must be text the event log can hold.
                Collect(parser.ParseText(file.Path, file.Content), ref tooLarge);
            }

            if (errors.Count > 0 || tooLarge)
            {
                continue;
            }

            files.Add(new CommittedFile(file.Path, Convert.ToHexStringLower(SHA256.HashData(file.Content)), Encoding.UTF8.GetString(file.Content)));
            foreach (var item in items)
            {
                var verified = false;
                if (item.VerifyToken is not null)
                {
                    var check = tokens?.Validate(item.VerifyToken, repo.Repo, item.DatasetId, item.TaskId, item.Value, item.ValueText);
                    verified = check?.Ok == true;
                    if (!verified)
                    {
                        warnings.Add($"{file.Path} item {item.Index}: verifyToken not accepted ({check?.Detail ?? "the verification service's keys are unavailable"}); the result is stored unverified");
                    }
                }

                results.Add(new ResultEntry(
                    ResultId(repo.Kind, repo.Repo, refName, file.Path, item.Index),
                    file.Path,
                    item.Index,
                    item.DatasetId,
                    item.TaskId,
                    item.Value,
                    item.ValueText,
                    item.Notes,
                    verified,
                    JsonSerializer.SerializeToElement(item.Data)));
            }
        }

        if (errors.Count > 0 || tooLarge)
        {
            var validation = errors.Select(issue => new ValidationError(issue.File, issue.Item, issue.Line, issue.Column, issue.Field, issue.Message)).ToList();
            var kind = tooLarge ? RejectionKind.TooLarge : RejectionKind.Invalid;
            var summary = validation.Count == 1 ? Describe(validation[0]) : $"{validation.Count} problems; the first: {Describe(validation[0])}";
            return new ParsedFiles([], [], [], null, null, new Rejection(kind, summary, validation));
        }

        return new ParsedFiles(files, results, warnings, baseModels, benchmark, null);

        void Collect<T>(ParseOutcome<T> outcome, ref bool large) where T : class
        {
            errors.AddRange(outcome.Errors);
            large |= outcome.TooLarge;
            warnings.AddRange(outcome.Warnings.Select(Describe));
        }
    }

    private static string Describe(FormatIssue issue) => Describe(new ValidationError(issue.File, issue.Item, issue.Line, issue.Column, issue.Field, issue.Message));

    private static string Describe(ValidationError error)
    {
        var where = new StringBuilder(error.File ?? "");
        if (error.Item is { } item)
        {
            where.Append($" item {item}");
        }

        if (error.Line is { } line)
        {
            where.Append($" (line {line}{(error.Column is { } column ? $", column {column}" : "")})");
        }

        if (error.Field is { } field)
        {
            where.Append($" {field}");
        }

        return $"{where}: {error.Message}";
    }
}
