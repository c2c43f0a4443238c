namespace CommunityEvals.Formats;

/// <summary>
/// One problem found in a file, located as precisely as the input allows, so the HTTP layer can
/// copy it into a problem document's <c>errors</c> (or a commit's <c>warnings</c>) unchanged.
/// </summary>
/// <param name="File">The path the caller gave for the file, e.g. <c>.eval_results/hle.yaml</c>.</param>
/// <param name="Item">Index from 0 of the result item (or model-index metric) concerned; null when the problem is not about one item.</param>
/// <param name="Line">1-based line in the file; null when the problem has no position (e.g. a file that is too large).</param>
/// <param name="Column">1-based column.</param>
/// <param name="Field">Dotted path of the field within the item or document, e.g. <c>dataset.task_id</c> or <c>tasks[1].epochs</c>.</param>
/// <param name="Message">One readable sentence.</param>
public sealed record FormatIssue(string File, int? Item, int? Line, int? Column, string? Field, string Message);
