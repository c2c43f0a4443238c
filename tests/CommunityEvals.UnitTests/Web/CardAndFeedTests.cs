using System.Text.Json;
using CommunityEvals.Web;
using CommunityEvals.Web.Pages.Datasets;

namespace CommunityEvals.UnitTests.Web;

public class CardAndFeedTests
{
    [Fact]
    public void A_card_renders_without_its_front_matter_and_with_headings_below_the_pages_own()
    {
        var html = CardMarkdown.ToHtml("---\nlanguage: [en]\n---\n# Quiz\n\nTwenty *questions*.\n");

        Assert.DoesNotContain("language", html);
        Assert.Contains("<h3", html);
        Assert.DoesNotContain("<h1", html);
        Assert.Contains("<em>questions</em>", html);
    }

    [Theory]
    [InlineData("[click](javascript:alert(1))")]
    [InlineData("[click](JaVaScRiPt:alert(1))")]
    [InlineData("[click](data:text/html,<script>alert(1)</script>)")]
    [InlineData("[click](vbscript:msgbox)")]
    public void A_card_cannot_carry_a_script_link(string markdown)
    {
        var html = CardMarkdown.ToHtml(markdown);

        Assert.Contains("href=\"#\"", html);
        Assert.DoesNotContain("script:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("data:", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Raw_html_in_a_card_is_shown_as_text()
    {
        var html = CardMarkdown.ToHtml("Hello <script>alert(1)</script> <img src=x onerror=alert(1)>");

        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<img", html);
        Assert.Contains("&lt;script&gt;", html);
    }

    [Fact]
    public void An_image_from_another_origin_becomes_a_link_and_one_of_this_site_stays()
    {
        var outside = CardMarkdown.ToHtml("![chart](https://example.com/chart.png)");
        var here = CardMarkdown.ToHtml("![chart](/docs/images/board.png)");

        Assert.DoesNotContain("<img", outside);
        Assert.Contains("href=\"https://example.com/chart.png\"", outside);
        Assert.Contains("<img src=\"/docs/images/board.png\"", here);
    }

    [Theory]
    [InlineData("/datasets/a/b", true)]
    [InlineData("docs/readme.md", true)]
    [InlineData("#usage", true)]
    [InlineData("?tab=1", true)]
    [InlineData("//evil.example/x.png", false)]
    [InlineData("/\\evil.example/x.png", false)]
    [InlineData("https://example.com/x.png", false)]
    [InlineData("javascript:alert(1)", false)]
    public void Relative_means_a_path_on_this_site(string url, bool relative)
    {
        Assert.Equal(relative, CardMarkdown.IsRelative(url));
    }

    [Theory]
    [InlineData(0, "0 samples")]
    [InlineData(1, "1 sample")]
    [InlineData(2, "2 samples")]
    [InlineData(12032, "12,032 samples")]
    public void Counts_agree_with_their_noun(long count, string expected)
    {
        Assert.Equal(expected, Format.Count(count, "sample"));
    }

    [Fact]
    public void A_feed_event_reads_as_a_sentence_and_links_to_its_page()
    {
        var opened = Json("""{"sequence":9,"type":"PullRequestOpened","stream":"model/acme/m","actor":"bob","data":{"repo":"acme/m","kind":"model","number":3,"title":"Add results","author":"bob"}}""");
        var hidden = Json("""{"sequence":10,"type":"ResultHidden","stream":"model/acme/m","actor":"alice","data":{"repo":"acme/m","resultId":"r1","reason":"wrong split"}}""");
        var registered = Json("""{"sequence":11,"type":"BenchmarkRegistered","stream":"benchmark/acme/quiz","actor":"alice","data":{"datasetId":"acme/quiz"}}""");
        var user = Json("""{"sequence":12,"type":"UserCreated","stream":"user/carol","actor":"admin","data":{"name":"carol"}}""");

        Assert.Equal("opened #3 “Add results” on acme/m", FeedText.Describe(opened));
        Assert.Equal("/acme/m/discussions/3", FeedText.Link(opened));
        Assert.Equal("hid a result of acme/m: wrong split", FeedText.Describe(hidden));
        Assert.Equal("/results/r1", FeedText.Link(hidden));
        Assert.Equal("/datasets/acme/quiz", FeedText.Link(registered));
        Assert.Null(FeedText.Link(user));
    }

    [Fact]
    public void A_board_change_says_how_the_row_moved()
    {
        Assert.Equal("entered at 71.5 (rank 2)", HistoryModel.Describe(Json("""{"value":71.5,"rank":2,"previousValue":null,"previousRank":null}""")));
        Assert.Equal("left the board (was 71.5, rank 2)", HistoryModel.Describe(Json("""{"value":null,"rank":null,"previousValue":71.5,"previousRank":2}""")));
        Assert.Equal("71.5 → 80, rank 2 → 1", HistoryModel.Describe(Json("""{"value":80,"rank":1,"previousValue":71.5,"previousRank":2}""")));
        Assert.Equal("rank 1 → 2 at 80", HistoryModel.Describe(Json("""{"value":80,"rank":2,"previousValue":80,"previousRank":1}""")));
        Assert.Equal("verified at 80 (rank 1)", HistoryModel.Describe(Json("""{"value":80,"rank":1,"previousValue":80,"previousRank":1,"verified":true}""")));
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
