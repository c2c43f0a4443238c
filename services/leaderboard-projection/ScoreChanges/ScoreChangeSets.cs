using Marten;

namespace CommunityEvals.LeaderboardProjection.ScoreChanges;

/// <summary>
/// How score changes are stored: one <see cref="ScoreChangeSet"/> row per event, written for many
/// events with one statement into the documents' own table (the rows <c>Store</c> would write:
/// id, data as the store serialises it).
/// </summary>
public static class ScoreChangeSets
{
    /// <summary>Ids and serialized sets of <paramref name="records"/>, which are in log order.</summary>
    public static (long[] Ids, string[] Data) Rows(List<ScoreChangeRecord> records, ISerializer serializer)
    {
        var ids = new List<long>();
        var data = new List<string>();
        var start = 0;
        while (start < records.Count)
        {
            var end = start;
            while (end < records.Count && records[end].Sequence == records[start].Sequence)
            {
                end++;
            }

            ids.Add(records[start].Sequence);
            data.Add(serializer.ToJson(new ScoreChangeSet { Id = records[start].Sequence, Changes = records.GetRange(start, end - start) }));
            start = end;
        }

        return ([.. ids], [.. data]);
    }

    /// <summary>Parameters: the type name, the ids, the data (<see cref="Rows"/>). A set written again is replaced.</summary>
    public static string UpsertSql(IDocumentStore store) =>
        $"insert into {TableName(store)} (id, data, mt_version, mt_dotnet_type) "
        + "select t.id, t.data::jsonb, gen_random_uuid(), ? from unnest(?::bigint[], ?::text[]) as t(id, data) "
        + "on conflict (id) do update set data = excluded.data, mt_version = excluded.mt_version, mt_dotnet_type = excluded.mt_dotnet_type, "
        + "mt_last_modified = transaction_timestamp()";

    public static string TableName(IDocumentStore store) =>
        store.Options.FindOrResolveDocumentType(typeof(ScoreChangeSet)).TableName.QualifiedName;

    /// <summary>The event of the last stored set; 0 when none is. Sets are stored in log order. The table must exist.</summary>
    public static Task<long> LastStoredAsync(IQuerySession session, CancellationToken cancellation) =>
        session.Query<ScoreChangeSet>().OrderByDescending(set => set.Id).Select(set => set.Id).FirstOrDefaultAsync(cancellation);
}
