using System.Text.Json;
using System.Text.Json.Serialization;
using CommunityEvals.LeaderboardProjection.Discussions;
using CommunityEvals.LeaderboardProjection.Shared;

namespace CommunityEvals.LeaderboardProjection.Results;

public sealed record HistoryEntry(long Sequence, string Type, string? Actor, DateTimeOffset OccurredAt, JsonElement Data);

/// <summary>
/// Puts a result's whole history together: its own events, folded from its repo's events (the
/// record does not keep them), the status changes of its pull request, its evidence stream (logs
/// submitted, what verification judged of them, comments on failed samples) and, for a main result
/// a merge landed on, the history of the pull-request result it came from. Oldest first.
/// </summary>
public static class ResultHistory
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The results a history needs: the result and the pull-request results merged into it.</summary>
    public static IReadOnlySet<string> IdsFor(ResultRecord record) =>
        record.MergedFrom.Append(record.Id).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Folds a repo's events, oldest first, the way <see cref="ResultRecordProjection"/> does, and
    /// keeps the history entries of <paramref name="ids"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<ResultEvent>> Fold(IEnumerable<(object Data, EventInfo Info)> events, IReadOnlySet<string> ids)
    {
        var records = new Dictionary<string, ResultRecord>(StringComparer.Ordinal);
        var histories = ids.ToDictionary(id => id, _ => new List<ResultEvent>(), StringComparer.Ordinal);
        foreach (var (data, info) in events)
        {
            foreach (var id in ResultRules.IdsOf(data))
            {
                if (histories.TryGetValue(id, out var history)
                    && ResultRules.Evolve(records.GetValueOrDefault(id), id, data, info, history) is { } record)
                {
                    records[id] = record;
                }
            }
        }

        return histories.ToDictionary(pair => pair.Key, pair => (IReadOnlyList<ResultEvent>)pair.Value, StringComparer.Ordinal);
    }

    /// <param name="sources">Pull-request results merged into <paramref name="record"/>, by id.</param>
    /// <param name="histories">Entries folded by <see cref="Fold"/> for the result and its sources.</param>
    /// <param name="discussions">Pull requests of the repo, by number.</param>
    /// <param name="evidence">The events of the evidence streams of the result and its sources, by result id.</param>
    public static IReadOnlyList<HistoryEntry> Assemble(
        ResultRecord record,
        IReadOnlyDictionary<string, ResultRecord> sources,
        IReadOnlyDictionary<string, IReadOnlyList<ResultEvent>> histories,
        IReadOnlyDictionary<int, Discussion> discussions,
        IReadOnlyDictionary<string, IReadOnlyList<(object Data, EventInfo Info)>> evidence)
    {
        var own = Own(record, histories, discussions, evidence);
        var sequences = own.Select(entry => entry.Sequence).ToHashSet();
        var earlier = record.MergedFrom
            .Where(sources.ContainsKey)
            .SelectMany(source => Own(sources[source], histories, discussions, evidence))
            // The merge itself is already in this result's own history, seen from main.
            .Where(entry => !sequences.Contains(entry.Sequence));
        return earlier.Concat(own)
            .Select((entry, order) => (entry, order))
            .OrderBy(pair => pair.entry.Sequence)
            .ThenBy(pair => pair.order)
            .Select(pair => pair.entry)
            .ToList();
    }

    private static List<HistoryEntry> Own(
        ResultRecord record,
        IReadOnlyDictionary<string, IReadOnlyList<ResultEvent>> histories,
        IReadOnlyDictionary<int, Discussion> discussions,
        IReadOnlyDictionary<string, IReadOnlyList<(object Data, EventInfo Info)>> evidence)
    {
        var history = histories.GetValueOrDefault(record.Id) ?? [];
        var entries = history
            .Select(item => new HistoryEntry(item.Sequence, item.Type, item.Actor, item.OccurredAt, Parse(item.Data)))
            .Concat((evidence.GetValueOrDefault(record.Id) ?? []).Select(item =>
                new HistoryEntry(item.Info.Sequence, item.Info.Type, item.Info.Actor, item.Info.Timestamp, JsonSerializer.SerializeToElement(item.Data, item.Data.GetType(), Json))))
            .OrderBy(entry => entry.Sequence)
            .ToList();
        if (record.PullRequest is not { } number || !discussions.TryGetValue(number, out var discussion))
        {
            return entries;
        }

        // Closing and reopening name no result; they belong to every result the pull request held then.
        var last = record.State == ResultState.Active ? long.MaxValue : history.LastOrDefault()?.Sequence ?? long.MaxValue;
        foreach (var change in discussion.Events.Where(item => item.Type == DiscussionEntry.StatusChange
                     && item.Status != DiscussionStatus.Merged
                     && item.Sequence > record.FirstSequence
                     && item.Sequence < last))
        {
            var comment = discussion.Events.FirstOrDefault(item => item.Sequence == change.Sequence && item.Type == DiscussionEntry.Comment)?.Text;
            var data = JsonSerializer.SerializeToElement(
                new StatusChange(record.Id, Refs.PullRequest(number), number, change.Status!.Value.ToHub(), comment), Json);
            entries.Add(new HistoryEntry(change.Sequence, change.EventType, change.Author, change.CreatedAt, data));
        }

        return entries.OrderBy(entry => entry.Sequence).ToList();
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private sealed record StatusChange(string ResultId, string Ref, int PullRequest, string Status, string? Comment);
}
