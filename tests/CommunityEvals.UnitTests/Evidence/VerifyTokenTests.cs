using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CommunityEvals.Evidence;

namespace CommunityEvals.UnitTests.Evidence;

public sealed class VerifyTokenTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "verify-keys-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static string Issue(IVerifyKeyStore keys, double value = 74.2, string? text = "74.20") =>
        new VerifyTokenSigner(keys).Issue("acme/model-7b", "TIGER-Lab/MMLU-Pro", "mmlu_pro", value, text, new string('a', 64), 12032);

    private static VerifyTokenValidation Validate(IVerifyKeyStore keys, string token, double value = 74.2, string? text = "74.2") =>
        new VerifyTokenValidator(keys).Validate(token, "acme/model-7b", "TIGER-Lab/MMLU-Pro", "mmlu_pro", value, text);

    private static JsonElement Part(string token, int index) =>
        JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[index])).RootElement.Clone();

    private static string Encode(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    private static string[] MemberNames(JsonElement json) => json.EnumerateObject().Select(m => m.Name).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Signs <paramref name="header"/> and the claims of <paramref name="token"/> with HMAC-SHA256 under <paramref name="secret"/>.</summary>
    private static string HmacSigned(string header, string token, byte[] secret)
    {
        var input = Encode(header) + "." + token.Split('.')[1];
        return input + "." + Base64Url.EncodeToString(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)));
    }

    [Fact]
    public void A_token_round_trips()
    {
        using var store = DirectoryVerifyKeyStore.Open(_dir);
        var token = Issue(store);

        var header = Part(token, 0);
        Assert.Equal(["alg", "kid", "typ"], MemberNames(header));
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        Assert.Equal("JWT", header.GetProperty("typ").GetString());
        Assert.Equal(store.Current.Kid, header.GetProperty("kid").GetString());

        var claims = Part(token, 1);
        Assert.Equal(["dataset", "iat", "log_sha256", "model", "samples", "task_id", "value"], MemberNames(claims));
        Assert.Equal("acme/model-7b", claims.GetProperty("model").GetString());
        Assert.Equal("TIGER-Lab/MMLU-Pro", claims.GetProperty("dataset").GetString());
        Assert.Equal("mmlu_pro", claims.GetProperty("task_id").GetString());
        Assert.Equal(JsonValueKind.Number, claims.GetProperty("value").ValueKind);
        Assert.Equal("74.20", claims.GetProperty("value").GetRawText()); // as written
        Assert.Equal(new string('a', 64), claims.GetProperty("log_sha256").GetString());
        Assert.Equal(12032, claims.GetProperty("samples").GetInt32());
        Assert.InRange(claims.GetProperty("iat").GetInt64(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.Equal(64, Base64Url.DecodeFromChars(token.Split('.')[2]).Length);

        var result = Validate(store, token);
        Assert.True(result.Ok, result.Detail);
        Assert.Equal(12032, result.Claims!.Samples);
        Assert.True(new VerifyTokenValidator(store).Validate(token, "ACME/Model-7B", "tiger-lab/mmlu-pro", "mmlu_pro", 74.2).Ok);
    }

    [Fact]
    public void Rotation_keeps_old_keys_verifying_and_listed()
    {
        string oldToken, oldKid;
        using (var store = DirectoryVerifyKeyStore.Open(_dir))
        {
            oldToken = Issue(store);
            oldKid = store.Current.Kid;
            var newKey = store.Rotate();
            Assert.NotEqual(oldKid, newKey.Kid);
            Assert.Same(newKey, store.Current);
            Assert.Equal(2, store.Keys.Count);
        }

        using var reopened = DirectoryVerifyKeyStore.Open(_dir);
        Assert.Equal(2, reopened.Keys.Count);
        Assert.NotEqual(oldKid, reopened.Current.Kid); // the newest signs
        var newToken = Issue(reopened);
        Assert.Equal(reopened.Current.Kid, Part(newToken, 0).GetProperty("kid").GetString());
        Assert.True(Validate(reopened, oldToken).Ok);
        Assert.True(Validate(reopened, newToken).Ok);

        var jwks = JsonDocument.Parse(Jwks.Render(reopened)).RootElement.GetProperty("keys");
        Assert.Equal(2, jwks.GetArrayLength());
        foreach (var k in jwks.EnumerateArray())
        {
            Assert.Equal(["alg", "crv", "kid", "kty", "use", "x", "y"], MemberNames(k)); // public members only: no "d"
            Assert.Equal("EC", k.GetProperty("kty").GetString());
            Assert.Equal("P-256", k.GetProperty("crv").GetString());
            Assert.Equal("sig", k.GetProperty("use").GetString());
            Assert.Equal("ES256", k.GetProperty("alg").GetString());
            Assert.Equal(32, Base64Url.DecodeFromChars(k.GetProperty("x").GetString()).Length);
            Assert.Equal(32, Base64Url.DecodeFromChars(k.GetProperty("y").GetString()).Length);
        }

        Assert.Contains(jwks.EnumerateArray(), k => k.GetProperty("kid").GetString() == oldKid);

        // A validator that only has the public JWKS accepts both tokens too.
        var fromJwks = VerifyTokenValidator.FromJwks(Jwks.Render(reopened));
        Assert.True(fromJwks.Validate(oldToken, "acme/model-7b", "TIGER-Lab/MMLU-Pro", "mmlu_pro", 74.2).Ok);
        Assert.True(fromJwks.Validate(newToken, "acme/model-7b", "TIGER-Lab/MMLU-Pro", "mmlu_pro", 74.2).Ok);
    }

    [Fact]
    public void A_reopened_key_directory_signs_and_verifies_again()
    {
        // The same key file opened by a second store, after the first was disposed, must not reach the first one's key.
        using (var first = DirectoryVerifyKeyStore.Open(_dir))
        {
            Assert.True(Validate(first, Issue(first)).Ok);
        }

        using var second = DirectoryVerifyKeyStore.Open(_dir);
        var result = Validate(second, Issue(second));
        Assert.True(result.Ok, result.Detail);
    }

    // A throwaway key and a token that the hand-written signer (before Microsoft.IdentityModel) made with it,
    // with the JWKS it rendered: data directories hold such key files, and YAML items such tokens.
    private const string KeyFileBeforeTheLibrary = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg0l7toP4RPcS8K05F
        kcfPn5CHPfJvZmWXEQ1a6dLQ96GhRANCAAQkkswPKW705Ui5kgiS3xQ+TNybV2DE
        u6Wo2utgWoQpVLUh4KCTRwb1baOtHtuWd/BiV0Dtuw7ssz1rjkdDQCag
        -----END PRIVATE KEY-----
        """;

    private const string TokenBeforeTheLibrary =
        "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IjZicE1BQ0YwUDlkVUw5TmlZZlFycmhZNW51cmdWSER1cHFXbkgtcXZaV1EifQ"
        + ".eyJtb2RlbCI6ImFjbWUvbW9kZWwtN2IiLCJkYXRhc2V0IjoiVElHRVItTGFiL01NTFUtUHJvIiwidGFza19pZCI6Im1tbHVfcHJvIiwidmFsdWUiOjc0LjIwLCJsb2dfc2hhMjU2IjoiYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYSIsInNhbXBsZXMiOjEyMDMyLCJpYXQiOjE3NjcyMjU2MDB9"
        + ".3HpaQQvzgdASenXTn8A_tDLJVdvSTwepN1MHjAJhgL-dTSdxtW0TJ65VIGHeXSjCQOdAFYf94mk8x82ZwIngrA";

    private const string JwksBeforeTheLibrary =
        """{"keys":[{"kty":"EC","crv":"P-256","x":"JJLMDylu9OVIuZIIkt8UPkzcm1dgxLulqNrrYFqEKVQ","y":"tSHgoJNHBvVto60e25Z38GJXQO27DuyzPWuOR0NAJqA","kid":"6bpMACF0P9dUL9NiYfQrrhY5nurgVHDupqWnH-qvZWQ","use":"sig","alg":"ES256"}]}""";

    [Fact]
    public void Key_files_and_tokens_from_before_the_library_keep_working()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "es256-0639000000000000000.pem"), KeyFileBeforeTheLibrary);
        using var store = DirectoryVerifyKeyStore.Open(_dir);
        Assert.Equal("6bpMACF0P9dUL9NiYfQrrhY5nurgVHDupqWnH-qvZWQ", store.Current.Kid);
        Assert.Equal(JwksBeforeTheLibrary, Jwks.Render(store));

        foreach (var validator in new[] { new VerifyTokenValidator(store), VerifyTokenValidator.FromJwks(JwksBeforeTheLibrary) })
        {
            var result = validator.Validate(TokenBeforeTheLibrary, "acme/model-7b", "TIGER-Lab/MMLU-Pro", "mmlu_pro", 74.2, "74.2");
            Assert.True(result.Ok, result.Detail);
            Assert.Equal(new VerifyTokenClaims("acme/model-7b", "TIGER-Lab/MMLU-Pro", "mmlu_pro", "74.20", new string('a', 64), 12032, 1767225600), result.Claims);
        }

        // A token the library signs with the old key file verifies where old tokens do.
        Assert.True(VerifyTokenValidator.FromJwks(JwksBeforeTheLibrary).Validate(Issue(store), "acme/model-7b", "TIGER-Lab/MMLU-Pro", "mmlu_pro", 74.2).Ok);
    }

    [Fact]
    public void A_jwks_whose_kid_is_not_the_thumbprint_of_its_key_is_refused()
    {
        var misnamed = JwksBeforeTheLibrary.Replace("6bpMACF0", "xxxxxxxx", StringComparison.Ordinal);
        Assert.Throws<JsonException>(() => VerifyTokenValidator.FromJwks(misnamed));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1, 2]")]
    public void A_document_that_is_not_a_jwks_is_refused(string json) =>
        Assert.Throws<JsonException>(() => VerifyTokenValidator.FromJwks(json));

    [Fact]
    public void Key_files_are_pkcs8_pem_readable_by_the_owner_only()
    {
        using var store = DirectoryVerifyKeyStore.Open(_dir);
        var file = Assert.Single(Directory.GetFiles(_dir));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(file));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Theory]
    [InlineData("74.20", "94.20")]
    [InlineData("\"acme/model-7b\"", "\"acme/model-70b\"")]
    [InlineData("\"mmlu_pro\"", "\"mmlu\"")]
    [InlineData("12032", "12033")]
    [InlineData("\"aaaa", "\"bbbb")]
    [InlineData(",\"iat\"", ",\"exp\":1,\"iat\"")]
    public void A_changed_claim_fails_the_signature(string from, string to)
    {
        var store = new InMemoryVerifyKeyStore();
        var parts = Issue(store).Split('.');
        var claims = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1]));
        Assert.Contains(from, claims);
        var token = parts[0] + "." + Encode(claims.Replace(from, to)) + "." + parts[2];
        Assert.Equal(VerifyTokenFailure.BadSignature, new VerifyTokenValidator(store).Read(token).Failure);
        Assert.Equal(VerifyTokenFailure.BadSignature, VerifyTokenValidator.FromJwks(Jwks.Render(store)).Read(token).Failure);
    }

    [Fact]
    public void A_changed_signature_fails()
    {
        var store = new InMemoryVerifyKeyStore();
        var parts = Issue(store).Split('.');
        var signature = Base64Url.DecodeFromChars(parts[2]);
        signature[10] ^= 0x01;
        var result = Validate(store, parts[0] + "." + parts[1] + "." + Base64Url.EncodeToString(signature));
        Assert.Equal(VerifyTokenFailure.BadSignature, result.Failure);
        Assert.Equal(VerifyTokenFailure.BadSignature, Validate(store, parts[0] + "." + parts[1] + "." + Base64Url.EncodeToString(signature[..32])).Failure);
    }

    [Fact]
    public void A_token_from_another_key_is_refused()
    {
        var ours = new InMemoryVerifyKeyStore();
        var theirs = new InMemoryVerifyKeyStore();
        var token = Issue(theirs);
        Assert.Equal(VerifyTokenFailure.UnknownKid, Validate(ours, token).Failure);

        // Claiming one of our kids while signing with another key.
        var parts = token.Split('.');
        var header = Encode($"{{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"{ours.Current.Kid}\"}}");
        var input = header + "." + parts[1];
        var signature = theirs.Current.SecurityKey.ECDsa.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        Assert.Equal(VerifyTokenFailure.BadSignature, Validate(ours, input + "." + Base64Url.EncodeToString(signature)).Failure);
    }

    [Fact]
    public void Alg_none_is_refused()
    {
        var store = new InMemoryVerifyKeyStore();
        var parts = Issue(store).Split('.');
        var none = Encode($"{{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"{store.Current.Kid}\"}}");
        foreach (var token in new[] { none + "." + parts[1] + ".", none + "." + parts[1] + "." + parts[2] })
        {
            var result = Validate(store, token);
            Assert.Equal(VerifyTokenFailure.BadFormat, result.Failure);
            Assert.Contains("unsupported alg 'none'", result.Detail);
        }
    }

    [Fact]
    public void Hs256_with_the_public_key_as_the_hmac_secret_is_refused()
    {
        var store = new InMemoryVerifyKeyStore();
        var token = Issue(store);
        var header = $"{{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"{store.Current.Kid}\"}}";
        var publicKey = store.Current.SecurityKey.ECDsa;
        var jwk = JsonDocument.Parse(Jwks.Render(store)).RootElement.GetProperty("keys")[0];
        byte[][] secretsAnAttackerKnows =
        [
            Encoding.ASCII.GetBytes(publicKey.ExportSubjectPublicKeyInfoPem()),
            publicKey.ExportSubjectPublicKeyInfo(),
            Encoding.UTF8.GetBytes(jwk.GetRawText()),
        ];
        foreach (var validator in new[] { new VerifyTokenValidator(store), VerifyTokenValidator.FromJwks(Jwks.Render(store)) })
        {
            foreach (var secret in secretsAnAttackerKnows)
            {
                var result = validator.Validate(HmacSigned(header, token, secret), "acme/model-7b", "TIGER-Lab/MMLU-Pro", "mmlu_pro", 74.2);
                Assert.Equal(VerifyTokenFailure.BadFormat, result.Failure);
                Assert.Contains("unsupported alg 'HS256'", result.Detail);
            }
        }
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("ES384")]
    [InlineData("EdDSA")]
    [InlineData("es256")]
    public void Another_alg_is_refused_even_with_a_valid_es256_signature(string alg)
    {
        // The signature is a good ES256 one by our key: only the header's alg is wrong.
        var store = new InMemoryVerifyKeyStore();
        var claims = Issue(store).Split('.')[1];
        var input = Encode($"{{\"alg\":\"{alg}\",\"typ\":\"JWT\",\"kid\":\"{store.Current.Kid}\"}}") + "." + claims;
        var signature = store.Current.SecurityKey.ECDsa.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var result = Validate(store, input + "." + Base64Url.EncodeToString(signature));
        Assert.Equal(VerifyTokenFailure.BadFormat, result.Failure);
        Assert.Contains($"unsupported alg '{alg}'", result.Detail);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("!!.??.##")]
    [InlineData("e30.e30.e30")]
    public void Malformed_tokens_are_bad_format(string token) =>
        Assert.Equal(VerifyTokenFailure.BadFormat, Validate(new InMemoryVerifyKeyStore(), token).Failure);

    [Theory]
    [InlineData("acme/model-13b", "TIGER-Lab/MMLU-Pro", "mmlu_pro", 74.2, "model")]
    [InlineData("acme/model-7b", "TIGER-Lab/MMLU", "mmlu_pro", 74.2, "dataset")]
    [InlineData("acme/model-7b", "TIGER-Lab/MMLU-Pro", "mmlu", 74.2, "task_id")]
    [InlineData("acme/model-7b", "TIGER-Lab/MMLU-Pro", "mmlu_pro", 74.3, "value")]
    public void A_claim_that_does_not_match_the_item_is_a_mismatch(string model, string dataset, string task, double value, string claim)
    {
        var store = new InMemoryVerifyKeyStore();
        var result = new VerifyTokenValidator(store).Validate(Issue(store), model, dataset, task, value);
        Assert.Equal(VerifyTokenFailure.ClaimMismatch, result.Failure);
        Assert.Equal(claim, result.MismatchedClaim);
        Assert.StartsWith($"claim mismatch: {claim}", result.Detail);
    }

    [Theory]
    [InlineData(74.2, "74.2", "74.2")]
    [InlineData(0.5, ".5", "0.5")]
    [InlineData(1.5, "+1.5", "1.5")]
    [InlineData(1000, "1_000", "1000")]
    [InlineData(76.1, null, "76.1")]
    [InlineData(5, "5.", "5.0")]
    [InlineData(0.412, "not a number", "0.412")]
    public void Values_are_written_as_json_numbers(double value, string? text, string expected) =>
        Assert.Equal(expected, VerifyTokenClaims.NumberText(value, text));

    [Fact]
    public void A_verification_report_and_a_token_fit_together()
    {
        var report = EvidenceTestData.Verify(new LogSpec(), eval: true, EvidenceTestData.Claim(declared: 20));
        Assert.Equal(EvidenceStatus.Verified, report.Status);
        var store = new InMemoryVerifyKeyStore();
        var token = new VerifyTokenSigner(store).Issue("acme/model-7b", "acme/bench", "main", 75, "75.0", new string('0', 64), report.Recomputed!.Samples);
        var result = new VerifyTokenValidator(store).Validate(token, "acme/model-7b", "acme/bench", "main", 75.0, "75.0");
        Assert.True(result.Ok, result.Detail);
        Assert.Equal(20, result.Claims!.Samples);
    }
}
