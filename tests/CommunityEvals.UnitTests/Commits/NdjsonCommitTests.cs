using System.Text;
using CommunityEvals.Ingestion.Commits;

namespace CommunityEvals.UnitTests.Commits;

// The Hub's NDJSON commit body, read from untrusted bytes: every malformed body is a list of
// errors (a 400), never an exception (a 500).
public class NdjsonCommitTests
{
    private const string Header = """{"key":"header","value":{"summary":"s"}}""";

    private static string FileLine(string path, string content = "eA==", string encoding = "base64") =>
        $$$"""{"key":"file","value":{"path":"{{{path}}}","content":"{{{content}}}","encoding":"{{{encoding}}}"}}""";

    private static (IncomingCommit? Commit, IReadOnlyList<CommunityEvals.Platform.Http.ValidationError> Errors) Parse(string body) =>
        NdjsonCommit.Parse(Encoding.UTF8.GetBytes(body));

    [Fact]
    public void A_header_then_files_and_deletions_is_read_with_crlf_blank_lines_and_no_final_newline()
    {
        var (commit, errors) = Parse($"\r\n  \n{Header}\r\n{FileLine(".eval_results/a.yaml")}\n\n" + """{"key":"deletedFile","value":{"path":"README.md"}}""");

        Assert.Empty(errors);
        Assert.Equal("s", commit!.Header.Summary);
        Assert.Equal((".eval_results/a.yaml", "x", 4), (commit.Files[0].Path, Encoding.UTF8.GetString(commit.Files[0].Content), commit.Files[0].Line));
        Assert.Equal(["README.md"], commit.DeletedPaths);
    }

    [Theory]
    [InlineData("path", @"a\ud800.yaml")]
    [InlineData("path", @"a\udc00\ud800.yaml")]
    [InlineData("content", @"\ud800")]
    public void A_lone_surrogate_escape_is_an_error_naming_the_field(string field, string text)
    {
        var line = field == "path" ? FileLine(text) : FileLine("README.md", text, "utf-8");
        var (commit, errors) = Parse($"{Header}\n{line}\n");

        Assert.Null(commit);
        var error = Assert.Single(errors);
        Assert.Equal((NdjsonCommit.BodyName, 2, field), (error.File, error.Line, error.Field));
        Assert.Contains("not valid Unicode", error.Message);
    }

    [Fact]
    public void Invalid_utf8_inside_a_string_is_an_error_not_an_exception()
    {
        byte[] body = [.. Encoding.UTF8.GetBytes(Header + "\n" + """{"key":"file","value":{"path":"a"""), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(""".yaml","content":"x"}}""")];

        var (commit, errors) = NdjsonCommit.Parse(body);

        Assert.Null(commit);
        Assert.Equal("path", Assert.Single(errors).Field);
    }

    [Fact]
    public void A_key_that_is_not_valid_text_is_an_error()
    {
        var (_, errors) = Parse(Header + "\n" + """{"key":"\ud800","value":{}}""");

        Assert.Contains("string 'key'", Assert.Single(errors).Message);
    }

    [Theory]
    [InlineData("summary")]
    [InlineData("description")]
    [InlineData("parentCommit")]
    public void A_nul_in_the_header_texts_is_an_error(string field)
    {
        // They are stored in the commit's event, and PostgreSQL text cannot hold U+0000.
        var (commit, errors) = Parse($$$"""{"key":"header","value":{"{{{field}}}":"a\u0000b"}}""" + "\n" + FileLine("README.md"));

        Assert.Null(commit);
        Assert.Equal((1, field), (Assert.Single(errors).Line, errors[0].Field));
    }

    [Fact]
    public void A_body_of_a_million_bad_lines_stops_after_a_hundred_errors()
    {
        var body = string.Concat(Enumerable.Repeat("x\n", 1_000_000));

        var (commit, errors) = Parse(body);

        Assert.Null(commit);
        Assert.Equal(NdjsonCommit.MaxErrors + 1, errors.Count);
        Assert.Contains("not read past line 100", errors[^1].Message);
    }

    [Fact]
    public void Many_header_lines_after_a_file_line_are_each_refused_without_rescanning_the_body()
    {
        // The header must be the first line with content: a late one is an error, found in one pass.
        var body = FileLine("README.md") + "\n" + string.Concat(Enumerable.Repeat(Header + "\n", 50));

        var (commit, errors) = Parse(body);

        Assert.Null(commit);
        Assert.All(errors, error => Assert.Equal("key", error.Field));
        Assert.Equal(50, errors.Count);
    }

    [Fact]
    public void An_unknown_key_is_quoted_short()
    {
        var (_, errors) = Parse(Header + "\n" + $$$"""{"key":"{{{new string('k', 10_000)}}}","value":{}}""");

        Assert.True(Assert.Single(errors).Message.Length < 200);
    }
}
