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
