using System.Globalization;
using Npgsql;

namespace CommunityEvals.LeaderboardProjection.Maintenance;

/// <summary>
/// A table's new contents, written into a table of the same shape beside it and put in its place
/// by <see cref="SwapAsync"/>. Filling a new table and indexing it afterwards costs PostgreSQL about
/// half of deleting the old rows and inserting into the indexed table, and the tables can be filled
/// on several connections at once; the swap itself only renames, inside the rebuild's transaction,
/// so readers see the old table until that commits.
/// </summary>
/// <remarks>
/// The new table copies the old one's columns, defaults, checks and storage (<c>LIKE</c>); its keys
/// and indexes are made after the rows are in, from the old ones' definitions, under temporary
/// names that the swap renames to the old names, so Marten finds the schema it expects.
/// </remarks>
public sealed class StagedTable
{
    private const string Suffix = "_rebuilt";

    private readonly List<(string Name, string Definition)> _constraints;
    private readonly List<(string Name, bool Unique, string Definition)> _indexes;

    private StagedTable(string schema, string table, List<(string, string)> constraints, List<(string, bool, string)> indexes)
    {
        Schema = schema;
        Table = table;
        _constraints = constraints;
        _indexes = indexes;
    }

    public string Schema { get; }

    public string Table { get; }

    /// <summary>The table written into: PostgreSQL names are at most 63 bytes, and Marten's are ASCII.</summary>
    public string Staging => Table.Length + Suffix.Length <= 63 ? Table + Suffix : Table[..(63 - Suffix.Length)] + Suffix;

    public string QualifiedStaging => $"{Schema}.{Staging}";

    private string QualifiedTable => $"{Schema}.{Table}";

    private string ConstraintName(int index) => TemporaryName("c", index);

    private string IndexName(int index) => TemporaryName("i", index);

    private string TemporaryName(string kind, int index)
    {
        var tail = string.Create(CultureInfo.InvariantCulture, $"_{kind}{index}");
        return Staging.Length + tail.Length <= 63 ? Staging + tail : Staging[..(63 - tail.Length)] + tail;
    }

    /// <summary>Creates the empty staging table beside <paramref name="qualifiedTable"/> (which must exist), dropping one a failed rebuild left.</summary>
    public static async Task<StagedTable> CreateAsync(NpgsqlConnection connection, string qualifiedTable, CancellationToken cancellationToken)
    {
        var dot = qualifiedTable.IndexOf('.', StringComparison.Ordinal);
        var (schema, table) = (qualifiedTable[..dot], qualifiedTable[(dot + 1)..]);

        var constraints = new List<(string, string)>();
        await using (var query = new NpgsqlCommand(
                         "select conname, pg_get_constraintdef(oid) from pg_constraint where conrelid = $1::regclass and contype in ('p', 'u', 'x', 'f') order by conname",
                         connection))
        {
            query.Parameters.Add(new NpgsqlParameter<string> { TypedValue = qualifiedTable });
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                constraints.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        // Indexes that no constraint owns: their definition after "USING" is the same for any table.
        var indexes = new List<(string, bool, string)>();
        await using (var query = new NpgsqlCommand(
                         "select i.relname, x.indisunique, pg_get_indexdef(x.indexrelid) from pg_index x join pg_class i on i.oid = x.indexrelid "
                         + "where x.indrelid = $1::regclass and not exists (select 1 from pg_constraint c where c.conindid = x.indexrelid and c.conrelid = x.indrelid) order by i.relname",
                         connection))
        {
            query.Parameters.Add(new NpgsqlParameter<string> { TypedValue = qualifiedTable });
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var definition = reader.GetString(2);
                var method = definition.IndexOf(" USING ", StringComparison.Ordinal);
                if (method < 0)
                {
                    throw new NotSupportedException($"Cannot read the definition of index {reader.GetString(0)} on {qualifiedTable}: {definition}");
                }

                indexes.Add((reader.GetString(0), reader.GetBoolean(1), definition[(method + 1)..]));
            }
        }

        var staged = new StagedTable(schema, table, constraints, indexes);
        await ExecuteAsync(connection,
            $"drop table if exists {staged.QualifiedStaging}; "
            + $"create table {staged.QualifiedStaging} (like {qualifiedTable} including defaults including constraints including storage including comments)",
            cancellationToken);
        return staged;
    }

    /// <summary>Drops what <see cref="CreateAsync"/> made, when the rebuild ends without the swap.</summary>
    public Task DropAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, $"drop table if exists {QualifiedStaging}", cancellationToken);

    /// <summary>Makes the old table's keys and indexes on the filled staging table, under temporary names.</summary>
    public Task IndexAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, string.Join("; ",
            _constraints.Select((constraint, index) => $"alter table {QualifiedStaging} add constraint {ConstraintName(index)} {constraint.Definition}")
                .Concat(_indexes.Select((definition, index) => $"create {(definition.Unique ? "unique " : "")}index {IndexName(index)} on {QualifiedStaging} {definition.Definition}"))),
            cancellationToken);

    /// <summary>Puts the staging table in the old one's place, under the old names (in the caller's transaction).</summary>
    public Task SwapAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, string.Join("; ",
            new[] { $"drop table {QualifiedTable}", $"alter table {QualifiedStaging} rename to {Table}" }
                .Concat(_constraints.Select((constraint, index) => $"alter table {QualifiedTable} rename constraint {ConstraintName(index)} to {constraint.Name}"))
                .Concat(_indexes.Select((definition, index) => $"alter index {Schema}.{IndexName(index)} rename to {definition.Name}"))),
            cancellationToken, transaction);

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, NpgsqlTransaction? transaction = null)
    {
        if (sql.Length == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
