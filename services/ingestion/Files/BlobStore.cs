using System.Buffers;
using System.Security.Cryptography;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace CommunityEvals.Ingestion.Files;

/// <summary>How writing a blob ended.</summary>
public enum BlobWriteOutcome
{
    Stored,
    TooLarge,
    SizeMismatch,
    HashMismatch,
}

/// <summary>
/// Data files' bytes, once per content (ACCESS.md "Files in repos"), in two PostgreSQL tables:
/// <c>blobs</c> (a row once a blob is complete) and <c>blob_chunks</c> (its bytes in 1 MiB rows).
/// Chunks rather than one <c>bytea</c> or a large object so that a file is streamed in and out a
/// chunk at a time, a <c>Range</c> read fetches only the chunks it covers, and the bytes stay in
/// the database's backups and transactions with the events that name them.
/// </summary>
public sealed class BlobStore(NpgsqlDataSource dataSource, string schema)
{
    public const int ChunkBytes = 1 << 20;

    private readonly SemaphoreSlim creation = new(1, 1);
    private volatile bool created;

    public static BlobStore FromConnectionString(string connectionString, string schema) =>
        new(NpgsqlDataSource.Create(connectionString), schema);

    public static IReadOnlyList<string> CreateStatements(string schema) =>
    [
        $"create schema if not exists {schema}",
        $"create table if not exists {schema}.blobs (sha256 text primary key, size bigint not null, stored_at timestamptz not null default now())",
        $"create table if not exists {schema}.blob_chunks (sha256 text not null, chunk integer not null, data bytea not null, primary key (sha256, chunk))",
    ];

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (created)
        {
            return;
        }

        await creation.WaitAsync(cancellationToken);
        try
        {
            if (!created)
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                foreach (var statement in CreateStatements(schema))
                {
                    await using var command = new NpgsqlCommand(statement, connection);
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }

                created = true;
            }
        }
        finally
        {
            creation.Release();
        }
    }

    /// <summary>The sizes of the complete blobs among <paramref name="sha256s"/>.</summary>
    public async Task<IReadOnlyDictionary<string, long>> SizesAsync(IReadOnlyCollection<string> sha256s, CancellationToken cancellationToken)
    {
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        if (sha256s.Count == 0)
        {
            return sizes;
        }

        await EnsureCreatedAsync(cancellationToken);
        await using var command = dataSource.CreateCommand($"select sha256, size from {schema}.blobs where sha256 = any($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = sha256s.ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            sizes[reader.GetString(0)] = reader.GetInt64(1);
        }

        return sizes;
    }

    /// <summary>
    /// Streams <paramref name="body"/> in as the blob <paramref name="expectedSha256"/> of
    /// <paramref name="expectedSize"/> bytes, one chunk in memory at a time, in one transaction:
    /// stored only when the bytes are exactly those promised.
    /// </summary>
    public async Task<BlobWriteOutcome> WriteAsync(Stream body, string expectedSha256, long expectedSize, long maxBytes, CancellationToken cancellationToken)
    {
        if (expectedSize > maxBytes)
        {
            return BlobWriteOutcome.TooLarge;
        }

        await EnsureCreatedAsync(cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            long total = 0;
            for (var chunk = 0; ; chunk++)
            {
                var read = await body.ReadAtLeastAsync(buffer.AsMemory(0, ChunkBytes), ChunkBytes, throwOnEndOfStream: false, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                total += read;
                if (total > expectedSize)
                {
                    return total > maxBytes ? BlobWriteOutcome.TooLarge : BlobWriteOutcome.SizeMismatch;
                }

                hash.AppendData(buffer, 0, read);
                await InsertChunkAsync(connection, transaction, expectedSha256, chunk, new ArraySegment<byte>(buffer, 0, read), cancellationToken);
                if (read < ChunkBytes)
                {
                    break;
                }
            }

            if (total != expectedSize)
            {
                return BlobWriteOutcome.SizeMismatch;
            }

            if (Convert.ToHexStringLower(hash.GetHashAndReset()) != expectedSha256)
            {
                return BlobWriteOutcome.HashMismatch;
            }

            await using (var complete = new NpgsqlCommand(
                $"insert into {schema}.blobs (sha256, size) values ($1, $2) on conflict (sha256) do nothing", connection, transaction))
            {
                complete.Parameters.Add(new NpgsqlParameter { Value = expectedSha256 });
                complete.Parameters.Add(new NpgsqlParameter { Value = expectedSize });
                await complete.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return BlobWriteOutcome.Stored;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Queues, in <paramref name="session"/>'s transaction, a blob that arrived inline in a commit
    /// (already in memory), so it is stored exactly when the commit naming it is.
    /// </summary>
    public void QueueWrite(IDocumentSession session, string sha256, byte[] content)
    {
        foreach (var statement in CreateStatements(schema))
        {
            session.QueueSqlCommand(statement);
        }

        for (var chunk = 0; chunk * (long)ChunkBytes < content.Length || chunk == 0; chunk++)
        {
            var start = chunk * ChunkBytes;
            var data = content.AsSpan(start, Math.Min(ChunkBytes, content.Length - start)).ToArray();
            session.QueueSqlCommand(
                $"insert into {schema}.blob_chunks (sha256, chunk, data) values (?, ?, ?) on conflict do nothing", sha256, chunk, data);
        }

        session.QueueSqlCommand($"insert into {schema}.blobs (sha256, size) values (?, ?) on conflict (sha256) do nothing", sha256, (long)content.Length);
    }

    /// <summary>A seekable read of a stored blob: each chunk is fetched when the reader reaches it.</summary>
    public Stream OpenRead(string sha256, long size) => new BlobReadStream(dataSource, schema, sha256, size);

    private async Task InsertChunkAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sha256, int chunk, ArraySegment<byte> data, CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand(
            $"insert into {schema}.blob_chunks (sha256, chunk, data) values ($1, $2, $3) on conflict do nothing", connection, transaction);
        insert.Parameters.Add(new NpgsqlParameter { Value = sha256 });
        insert.Parameters.Add(new NpgsqlParameter { Value = chunk });
        insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = data });
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// A read-only, seekable view of one blob, so ASP.NET's own range handling (<c>Range</c>, 206,
    /// 416, <c>HEAD</c>) serves it. One connection per reader, opened at the first read; one chunk
    /// in memory at a time.
    /// </summary>
    private sealed class BlobReadStream(NpgsqlDataSource dataSource, string schema, string sha256, long size) : Stream
    {
        private NpgsqlConnection? connection;
        private byte[]? buffer;
        private int bufferedChunk = -1;
        private int bufferedLength;
        private long position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => size;

        public override long Position
        {
            get => position;
            set => position = Math.Clamp(value, 0, size);
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => position + offset,
            _ => size + offset,
        };

        public override int Read(byte[] destination, int offset, int count) =>
            ReadAsync(destination.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] destination, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(destination.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            if (position >= size || destination.IsEmpty)
            {
                return 0;
            }

            var chunk = (int)(position / ChunkBytes);
            if (chunk != bufferedChunk)
            {
                await LoadAsync(chunk, cancellationToken);
            }

            var within = (int)(position - (long)chunk * ChunkBytes);
            var count = Math.Min(destination.Length, bufferedLength - within);
            if (count <= 0)
            {
                throw new IOException($"blob {sha256} is shorter than its recorded size of {size} bytes");
            }

            buffer.AsSpan(within, count).CopyTo(destination.Span);
            position += count;
            return count;
        }

        private async Task LoadAsync(int chunk, CancellationToken cancellationToken)
        {
            connection ??= await dataSource.OpenConnectionAsync(cancellationToken);
            buffer ??= ArrayPool<byte>.Shared.Rent(ChunkBytes);
            await using var command = new NpgsqlCommand($"select data from {schema}.blob_chunks where sha256 = $1 and chunk = $2", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = sha256 });
            command.Parameters.Add(new NpgsqlParameter { Value = chunk });
            await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new IOException($"blob {sha256} has no chunk {chunk}");
            }

            bufferedLength = (int)reader.GetBytes(0, 0, buffer, 0, ChunkBytes);
            bufferedChunk = chunk;
        }

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] source, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                connection?.Dispose();
                ReturnBuffer();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
                connection = null;
            }

            ReturnBuffer();
            await base.DisposeAsync();
        }

        private void ReturnBuffer()
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
            }
        }
    }
}
