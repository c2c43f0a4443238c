using System.Text;
using CommunityEvals.Formats;

namespace CommunityEvals.UnitTests.Formats;

public class DatasetCardTests
{
    private static readonly FormatParser Parser = new();

    [Fact]
    public void Languages_and_tags_are_read_as_lists_or_single_strings()
    {
        var card = Parser.ParseDatasetCard("README.md", "---\nlanguage:\n  - sw\n  - en\ntags: medical\ntask_categories: [question-answering]\nlicense: cc-by-4.0\npretty_name: Quiz\n---\n# Quiz\n");

        Assert.Equal(["sw", "en"], card.Languages);
        Assert.Equal(["medical"], card.Tags);
        Assert.Equal(["question-answering"], card.TaskCategories);
        Assert.Equal("cc-by-4.0", card.License);
    }

    [Theory]
    [InlineData("# No front matter\n")]
    [InlineData("---\nlanguage: [en\n---\n")]
    [InlineData("---\nlanguage: en\n")]
    [InlineData("---\n- a list\n---\n")]
    [InlineData("---\nlanguage: {a: 1}\ntags: ~\n---\n")]
    public void A_card_it_cannot_read_says_nothing_rather_than_failing(string text)
    {
        var card = Parser.ParseDatasetCard("README.md", text);

        Assert.Empty(card.Languages);
        Assert.Empty(card.Tags);
    }

    [Fact]
    public void Windows_line_ends_and_duplicates_are_handled()
    {
        var card = Parser.ParseDatasetCard("README.md", Encoding.UTF8.GetString("---\r\nlanguage: [en, en, ' fr ']\r\n---\r\n"u8));

        Assert.Equal(["en", "fr"], card.Languages);
    }
}
