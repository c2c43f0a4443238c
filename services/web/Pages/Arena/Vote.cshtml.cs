using System.Text.Json;
using CommunityEvals.Web.Gateway;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CommunityEvals.Web.Pages.Arena;

/// <summary>
/// The arena's voting page (ARENA.md): one battle at a time, two unlabeled answers, four choices; after
/// a vote, who was who and whether it counted, with the next battle below it.
/// </summary>
public sealed class VotePage(GatewayApi api, Visitor visitor) : ArenaPageModel
{
    public string? SignedInAs { get; private set; }

    public JsonElement? Battle { get; private set; }

    /// <summary>Why no battle is shown (none left, too few models, today's cap).</summary>
    public string? NoBattle { get; private set; }

    /// <summary>The answer to the vote just cast: who was A and B, whether it counted and why not.</summary>
    public JsonElement? Reveal { get; private set; }

    public string? VoteError { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => await ShowAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(string? battleId, string? winner, CancellationToken cancellationToken)
    {
        var answer = await api.PostJsonAsync($"/api/arena/battles/{Uri.EscapeDataString(battleId ?? "")}/vote", new { winner }, cancellationToken);
        if (answer.Ok)
        {
            Reveal = answer.Json();
        }
        else
        {
            VoteError = answer.Problem;
            Response.StatusCode = answer.Status;
        }

        return await ShowAsync(cancellationToken);
    }

    private async Task<IActionResult> ShowAsync(CancellationToken cancellationToken)
    {
        var benchmark = await api.GetAsync($"/api/benchmarks/{Uri.EscapeDataString(Org)}/{Uri.EscapeDataString(Name)}", cancellationToken);
        if (!benchmark.Ok)
        {
            return StatusCode(benchmark.PageStatus);
        }

        Dimensions = ArenaPages.DimensionsOf(benchmark.Json());
        Dimension ??= Dimensions[0].Id;
        SignedInAs = await visitor.NameAsync();
        if (SignedInAs is null)
        {
            return Page();
        }

        var battle = await api.GetAsync($"{ApiPath}/battle?dimension={Uri.EscapeDataString(Dimension)}", cancellationToken);
        if (battle.Ok)
        {
            Battle = battle.Json();
        }
        else if (battle.Status is 404 or 429)
        {
            NoBattle = battle.Problem;
        }
        else
        {
            return StatusCode(battle.PageStatus);
        }

        return Page();
    }

    public static string Output(JsonElement battle, string slot) =>
        battle.GetProperty("outputs").EnumerateArray().Where(o => Format.Text(o, "slot") == slot).Select(o => Format.Text(o, "text") ?? "").FirstOrDefault() ?? "";
}
