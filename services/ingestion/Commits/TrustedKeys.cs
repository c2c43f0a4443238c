using CommunityEvals.Evidence;

namespace CommunityEvals.Ingestion.Commits;

/// <summary>
/// The verification service's published keys (its JWKS), fetched when a commit carries a
/// verifyToken and kept for a minute; a token naming a key not seen yet triggers one refresh,
/// so a rotation is picked up at once.
/// </summary>
public sealed class TrustedKeys(IHttpClientFactory clients, ILogger<TrustedKeys> logger)
{
    public const string VerificationClient = "verification";
    private static readonly TimeSpan KeepFor = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private VerifyTokenValidator? _validator;
    private DateTimeOffset _fetchedAt;

    public async Task<VerifyTokenValidator?> ValidatorAsync(bool refresh, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_validator is null || refresh || DateTimeOffset.UtcNow - _fetchedAt > KeepFor)
            {
                try
                {
                    var jwks = await clients.CreateClient(VerificationClient).GetStringAsync("/.well-known/jwks.json", cancellationToken);
                    _validator = VerifyTokenValidator.FromJwks(jwks);
                    _fetchedAt = DateTimeOffset.UtcNow;
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or FormatException or System.Text.Json.JsonException)
                {
                    // Without keys no token can be trusted: items stay unverified, with a warning.
                    logger.LogWarning(exception, "Could not fetch the verification service's keys");
                }
            }

            return _validator;
        }
        finally
        {
            _gate.Release();
        }
    }
}
