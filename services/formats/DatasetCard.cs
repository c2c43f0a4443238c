namespace CommunityEvals.Formats;

/// <summary>
/// What a dataset's README.md front matter says that discovery uses (ACCESS.md "Discovering test
/// sets"): <c>language</c>, <c>tags</c> and <c>task_categories</c> (each a string or a list of strings)
/// and <c>license</c>, as on the Hub. Anything else in a card is left alone.
/// </summary>
public sealed record DatasetCard(IReadOnlyList<string> Languages, IReadOnlyList<string> Tags)
{
    public static readonly DatasetCard Empty = new([], []);

    public IReadOnlyList<string> TaskCategories { get; init; } = [];

    public string? License { get; init; }
}
