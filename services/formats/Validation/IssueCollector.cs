using CommunityEvals.Formats.Yaml;

namespace CommunityEvals.Formats.Validation;

// Collects every problem of one file; past the limit it only counts, and one last issue says how
// many were left out.
internal sealed class IssueCollector(string file, FormatLimits limits)
{
    private readonly List<FormatIssue> _errors = [];
    private readonly List<FormatIssue> _warnings = [];
    private int _droppedErrors;
    private int _droppedWarnings;

    public string File { get; } = file;

    public int ErrorCount => _errors.Count + _droppedErrors;

    public bool TooLarge { get; private set; }

    public void Error(int? item, YNode? at, string? field, string message) =>
        Add(_errors, ref _droppedErrors, new FormatIssue(File, item, at?.Line, at?.Column, field, message));

    public void Warning(int? item, YNode? at, string? field, string message) =>
        Add(_warnings, ref _droppedWarnings, new FormatIssue(File, item, at?.Line, at?.Column, field, message));

    public void Add(FormatIssue issue, bool tooLarge = false)
    {
        TooLarge |= tooLarge;
        Add(_errors, ref _droppedErrors, issue);
    }

    public ParseOutcome<T> Outcome<T>(T? value) where T : class => new(
        ErrorCount == 0 ? value : null,
        Finish(_errors, _droppedErrors, "errors"),
        Finish(_warnings, _droppedWarnings, "warnings"),
        TooLarge);

    private void Add(List<FormatIssue> list, ref int dropped, FormatIssue issue)
    {
        if (list.Count < Math.Max(1, limits.MaxIssuesPerFile))
        {
            list.Add(issue);
        }
        else
        {
            dropped++;
        }
    }

    private IReadOnlyList<FormatIssue> Finish(List<FormatIssue> list, int dropped, string what)
    {
        if (dropped > 0)
        {
            list.Add(new FormatIssue(File, null, null, null, null, $"{dropped:N0} more {what} not listed."));
        }
        return list.AsReadOnly();
    }
}
