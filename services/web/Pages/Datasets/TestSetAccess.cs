using System.Text.Json;
using CommunityEvals.Web.Gateway;

namespace CommunityEvals.Web.Pages.Datasets;

/// <summary>One file of a dataset repo, as its tree lists it.</summary>
public sealed record RepoFileRow(string Path, long Size, bool IsData);

/// <summary>
/// What a dataset page shows of its files and their access (ACCESS.md "Gated test sets"): whether the
/// repo is private or gated, whether this visitor may download the data, and its file list.
/// </summary>
/// <param name="Gated"><c>auto</c>, <c>manual</c>, or null.</param>
/// <param name="MayDownload">Whether the visitor may read the data files (null: nothing to read).</param>
public sealed record TestSetAccess(bool Private, string? Gated, bool IsOwner, bool SignedIn, bool? MayDownload, IReadOnlyList<RepoFileRow> Files)
{
    public static readonly TestSetAccess Open = new(false, null, false, false, true, []);

    public static async Task<TestSetAccess> LoadAsync(GatewayApi api, Visitor visitor, string org, string name, CancellationToken cancellationToken)
    {
        var escaped = $"{Uri.EscapeDataString(org)}/{Uri.EscapeDataString(name)}";
        var info = await api.GetAsync($"/api/datasets/{escaped}", cancellationToken);
        if (!info.Ok)
        {
            return Open;
        }

        var json = info.Json();
        var isPrivate = json.TryGetProperty("private", out var flag) && flag.ValueKind == JsonValueKind.True;
        var gated = json.TryGetProperty("gated", out var gating) && gating.ValueKind == JsonValueKind.String ? gating.GetString() : null;
        var person = await visitor.PersonAsync();
        var tree = await api.GetAsync($"/api/datasets/{escaped}/tree/main?recursive=true", cancellationToken);
        IReadOnlyList<RepoFileRow> files = tree.Ok
            ? [.. tree.Json().EnumerateArray()
                .Where(entry => Format.Text(entry, "type") == "file")
                .Select(entry => new RepoFileRow(
                    Format.Text(entry, "path") ?? "",
                    entry.TryGetProperty("size", out var size) ? size.GetInt64() : 0,
                    entry.TryGetProperty("lfs", out var lfs) && lfs.ValueKind == JsonValueKind.Object))]
            : [];
        bool? mayDownload = null;
        if (files.FirstOrDefault(file => file.IsData) is { } data)
        {
            mayDownload = gated is null
                || (await api.HeadAsync($"/datasets/{escaped}/resolve/main/{string.Join('/', data.Path.Split('/').Select(Uri.EscapeDataString))}", cancellationToken)).Ok;
        }

        return new TestSetAccess(isPrivate, gated, person?.Owns(org) ?? false, person is not null, mayDownload, files);
    }
}
