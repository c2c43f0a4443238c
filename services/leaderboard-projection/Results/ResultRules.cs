using System.Text.Json;
using System.Text.Json.Serialization;
using CommunityEvals.Contracts.Events;
using CommunityEvals.LeaderboardProjection.Shared;

namespace CommunityEvals.LeaderboardProjection.Results;

/// <summary>How events change one <see cref="ResultRecord"/>; pure.</summary>
public static class ResultRules
{
    public const string Created = "created";
    public const string Updated = "updated";
    public const string Restored = "restored";
    public const string Unchanged = "unchanged";
    public const string Retracted = "retracted";
    public const string Merged = "merged";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Every result an event touches: written, retracted, merged from, hidden or unhidden.</summary>
    public static IReadOnlyList<string> IdsOf(object data) => data switch
    {
        MainCommitted e => Touched(e.Commit),
        PullRequestOpened e => Touched(e.Commit),
        PullRequestUpdated e => Touched(e.Commit),
        PullRequestMerged e => Touched(e.Commit).Concat(e.MergedFrom.Keys).Concat(e.MergedFrom.Values).Distinct(StringComparer.Ordinal).ToList(),
        ResultHidden e => [e.ResultId],
        ResultUnhidden e => [e.ResultId],
        _ when ResultEvidence.ResultIdOf(data) is { } resultId => [resultId],
        _ => [],
    };

    private static List<string> Touched(CommitChanges commit) =>
        commit.Results.Select(result => result.ResultId).Concat(commit.RetractedResultIds).Distinct(StringComparer.Ordinal).ToList();

    /// <param name="history">
    /// Where the result's history entries go, when they are wanted. The record does not keep them:
    /// it would grow with every commit that touches the result, and be rewritten whole each time.
    /// The history is folded from the repo's events when it is read (see <see cref="ResultHistory"/>).
    /// </param>
    public static ResultRecord? Evolve(ResultRecord? record, string id, object data, EventInfo info, ICollection<ResultEvent>? history = null)
    {
        switch (data)
        {
            case MainCommitted committed:
                return Commit(record, id, committed.Kind, committed.Repo, null, committed.Commit, info, null, history);
            case PullRequestOpened opened:
                return Commit(record, id, opened.Kind, opened.Repo, opened.Number, opened.Commit, info, null, history);
            case PullRequestUpdated updated:
                return Commit(record, id, updated.Kind, updated.Repo, updated.Number, updated.Commit, info, null, history);
            case PullRequestMerged merged when merged.MergedFrom.TryGetValue(id, out var source):
                return Commit(record, id, merged.Kind, merged.Repo, null, merged.Commit, info, (merged.Number, source), history);
            case PullRequestMerged merged when merged.MergedFrom.FirstOrDefault(pair => pair.Value == id) is { Key: not null } into:
                if (record is null)
                {
                    return null;
                }

                record.State = ResultState.Merged;
                record.MergedInto = into.Key;
                record.UpdatedAt = info.Timestamp;
                Record(history, info, () => new Touch(id, Refs.Of(record.PullRequest), record.PullRequest, Merged, merged.Commit.CommitOid, merged.Commit.Summary)
                {
                    MergedInto = into.Key,
                });
                return record;
            case PullRequestMerged merged:
                return Commit(record, id, merged.Kind, merged.Repo, null, merged.Commit, info, null, history);
            case ResultHidden hidden when record is not null:
                record.Hidden = true;
                record.HiddenReason = hidden.Reason;
                record.HiddenBy = info.Actor;
                record.HiddenAt = info.Timestamp;
                Record(history, info, () => new Visibility(id, true, hidden.Reason));
                return record;
            case EvidenceSubmitted or EvidenceVerified or EvidenceContradicted or EvidenceRejected when record is not null:
                record.Evidence.Apply(data, record.ValueText);
                return record;
            case ResultUnhidden when record is not null:
                record.Hidden = false;
                record.HiddenReason = null;
                record.HiddenBy = null;
                record.HiddenAt = null;
                Record(history, info, () => new Visibility(id, false, null));
                return record;
            default:
                return record;
        }
    }

    private static ResultRecord? Commit(
        ResultRecord? record, string id, string kind, string repo, int? pullRequest, CommitChanges commit, EventInfo info, (int Number, string Source)? merge,
        ICollection<ResultEvent>? history)
    {
        var entry = commit.Results.FirstOrDefault(result => result.ResultId == id);
        if (entry is null)
        {
            if (record is null || !commit.RetractedResultIds.Contains(id) || record.State != ResultState.Active)
            {
                return record;
            }

            record.State = ResultState.Retracted;
            record.UpdatedAt = info.Timestamp;
            Record(history, info, () => new Touch(id, Refs.Of(record.PullRequest), record.PullRequest, Retracted, commit.CommitOid, commit.Summary));
            return record;
        }

        string change;
        if (record is null)
        {
            record = new ResultRecord
            {
                Id = id,
                RepoKey = StreamKeys.Repo(kind, repo),
                Repo = repo,
                Kind = kind,
                PullRequest = pullRequest,
                CreatedAt = info.Timestamp,
                FirstSequence = info.Sequence,
            };
            change = Created;
        }
        else if (record.State != ResultState.Active)
        {
            change = Restored;
        }
        else if (SameAs(record, entry))
        {
            // A commit that restates the item as it was did not touch it, unless it is a merge landing on it.
            if (merge is null)
            {
                return record;
            }

            change = Unchanged;
        }
        else
        {
            change = Updated;
        }

        record.Path = entry.Path;
        record.Index = entry.Index;
        record.DatasetId = entry.DatasetId;
        record.TaskId = entry.TaskId;
        record.Value = entry.Value;
        record.ValueText = entry.ValueText;
        record.Notes = entry.Notes;
        record.Verified = entry.Verified;
        record.Data = entry.Data.Clone();
        record.State = ResultState.Active;
        record.UpdatedAt = info.Timestamp;
        if (merge is { } landed && !record.MergedFrom.Contains(landed.Source))
        {
            record.MergedFrom.Add(landed.Source);
        }

        Record(history, info, () => new Touch(id, Refs.Of(record.PullRequest), record.PullRequest, change, commit.CommitOid, commit.Summary)
        {
            Path = entry.Path,
            Index = entry.Index,
            DatasetId = entry.DatasetId,
            TaskId = entry.TaskId,
            Value = entry.Value,
            ValueText = entry.ValueText,
            Notes = entry.Notes,
            Verified = entry.Verified,
            Item = KnownOrder.ResultItem(entry.Data),
            MergedFrom = merge?.Source,
            MergedPullRequest = merge?.Number,
        });
        return record;
    }

    private static bool SameAs(ResultRecord record, ResultEntry entry) =>
        record.Value.Equals(entry.Value)
        && record.ValueText == entry.ValueText
        && record.Verified == entry.Verified
        && record.Notes == entry.Notes
        && record.DatasetId == entry.DatasetId
        && record.TaskId == entry.TaskId
        && JsonElementText.Same(record.Data, entry.Data);

    /// <param name="data">Made only when the history is wanted: the projection folds without it.</param>
    private static void Record<T>(ICollection<ResultEvent>? history, EventInfo info, Func<T> data) => history?.Add(new ResultEvent
    {
        Sequence = info.Sequence,
        Type = info.Type,
        Actor = info.Actor,
        OccurredAt = info.Timestamp,
        Data = JsonSerializer.Serialize(data(), Json),
    });

    /// <summary>What a commit did to the result.</summary>
    private sealed record Touch(string ResultId, string Ref, int? PullRequest, string Change, string CommitOid, string Summary)
    {
        public string? Path { get; init; }

        public int? Index { get; init; }

        public string? DatasetId { get; init; }

        public string? TaskId { get; init; }

        public double? Value { get; init; }

        public string? ValueText { get; init; }

        public string? Notes { get; init; }

        public bool? Verified { get; init; }

        public JsonElement? Item { get; init; }

        /// <summary>For a main result a merge landed on: the pull-request result it came from.</summary>
        public string? MergedFrom { get; init; }

        /// <summary>For a main result a merge landed on: the merged pull request.</summary>
        public int? MergedPullRequest { get; init; }

        /// <summary>For a merged pull-request result: the main result it became.</summary>
        public string? MergedInto { get; init; }
    }

    private sealed record Visibility(string ResultId, bool Hidden, string? Reason);
}
