namespace CommunityEvals.Ingestion.Files;

public static class Sha256Hex
{
    /// <summary>Whether <paramref name="text"/> is a sha256 as files are named by: 64 lowercase hex digits.</summary>
    public static bool IsValid(string? text) =>
        text is { Length: 64 } && text.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
