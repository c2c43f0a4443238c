using System.Security.Cryptography;

namespace CommunityEvals.Verification.Evidence;

public sealed class EvidenceLimits
{
    /// <summary>The largest evidence log accepted, in bytes (default 1 GiB).</summary>
    public long MaxLogBytes { get; set; } = 1L << 30;
}

public sealed record StoredLog(string Sha256, long Size, string Path);

/// <summary>
/// Evidence logs on disk, stored once under their SHA-256 in the service's data directory:
/// events carry the hash, never the bytes, and the same log uploaded twice is kept once.
/// </summary>
public sealed class EvidenceStorage(string directory)
{
    public string PathOf(string sha256) => System.IO.Path.Combine(directory, sha256[..2], sha256);

    /// <summary>Streams a body to disk while hashing it; null when it passes <paramref name="maxBytes"/>.</summary>
    public async Task<StoredLog?> StoreAsync(Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var temporary = System.IO.Path.Combine(directory, $"upload-{Guid.NewGuid():N}.tmp");
        try
        {
            long size = 0;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    size += read;
                    if (size > maxBytes)
                    {
                        return null;
                    }

                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }

            var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            var target = PathOf(sha256);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            if (!File.Exists(target))
            {
                File.Move(temporary, target, overwrite: true);
            }

            return new StoredLog(sha256, size, target);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
