using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CommunityEvals.Web.Pages.Arena;

/// <summary>What both arena pages are about: one benchmark task and one of its dimensions.</summary>
public abstract class ArenaPageModel : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Org { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string Name { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string TaskId { get; set; } = "";

    [BindProperty(SupportsGet = true, Name = "dimension")]
    public string? Dimension { get; set; }

    public string Benchmark => $"{Org}/{Name}";

    /// <summary>The voting page's path; the ratings are under it.</summary>
    public string Arena => $"/arena/{Benchmark}/{Uri.EscapeDataString(TaskId)}";

    /// <summary>The API's path of the task's arena.</summary>
    protected string ApiPath => $"/api/arena/{Uri.EscapeDataString(Org)}/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(TaskId)}";

    public IReadOnlyList<CommunityEvals.Formats.ArenaDimension> Dimensions { get; protected set; } = [];
}
