using CommunityEvals.Evidence;
using CommunityEvals.Platform.EventStore;
using Marten;
using Npgsql;

namespace CommunityEvals.Verification.Arena;

/// <summary>
/// The answers the arena shows (ARENA.md "Where battles come from"): per board (<c>{dataset}|{task}</c>)
/// and model, the samples of the model's latest accepted log, one row each, replaced whole when a newer
/// log is accepted. Plain tables rather than documents, because a battle reads only the ids and input
/// hashes of every model and the texts of two answers: a document per log would be read whole (up
/// to 20,000 answers of 4,000 characters) for every battle served.
/// </summary>
public static class ArenaAnswers
{
    public static string Board(string datasetId, string taskId) => $"{datasetId}|{taskId}";

    private static string Schema(IQuerySession session) => session.DocumentStore.Options.DatabaseSchemaName;

    /// <summary>The tables, one statement each (Marten batches queued commands: one statement per command).</summary>
    public static IReadOnlyList<string> CreateStatements(string schema) =>
    [
        $"create table if not exists {schema}.arena_answers (board text not null, model text not null, sample_id text not null, "
        + "input_hash text not null, input text not null, answer text not null, names_self boolean not null, primary key (board, model, sample_id))",
        $"create table if not exists {schema}.arena_answer_sets (board text not null, model text not null, evidence_id text not null, "
        + "log_model text, kept_at timestamptz not null, primary key (board, model))",
        $"create table if not exists {schema}.arena_pair_votes (board text not null, dimension text not null, pair text not null, "
        + "votes integer not null, primary key (board, dimension, pair))",
    ];

    private static void QueueCreate(IDocumentSession session)
    {
        foreach (var statement in CreateStatements(Schema(session)))
        {
            session.QueueSqlCommand(statement);
        }
    }

    /// <summary>Rows written per statement: a few MB of text at most.</summary>
    private const int RowsPerStatement = 1_000;

    /// <summary>
    /// Queues, in the session's transaction, the replacement of <paramref name="model"/>'s answers on the
    /// board by <paramref name="answers"/>. An answer that names its own model is kept but marked, so it
    /// is never served (the other model's names are checked when a battle is chosen).
    /// </summary>
    public static void QueueReplace(IDocumentSession session, string board, string model, string evidenceId, string? logModel,
        IReadOnlyList<SampleAnswer> answers, DateTimeOffset at)
    {
        var schema = Schema(session);
        QueueCreate(session);
        session.QueueSqlCommand($"delete from {schema}.arena_answers where board = ? and model = ?", board, model);
        session.QueueSqlCommand(
            $"insert into {schema}.arena_answer_sets (board, model, evidence_id, log_model, kept_at) values (?, ?, ?, ?, ?::timestamptz) "
            + "on conflict (board, model) do update set evidence_id = excluded.evidence_id, log_model = excluded.log_model, kept_at = excluded.kept_at",
            board, model, evidenceId, logModel ?? "", at.UtcDateTime.ToString("O"));
        var names = NamesOf(model, logModel);
        foreach (var chunk in answers.Chunk(RowsPerStatement))
        {
            session.QueueSqlCommand(
                $"insert into {schema}.arena_answers (board, model, sample_id, input_hash, input, answer, names_self) "
                + "select ?, ?, * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::boolean[]) on conflict do nothing",
                board, model,
                chunk.Select(a => a.SampleId).ToArray(),
                chunk.Select(a => a.InputHash).ToArray(),
                chunk.Select(a => a.Input).ToArray(),
                chunk.Select(a => a.Answer).ToArray(),
                chunk.Select(a => Names(a.Answer, names)).ToArray());
        }
    }

    /// <summary>What would reveal a model (ARENA.md): its repo id, its name without the org, the log's <c>eval.model</c>.</summary>
    public static IReadOnlyList<string> NamesOf(string model, string? logModel)
    {
        var names = new List<string> { model };
        if (model.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0 && slash < model.Length - 1)
        {
            names.Add(model[(slash + 1)..]);
        }

        if (!string.IsNullOrWhiteSpace(logModel))
        {
            names.Add(logModel.Trim());
        }

        return names;
    }

    public static bool Names(string answer, IReadOnlyList<string> names) =>
        names.Any(name => name.Length > 0 && answer.Contains(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The models with kept answers on a board, with the <c>eval.model</c> of the log they came from.</summary>
    public static async Task<Dictionary<string, string?>> ModelsAsync(IQuerySession session, string board, CancellationToken cancellationToken)
    {
        var models = new Dictionary<string, string?>(StringComparer.Ordinal);
        await ReadAsync(session, $"select model, log_model from {Schema(session)}.arena_answer_sets where board = $1", [board],
            reader => models[reader.GetString(0)] = reader.IsDBNull(1) ? null : reader.GetString(1), cancellationToken);
        return models;
    }

    /// <summary>Each model's servable samples (not naming itself): sample id to input hash.</summary>
    public static async Task<Dictionary<string, Dictionary<string, string>>> SamplesAsync(
        IQuerySession session, string board, IReadOnlyCollection<string> models, CancellationToken cancellationToken)
    {
        var samples = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        await ReadAsync(session,
            $"select model, sample_id, input_hash from {Schema(session)}.arena_answers where board = $1 and model = any($2) and not names_self",
            [board, models.ToArray()],
            reader =>
            {
                var model = reader.GetString(0);
                if (!samples.TryGetValue(model, out var own))
                {
                    samples[model] = own = new Dictionary<string, string>(StringComparer.Ordinal);
                }

                own[reader.GetString(1)] = reader.GetString(2);
            },
            cancellationToken);
        return samples;
    }

    /// <summary>One model's answer to one sample, with the input it saw; null when not kept.</summary>
    public static async Task<(string Input, string Answer)?> AnswerAsync(IQuerySession session, string board, string model, string sampleId, CancellationToken cancellationToken)
    {
        (string, string)? found = null;
        await ReadAsync(session, $"select input, answer from {Schema(session)}.arena_answers where board = $1 and model = $2 and sample_id = $3",
            [board, model, sampleId], reader => found = (reader.GetString(0), reader.GetString(1)), cancellationToken);
        return found;
    }

    /// <summary>Counted votes per pair of a board's dimension (pair: the two model ids in ordinal order, joined by a space).</summary>
    public static async Task<Dictionary<string, int>> PairVotesAsync(IQuerySession session, string board, string dimension, CancellationToken cancellationToken)
    {
        var votes = new Dictionary<string, int>(StringComparer.Ordinal);
        await ReadAsync(session, $"select pair, votes from {Schema(session)}.arena_pair_votes where board = $1 and dimension = $2",
            [board, dimension], reader => votes[reader.GetString(0)] = reader.GetInt32(1), cancellationToken);
        return votes;
    }

    /// <summary>Queues one more counted vote for a pair (what battle choice balances on), in the vote's transaction.</summary>
    public static void QueueCountedVote(IDocumentSession session, string board, string dimension, string pair)
    {
        var schema = Schema(session);
        QueueCreate(session);
        session.QueueSqlCommand(
            $"insert into {schema}.arena_pair_votes (board, dimension, pair, votes) values (?, ?, ?, 1) "
            + "on conflict (board, dimension, pair) do update set votes = arena_pair_votes.votes + 1",
            board, dimension, pair);
    }

    public static string PairKey(string a, string b) => string.CompareOrdinal(a, b) <= 0 ? $"{a} {b}" : $"{b} {a}";

    private static async Task ReadAsync(IQuerySession session, string sql, object[] parameters, Action<System.Data.Common.DbDataReader> row, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        try
        {
            await using var reader = await session.ExecuteReaderAsync(command, cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                row(reader);
            }
        }
        catch (Exception exception) when (PostgresErrors.IsUndefinedTable(exception))
        {
            // No answer has been kept yet.
        }
    }
}
