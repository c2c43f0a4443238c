using CommunityEvals.Platform.Identity;

namespace CommunityEvals.Ingestion.Files;

/// <summary>What one upload href lets its holder send: these bytes, to this repo, until then.</summary>
public sealed record UploadTicket(string Kind, string Repo, string Sha256, long Size, string User, DateTimeOffset ExpiresAt)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
}

/// <summary>
/// Upload hrefs carry their permission, signed: Hub clients send the bytes to the href the LFS batch
/// answered, without their token (it may point at other storage), so the href itself must prove the
/// batch allowed them.
/// </summary>
public sealed class UploadTickets(byte[] key) : SignedTickets<UploadTicket>(key)
{
    public static UploadTickets FromConfiguration(IConfiguration configuration) => new(KeyFrom(configuration, "file upload hrefs"));
}
