namespace CommunityEvals.Formats;

/// <summary>
/// What parsing one file produced. Bad input is a value here, never an exception, because a
/// commit must answer 413/422 with every problem listed rather than fail on the first.
/// </summary>
/// <param name="Value">The parsed content; null whenever <see cref="Errors"/> is not empty, so a
/// file is used all or nothing.</param>
/// <param name="Errors">Problems that reject the file (422, or 413 when <see cref="TooLarge"/>).</param>
/// <param name="Warnings">Problems that do not reject it (unknown keys, unmatched model-index entries).</param>
/// <param name="TooLarge">The file exceeds <see cref="FormatLimits.MaxFileBytes"/>: answer 413 rather than 422.</param>
public sealed record ParseOutcome<T>(
    T? Value,
    IReadOnlyList<FormatIssue> Errors,
    IReadOnlyList<FormatIssue> Warnings,
    bool TooLarge) where T : class
{
    public bool IsValid => Value is not null && Errors.Count == 0 && !TooLarge;
}
