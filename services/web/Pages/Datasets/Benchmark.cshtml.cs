using System.Text.Json;
using CommunityEvals.Web.Gateway;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CommunityEvals.Web.Pages.Datasets;

public sealed class BenchmarkModel(GatewayApi api, Visitor visitor) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Org { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string Name { get; set; } = "";

    [BindProperty(SupportsGet = true, Name = "task")]
    public string? Task { get; set; }

    [BindProperty(SupportsGet = true, Name = "verified")]
    public bool VerifiedOnly { get; set; }

    /// <summary>Community results (open pull requests) are shown unless the visitor unticks them.</summary>
    [BindProperty(SupportsGet = true, Name = "community")]
    public bool? Community { get; set; }

    [BindProperty(SupportsGet = true, Name = "base")]
    public bool BaseModelsOnly { get; set; }

    [BindProperty(SupportsGet = true, Name = "as_of")]
    public string? AsOf { get; set; }

    public string Id => $"{Org}/{Name}";

    public JsonElement Benchmark { get; private set; }

    public IReadOnlyList<string> Tasks { get; private set; } = [];

    public JsonElement? Board { get; private set; }

    public string? BoardError { get; private set; }

    /// <summary>A dataset repo that exists but has no <c>eval.yaml</c> on <c>main</c>: shown as such, not as missing.</summary>
    public bool NotABenchmark { get; private set; }

    /// <summary>The dataset card's body as HTML (<see cref="CardMarkdown"/>); null without a card.</summary>
    public string? CardHtml { get; private set; }

    /// <summary>How far back the card is looked for in the repo's events.</summary>
    public const int CardSearchDepth = 200;

    /// <summary>The repo's files and who may read them (ACCESS.md): shown on every dataset page.</summary>
    public TestSetAccess Access { get; private set; } = TestSetAccess.Open;

    /// <summary>What asking for access answered (<c>accepted</c>, <c>pending</c>), or its problem.</summary>
    public string? AskOutcome { get; private set; }

    private string Escaped => $"{Uri.EscapeDataString(Org)}/{Uri.EscapeDataString(Name)}";

    public async Task<IActionResult> OnPostAskAccessAsync(string? reason, CancellationToken cancellationToken)
    {
        var answer = await api.PostJsonAsync($"/api/datasets/{Escaped}/ask-access",
            string.IsNullOrWhiteSpace(reason) ? new { } : new { reason = reason.Trim() }, cancellationToken);
        AskOutcome = answer.Ok ? Format.Text(answer.Json(), "status") : answer.Problem;
        var shown = await OnGetAsync(cancellationToken);
        if (!answer.Ok)
        {
            Response.StatusCode = answer.Status;
        }

        return shown;
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var card = LoadCardAsync(cancellationToken);
        var access = TestSetAccess.LoadAsync(api, visitor, Org, Name, cancellationToken);
        var benchmark = await api.GetAsync($"/api/benchmarks/{Escaped}", cancellationToken);
        if (benchmark.Status == 404)
        {
            var dataset = await api.GetAsync($"/api/datasets/{Escaped}", cancellationToken);
            NotABenchmark = dataset.Ok;
            if (NotABenchmark)
            {
                CardHtml = await card;
                Access = await access;
                return Page();
            }
        }

        if (!benchmark.Ok)
        {
            return StatusCode(benchmark.PageStatus);
        }

        CardHtml = await card;
        Access = await access;

        Benchmark = benchmark.Json();
        Tasks = Benchmark.TryGetProperty("tasks", out var tasks)
            ? [.. tasks.EnumerateArray().Select(t => Format.Text(t, "id") ?? "").Where(id => id.Length > 0)]
            : [];
        Task ??= Tasks.FirstOrDefault();
        if (Task is null)
        {
            return Page();
        }

        var query = $"?limit=1000&verified={(VerifiedOnly ? "true" : "false")}&community={(Community ?? true ? "true" : "false")}";
        if (!string.IsNullOrWhiteSpace(AsOf))
        {
            query += "&as_of=" + Uri.EscapeDataString(AsOf.Trim());
        }

        var board = await api.GetAsync($"/api/leaderboards/{Uri.EscapeDataString(Org)}/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(Task)}{query}", cancellationToken);
        if (board.Ok)
        {
            Board = board.Json();
        }
        else
        {
            BoardError = board.Problem;
        }

        return Page();
    }

    /// <summary>
    /// The card as <c>main</c> holds it, from the last commit on <c>main</c> that wrote or deleted it
    /// (the public log keeps each commit's text files).
    /// </summary>
    private async Task<string?> LoadCardAsync(CancellationToken cancellationToken)
    {
        // The card as the visitor may read it (a private repo's is its owners'); the log below is
        // only for repos whose card predates the file routes' answers (none now, but cheap to keep).
        var resolved = await api.GetAsync($"/datasets/{Escaped}/resolve/main/README.md", cancellationToken);
        if (resolved.Ok)
        {
            return CardMarkdown.ToHtml(resolved.Body);
        }

        if (resolved.Status != 404)
        {
            return null;
        }

        var stream = Uri.EscapeDataString($"dataset/{Id}");
        var answer = await api.GetAsync($"/api/events?stream={stream}&order=desc&limit={CardSearchDepth}", cancellationToken);
        if (!answer.Ok)
        {
            return null;
        }

        foreach (var entry in answer.Json().GetProperty("events").EnumerateArray())
        {
            if (Format.Text(entry, "type") is not ("MainCommitted" or "PullRequestMerged")
                || !entry.GetProperty("data").TryGetProperty("commit", out var commit))
            {
                continue;
            }

            if (commit.TryGetProperty("files", out var files)
                && files.EnumerateArray().FirstOrDefault(file => Format.Text(file, "path") == "README.md") is { ValueKind: JsonValueKind.Object } readme)
            {
                return CardMarkdown.ToHtml(Format.Text(readme, "content") ?? "");
            }

            if (commit.TryGetProperty("deletedPaths", out var deleted) && deleted.EnumerateArray().Any(path => path.GetString() == "README.md"))
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>One task of <c>eval.yaml</c> as the summary shows it, with its <c>leaderboard:</c> settings.</summary>
    public sealed record TaskDetail(string Id, string Config, string Split, string Metric, bool HigherIsBetter, string Range, string Samples);

    public IEnumerable<TaskDetail> TaskDetails
    {
        get
        {
            var settings = Benchmark.ValueKind == JsonValueKind.Object && Benchmark.TryGetProperty("leaderboard", out var leaderboard) ? leaderboard : default;
            if (Benchmark.ValueKind != JsonValueKind.Object || !Benchmark.TryGetProperty("tasks", out var tasks) || tasks.ValueKind != JsonValueKind.Array)
            {
                yield break;
            }

            foreach (var task in tasks.EnumerateArray())
            {
                var id = Format.Text(task, "id") ?? "";
                var setting = settings.ValueKind == JsonValueKind.Object && settings.TryGetProperty(id, out var s) ? s : default;
                var range = setting.ValueKind == JsonValueKind.Object && setting.TryGetProperty("range", out var r) && r.ValueKind == JsonValueKind.Array
                    ? "[" + string.Join(", ", r.EnumerateArray().Select(bound => bound.GetRawText())) + "]"
                    : "";
                yield return new TaskDetail(
                    id,
                    Format.Text(task, "config") ?? "default",
                    Format.Text(task, "split") ?? "test",
                    Format.Text(setting, "metric") ?? "",
                    !(setting.ValueKind == JsonValueKind.Object && setting.TryGetProperty("higher_is_better", out var higher) && higher.ValueKind == JsonValueKind.False),
                    range,
                    Format.Text(setting, "samples") ?? "");
            }
        }
    }

    public IEnumerable<JsonElement> Rows =>
        Board is { } board && board.TryGetProperty("rows", out var rows)
            ? rows.EnumerateArray().Where(row => !BaseModelsOnly || Format.Flag(row, "baseModel"))
            : [];

    public string TaskLink(string task) => $"/datasets/{Id}?task={Uri.EscapeDataString(task)}";
}
