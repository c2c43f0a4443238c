using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace CommunityEvals.Web;

/// <summary>
/// A repo card's Markdown as HTML a page can hold, since anyone may write a card: raw HTML in the card
/// is shown as text, a link may only be relative or http(s) (no <c>javascript:</c>), and an image from
/// another origin becomes a link to it, because pages fetch nothing from elsewhere (PAGES.md).
/// </summary>
public static class CardMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseAutoLinks()
        .DisableHtml()
        .Build();

    /// <summary>The card's body as HTML, its front matter left out.</summary>
    public static string ToHtml(string card)
    {
        var document = Markdown.Parse(WithoutFrontMatter(card), Pipeline);
        // The card sits under the page's own h1 and h2: its headings go below them.
        foreach (var heading in document.Descendants<HeadingBlock>())
        {
            heading.Level = Math.Min(6, heading.Level + 2);
        }

        foreach (var link in document.Descendants<LinkInline>())
        {
            if (!IsSafe(link.Url))
            {
                link.Url = "#";
            }

            if (link.IsImage && !IsRelative(link.Url))
            {
                link.IsImage = false;
            }
        }

        foreach (var link in document.Descendants<AutolinkInline>())
        {
            if (!IsSafe(link.Url))
            {
                link.Url = "#";
            }
        }

        return document.ToHtml(Pipeline);
    }

    public static bool IsSafe(string? url) =>
        IsRelative(url)
        || url!.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
        || url.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    /// <summary>A path on this site: no scheme before the first <c>/</c>, <c>?</c> or <c>#</c>, and not <c>//host</c>.</summary>
    public static bool IsRelative(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return true;
        }

        var trimmed = url.Trim();
        if (trimmed.StartsWith("//", StringComparison.Ordinal) || trimmed.StartsWith("/\\", StringComparison.Ordinal) || trimmed.StartsWith("\\", StringComparison.Ordinal))
        {
            return false;
        }

        var colon = trimmed.IndexOf(':', StringComparison.Ordinal);
        var end = trimmed.IndexOfAny(['/', '?', '#']);
        return colon < 0 || (end >= 0 && end < colon);
    }

    public static string WithoutFrontMatter(string card)
    {
        var lines = card.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        if (lines.Length == 0 || lines[0].TrimEnd() != "---")
        {
            return card;
        }

        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].TrimEnd() is "---" or "...")
            {
                return string.Join('\n', lines[(i + 1)..]);
            }
        }

        return card;
    }
}
