using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace CommunityEvals.Evidence;

/// <summary>One ES256 (ECDSA P-256) private key: it signs tokens, and verifies them as its public half does.</summary>
public sealed class VerifySigningKey : IDisposable
{
    private const string P256Oid = "1.2.840.10045.3.1.7";

    private VerifySigningKey(ECDsa key, string? fileName)
    {
        SecurityKey = new ECDsaSecurityKey(key)
        {
            // The library caches signature providers process-wide by key thumbprint: once a store is disposed,
            // reopening the same key file would be handed a provider that still holds the disposed ECDsa.
            CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false },
        };
        SecurityKey.KeyId = Base64UrlEncoder.Encode(SecurityKey.ComputeJwkThumbprint());
        FileName = fileName;
    }

    /// <summary>The RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key.</summary>
    public string Kid => SecurityKey.KeyId;

    /// <summary>The key as Microsoft.IdentityModel signs and verifies with it; its <c>KeyId</c> is <see cref="Kid"/>.</summary>
    public ECDsaSecurityKey SecurityKey { get; }

    /// <summary>The file the key came from, for a directory store.</summary>
    public string? FileName { get; }

    /// <summary>A new random P-256 key.</summary>
    public static VerifySigningKey Generate(string? fileName = null) =>
        new(ECDsa.Create(ECCurve.NamedCurves.nistP256), fileName);

    /// <summary>Imports a PEM (PKCS#8 <c>PRIVATE KEY</c> or SEC1 <c>EC PRIVATE KEY</c>) holding a P-256 private key.</summary>
    /// <remarks>Key files are PEM, which Microsoft.IdentityModel does not read: the BCL imports them.</remarks>
    /// <exception cref="CryptographicException">Not a P-256 private key.</exception>
    public static VerifySigningKey FromPem(string pem, string? fileName = null)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            var p = key.ExportParameters(true); // throws for a public-only key
            if (p.D is null || !IsP256(p.Curve))
            {
                throw new CryptographicException("not a P-256 private key");
            }

            return new VerifySigningKey(key, fileName);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    public string ExportPkcs8Pem() => SecurityKey.ECDsa.ExportPkcs8PrivateKeyPem();

    public void Dispose() => SecurityKey.ECDsa.Dispose();

    private static bool IsP256(ECCurve curve) =>
        curve.IsNamed && (curve.Oid.Value == P256Oid || curve.Oid.FriendlyName is "nistP256" or "ECDSA_P256" or "secp256r1");
}

/// <summary>Where verify-token keys live. The newest signs; every key (old ones after rotation too) verifies.</summary>
public interface IVerifyKeyStore
{
    /// <summary>The key new tokens are signed with (the newest).</summary>
    VerifySigningKey Current { get; }

    /// <summary>All keys, newest first.</summary>
    IReadOnlyList<VerifySigningKey> Keys { get; }

    VerifySigningKey? Find(string kid) => Keys.FirstOrDefault(k => string.Equals(k.Kid, kid, StringComparison.Ordinal));
}

/// <summary>
/// Keys kept as PEM files (PKCS#8), one per key, in one directory (mode 0700; files 0600). Files sort by name,
/// and the names this store writes start with the creation time, so the last by name is the newest and signs.
/// <see cref="Rotate"/> adds a newer key; the older files stay and keep verifying until an operator removes them.
/// </summary>
public sealed class DirectoryVerifyKeyStore : IVerifyKeyStore, IDisposable
{
    private const UnixFileMode FileMode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode DirMode0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private volatile IReadOnlyList<VerifySigningKey> _keys = [];

    private DirectoryVerifyKeyStore(string directory, TimeProvider time)
    {
        DirectoryPath = directory;
        _time = time;
    }

    public string DirectoryPath { get; }

    public VerifySigningKey Current => _keys[0];

    public IReadOnlyList<VerifySigningKey> Keys => _keys;

    /// <summary>Loads the keys in <paramref name="directory"/>, creating the directory and a first key when there is none.</summary>
    /// <exception cref="CryptographicException">A <c>.pem</c> file there is not a P-256 private key.</exception>
    public static DirectoryVerifyKeyStore Open(string directory, TimeProvider? time = null)
    {
        var store = new DirectoryVerifyKeyStore(Path.GetFullPath(directory), time ?? TimeProvider.System);
        if (!System.IO.Directory.Exists(store.DirectoryPath))
        {
            if (OperatingSystem.IsWindows())
            {
                System.IO.Directory.CreateDirectory(store.DirectoryPath);
            }
            else
            {
                System.IO.Directory.CreateDirectory(store.DirectoryPath, DirMode0700);
            }
        }

        store.Reload();
        if (store._keys.Count == 0)
        {
            store.Rotate();
        }

        return store;
    }

    /// <summary>Re-reads the directory (e.g. after another instance rotated).</summary>
    public void Reload()
    {
        lock (_gate)
        {
            var loaded = new List<VerifySigningKey>();
            foreach (var file in System.IO.Directory.GetFiles(DirectoryPath, "*.pem").Order(StringComparer.Ordinal))
            {
                loaded.Add(VerifySigningKey.FromPem(File.ReadAllText(file), Path.GetFileName(file)));
            }

            loaded.Reverse(); // newest first
            _keys = loaded; // keys replaced here are left to the GC: a signer may still be using one

        }
    }

    /// <summary>Creates a new key file; it becomes <see cref="Current"/>. Older keys stay for verification.</summary>
    public VerifySigningKey Rotate()
    {
        lock (_gate)
        {
            var ticks = _time.GetUtcNow().UtcTicks;
            var newest = _keys.Count > 0 ? ParseTicks(_keys[0].FileName) : null;
            if (newest is { } n && ticks <= n)
            {
                ticks = n + 1; // keep names in creation order even within one clock tick
            }

            var name = $"es256-{ticks:D19}.pem";
            var key = VerifySigningKey.Generate(name);
            var final = Path.Combine(DirectoryPath, name);
            var temp = Path.Combine(DirectoryPath, $".{name}.{Guid.NewGuid():N}.tmp");
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = FileMode0600;
            }

            using (var stream = new FileStream(temp, options))
            using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
            {
                writer.Write(key.ExportPkcs8Pem());
            }

            File.Move(temp, final);
            _keys = [key, .. _keys];
            return key;
        }
    }

    public void Dispose()
    {
        foreach (var key in _keys)
        {
            key.Dispose();
        }
    }

    private static long? ParseTicks(string? fileName) =>
        fileName is not null && fileName.StartsWith("es256-", StringComparison.Ordinal)
        && long.TryParse(fileName.AsSpan(6, Math.Max(0, fileName.Length - 6 - 4)), out var t)
            ? t
            : null;
}

/// <summary>Keys held only in memory (tests, tools). The first key given or generated is the newest.</summary>
public sealed class InMemoryVerifyKeyStore : IVerifyKeyStore
{
    private IReadOnlyList<VerifySigningKey> _keys;

    public InMemoryVerifyKeyStore(params VerifySigningKey[] keysNewestFirst)
    {
        _keys = keysNewestFirst.Length > 0 ? keysNewestFirst : [VerifySigningKey.Generate()];
    }

    public VerifySigningKey Current => _keys[0];

    public IReadOnlyList<VerifySigningKey> Keys => _keys;

    public VerifySigningKey Rotate()
    {
        var key = VerifySigningKey.Generate();
        _keys = [key, .. _keys];
        return key;
    }
}
