using CommunityEvals.Platform.Identity;

namespace CommunityEvals.UnitTests.Platform;

public class IdentityTests
{
    [Fact]
    public void New_tokens_start_with_hf_and_are_unique()
    {
        var tokens = Enumerable.Range(0, 100).Select(_ => TokenHash.NewToken()).ToList();

        Assert.All(tokens, token => Assert.StartsWith("hf_", token));
        Assert.All(tokens, token => Assert.Equal(37, token.Length));
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
    }

    [Fact]
    public void A_token_hash_is_hex_sha256_and_never_the_token()
    {
        var hash = TokenHash.Of("hf_example");

        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal(TokenHash.Of("hf_example"), hash);
        Assert.NotEqual(TokenHash.Of("hf_example2"), hash);
    }

    [Theory]
    [InlineData("alice", true)]
    [InlineData("model-7b", true)]
    [InlineData("Qwen2.5-7B_Instruct", true)]
    [InlineData("a", true)]
    [InlineData("", false)]
    [InlineData("-a", false)]
    [InlineData("a-", false)]
    [InlineData("a/b", false)]
    [InlineData("a b", false)]
    [InlineData("../etc", false)]
    public void Names_follow_the_hub_rule(string name, bool valid)
    {
        Assert.Equal(valid, Names.IsValid(name));
    }

    [Fact]
    public void Names_longer_than_96_characters_are_refused()
    {
        Assert.True(Names.IsValid(new string('a', 96)));
        Assert.False(Names.IsValid(new string('a', 97)));
    }
}
