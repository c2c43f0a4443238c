using System.Text.Json;
using CommunityEvals.LeaderboardProjection.Shared;

namespace CommunityEvals.UnitTests.Projections;

/// <summary>
/// A result's <c>source</c> text, which every board entry shows, is written straight out; it must be
/// exactly the text of the <c>source</c> in the reordered item, as its documentation promises.
/// </summary>
public class KnownOrderTests
{
    [Theory]
    // Keys shuffled as jsonb returns them.
    [InlineData("""{"value":0.5,"source":{"org":"acme","url":"https://example.org/p","name":"Paper"}}""", """{"url":"https://example.org/p","name":"Paper","org":"acme"}""")]
    // Unknown keys follow the known ones, in their own order; nested values are left as they are.
    [InlineData("""{"source":{"zeta":{"b":1,"a":[2,"x"]},"user":"u","alpha":true,"url":"https://x"}}""", """{"url":"https://x","user":"u","zeta":{"b":1,"a":[2,"x"]},"alpha":true}""")]
    // Escapes and non-ASCII text come out as the serializer writes them; numbers keep their text.
    [InlineData("""{"source":{"name":"Caf\u00e9 <b> \"q\" \/","n":1.50e2}}""", """{"name":"Caf\u00E9 \u003Cb\u003E \u0022q\u0022 /","n":1.50e2}""")]
    // A repeated key keeps its first place and its last value.
    [InlineData("""{"source":{"name":"first","url":"u","name":"last"}}""", """{"url":"u","name":"last"}""")]
    [InlineData("""{"source":"just text"}""", "\"just text\"")]
    [InlineData("""{"source":[{"name":"n","url":"u"}]}""", """[{"url":"u","name":"n"}]""")]
    public void The_source_text_is_the_reordered_items_source(string item, string expected)
    {
        using var document = JsonDocument.Parse(item);

        var text = KnownOrder.ResultSourceText(document.RootElement);

        Assert.Equal(expected, text);
        Assert.Equal(KnownOrder.ResultItem(document.RootElement).GetProperty("source").GetRawText(), text);
    }

    [Theory]
    [InlineData("""{"value":1}""")]
    [InlineData("""{"source":null}""")]
    [InlineData("[1]")]
    public void An_item_without_a_source_has_none(string item)
    {
        using var document = JsonDocument.Parse(item);

        Assert.Null(KnownOrder.ResultSourceText(document.RootElement));
    }
}
