namespace CommunityEvals.Formats;

/// <summary>
/// What a dataset's README.md front matter says that the pages use: <c>language</c> and <c>tags</c>,
/// each a string or a list of strings, as on the Hub. Anything else in a card is left alone.
/// </summary>
public sealed record DatasetCard(IReadOnlyList<string> Languages, IReadOnlyList<string> Tags)
{
    public static readonly DatasetCard Empty = new([], []);
}
