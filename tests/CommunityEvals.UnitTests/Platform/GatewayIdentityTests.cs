using CommunityEvals.Platform.Identity;
using Microsoft.Extensions.Configuration;

namespace CommunityEvals.UnitTests.Platform;

public class GatewayIdentityTests
{
    private const string Key = "0123456789abcdefghijklmnopqrstuv";
    private static readonly DateTimeOffset Now = new(2026, 3, 19, 10, 15, 0, TimeSpan.Zero);
    private static readonly Caller Alice = new("alice", Caller.WriteRole, "0123456789abcdef01234567");

    private static GatewayIdentity At(DateTimeOffset now, string key = Key) => new(key, new FixedTime(now));

    [Fact]
    public void A_signed_identity_verifies_to_the_same_caller()
    {
        var header = At(Now).Sign(Alice);

        Assert.True(At(Now.AddSeconds(2)).TryVerify(header, out var caller, out var problem), problem);
        Assert.Equal(Alice, caller);
        Assert.StartsWith("v1;user=alice;role=write;token=0123456789abcdef01234567;t=", header);
    }

    [Fact]
    public void A_signed_visitor_address_verifies_only_unchanged_under_the_same_key_and_while_recent()
    {
        var header = At(Now).SignVisitor("203.0.113.7");

        Assert.Equal("203.0.113.7", At(Now.AddSeconds(2)).VerifyVisitor(header));
        Assert.Null(At(Now).VerifyVisitor(header.Replace("203.0.113.7", "203.0.113.8", StringComparison.Ordinal)));
        Assert.Null(At(Now, key: "another-key-another-key-another-key").VerifyVisitor(header));
        Assert.Null(At(Now.Add(GatewayIdentity.Window).AddSeconds(2)).VerifyVisitor(header));
        Assert.Null(At(Now).VerifyVisitor("v1;visitor=203.0.113.7;t=1"));
        // A caller's identity header is not a visitor header, nor the other way round.
        Assert.Null(At(Now).VerifyVisitor(At(Now).Sign(Alice)));
        Assert.False(At(Now).TryVerify(header, out _, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.2.3.4;visitor=5.6.7.8")]
    [InlineData("a b")]
    public void An_address_that_would_blur_the_fields_is_refused(string address)
    {
        Assert.Throws<ArgumentException>(() => At(Now).SignVisitor(address));
    }

    [Theory]
    [InlineData("user=alice;", "user=admin;")]
    [InlineData("role=write;", "role=admin;")]
    [InlineData("token=0123456789abcdef01234567;", "token=admin;")]
    [InlineData(";t=", ";t=9")]
    public void Changing_any_signed_field_breaks_the_signature(string from, string to)
    {
        var header = At(Now).Sign(Alice).Replace(from, to, StringComparison.Ordinal);

        Assert.False(At(Now).TryVerify(header, out var caller, out var problem));
        Assert.Null(caller);
        Assert.Contains("signature", problem);
    }

    [Fact]
    public void Another_key_does_not_verify()
    {
        var header = At(Now, "another key, also long enough to be used").Sign(Alice);

        Assert.False(At(Now).TryVerify(header, out _, out _));
    }

    [Theory]
    [InlineData(-11)]
    [InlineData(11)]
    [InlineData(-3600)]
    public void A_signature_outside_its_window_is_refused(int secondsAgo)
    {
        var header = At(Now.AddSeconds(-secondsAgo)).Sign(Alice);

        Assert.False(At(Now).TryVerify(header, out _, out var problem));
        Assert.Contains("window", problem);
    }

    [Theory]
    [InlineData("")]
    [InlineData("admin")]
    [InlineData("v1;user=admin;role=admin;token=admin;t=1773915300")]
    [InlineData("v1;user=admin;role=admin;token=admin;t=1773915300;sig=")]
    [InlineData("v1;user=admin;role=admin;token=admin;t=1773915300;sig=AAAA")]
    public void Unsigned_or_badly_signed_headers_are_refused(string header)
    {
        Assert.False(At(Now).TryVerify(header, out var caller, out _));
        Assert.Null(caller);
    }

    [Fact]
    public void Values_that_would_make_fields_ambiguous_are_never_signed()
    {
        Assert.Throws<ArgumentException>(() => At(Now).Sign(Alice with { Name = "alice;role=admin" }));
        Assert.Throws<ArgumentException>(() => At(Now).Sign(Alice with { TokenId = "" }));
    }

    [Fact]
    public void Without_a_key_long_enough_a_service_does_not_start()
    {
        var missing = new ConfigurationBuilder().Build();
        var tooShort = new ConfigurationBuilder().AddInMemoryCollection([new(GatewayIdentity.KeySetting, "short")]).Build();

        Assert.Throws<InvalidOperationException>(() => GatewayIdentity.FromConfiguration(missing, TimeProvider.System));
        Assert.Throws<InvalidOperationException>(() => GatewayIdentity.FromConfiguration(tooShort, TimeProvider.System));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
