using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CommunityEvals.Evidence;

/// <summary>
/// The claims of a verify token. <see cref="Value"/> is the result item's value as written, as JSON number text
/// (<c>74.2</c>, <c>0.412</c>); it is written into the token as a JSON number, unchanged.
/// </summary>
public sealed record VerifyTokenClaims(
    string Model,
    string Dataset,
    string TaskId,
    string Value,
    string LogSha256,
    int Samples,
    long IssuedAt)
{
    /// <summary>
    /// The JSON number text for a value: <paramref name="valueText"/> as written when it is a number
    /// (YAML spellings such as <c>+1.5</c>, <c>.5</c>, <c>5.</c>, <c>1_000</c> made valid JSON), else the shortest text of <paramref name="value"/>.
    /// </summary>
    public static string NumberText(double value, string? valueText = null)
    {
        if (!string.IsNullOrWhiteSpace(valueText))
        {
            var t = valueText.Trim().Replace("_", "", StringComparison.Ordinal);
            if (t.StartsWith('+'))
            {
                t = t[1..];
            }

            var negative = t.StartsWith('-');
            var body = negative ? t[1..] : t;
            if (body.StartsWith('.'))
            {
                body = "0" + body;
            }

            body = body.Replace(".e", ".0e", StringComparison.OrdinalIgnoreCase);
            if (body.EndsWith('.'))
            {
                body += "0";
            }

            t = (negative ? "-" : "") + body;
            if (IsJsonNumber(t))
            {
                return t;
            }
        }

        if (!double.IsFinite(value))
        {
            throw new ArgumentException("a verify token's value must be a finite number", nameof(value));
        }

        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    internal static bool IsJsonNumber(string text)
    {
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text));
            return reader.Read() && reader.TokenType == JsonTokenType.Number && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>
/// Issues verify tokens: compact JWS, ES256 over the store's current key, header
/// <c>{"alg":"ES256","typ":"JWT","kid":...}</c>, claims <c>model, dataset, task_id, value, log_sha256, samples, iat</c>.
/// </summary>
public sealed class VerifyTokenSigner(IVerifyKeyStore keys, TimeProvider? time = null)
{
    private static readonly JsonWebTokenHandler Handler = new();

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Issues a token for a verified result; <c>iat</c> is now.</summary>
    public string Issue(string model, string dataset, string taskId, double value, string? valueText, string logSha256, int samples) =>
        Issue(new VerifyTokenClaims(model, dataset, taskId, VerifyTokenClaims.NumberText(value, valueText), logSha256, samples,
            _time.GetUtcNow().ToUnixTimeSeconds()));

    public string Issue(VerifyTokenClaims claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        if (!VerifyTokenClaims.IsJsonNumber(claims.Value))
        {
            throw new ArgumentException($"value '{claims.Value}' is not a JSON number", nameof(claims));
        }

        // The claims go to the library as JSON text, which it signs unchanged (adding no exp or nbf): given
        // as a token descriptor, value would be written as a double (74.20 as 74.2), not as the YAML has it.
        var payload = JsonText.Object(w =>
        {
            w.WriteString("model", claims.Model);
            w.WriteString("dataset", claims.Dataset);
            w.WriteString("task_id", claims.TaskId);
            w.WritePropertyName("value");
            w.WriteRawValue(claims.Value, skipInputValidation: false);
            w.WriteString("log_sha256", claims.LogSha256);
            w.WriteNumber("samples", claims.Samples);
            w.WriteNumber("iat", claims.IssuedAt);
        });
        return Handler.CreateToken(payload, new SigningCredentials(keys.Current.SecurityKey, SecurityAlgorithms.EcdsaSha256));
    }
}

public enum VerifyTokenFailure
{
    None,

    /// <summary>Not a compact JWS with an ES256 header, a kid and the expected claims.</summary>
    BadFormat,

    /// <summary>Signed with a key this service does not know.</summary>
    UnknownKid,

    /// <summary>The signature does not verify.</summary>
    BadSignature,

    /// <summary>Validly signed, but a claim differs from the result item (see <see cref="VerifyTokenValidation.MismatchedClaim"/>).</summary>
    ClaimMismatch,
}

/// <summary>What validating a token gave: ok, or the failure and a readable detail.</summary>
public sealed record VerifyTokenValidation(VerifyTokenFailure Failure, string Detail, VerifyTokenClaims? Claims = null, string? MismatchedClaim = null)
{
    public bool Ok => Failure == VerifyTokenFailure.None;
}

/// <summary>Validates verify tokens against known public keys and a result item's model, dataset, task and value.</summary>
public sealed class VerifyTokenValidator
{
    private const int MaxTokenLength = 16 * 1024;

    private static readonly JsonWebTokenHandler Handler = new();

    private readonly Func<string, SecurityKey?> _find;

    /// <summary>Validates with a key store's keys (all of them, old ones included), looked up at each call.</summary>
    public VerifyTokenValidator(IVerifyKeyStore keys)
        : this(kid => keys.Find(kid)?.SecurityKey)
    {
    }

    private VerifyTokenValidator(Func<string, SecurityKey?> find)
    {
        _find = find;
    }

    /// <summary>A validator over the keys of a JWKS document (<c>/.well-known/jwks.json</c>).</summary>
    /// <exception cref="JsonException">Not a JWKS document.</exception>
    public static VerifyTokenValidator FromJwks(string jwksJson)
    {
        var keys = Jwks.Parse(jwksJson).ToDictionary(k => k.Kid, StringComparer.Ordinal);
        return new VerifyTokenValidator(kid => keys.GetValueOrDefault(kid));
    }

    /// <summary>Checks format, key, signature, then that the claims match the item (model and dataset case-insensitively).</summary>
    public VerifyTokenValidation Validate(string? token, string model, string dataset, string taskId, double value, string? valueText = null)
    {
        var read = Read(token);
        if (!read.Ok)
        {
            return read;
        }

        var c = read.Claims!;
        if (!string.Equals(c.Model, model.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            return Mismatch(c, "model", c.Model, model);
        }

        if (!string.Equals(c.Dataset, dataset.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            return Mismatch(c, "dataset", c.Dataset, dataset);
        }

        if (!string.Equals(c.TaskId, taskId.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            return Mismatch(c, "task_id", c.TaskId, taskId);
        }

        if (!SameNumber(c.Value, value, valueText))
        {
            return Mismatch(c, "value", c.Value, string.IsNullOrWhiteSpace(valueText) ? value.ToString("R", CultureInfo.InvariantCulture) : valueText.Trim());
        }

        return read with { Detail = read.Detail + "; claims match" };
    }

    /// <summary>Checks format, key and signature only, and returns the claims.</summary>
    public VerifyTokenValidation Read(string? token)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return Bad("the token is empty");
        }

        if (token.Length > MaxTokenLength)
        {
            return Bad("the token is too long");
        }

        JsonWebToken jwt;
        try
        {
            jwt = Handler.ReadJsonWebToken(token.Trim());
        }
        catch (ArgumentException)
        {
            return Bad("not a compact JWS (header.payload.signature, each base64url JSON but the signature)");
        }

        // Checked here although the library is told to accept ES256 only: it reports any algorithm it refuses
        // as its generic signature failure, and the detail should name the algorithm.
        if (jwt.Alg != SecurityAlgorithms.EcdsaSha256)
        {
            return Bad($"unsupported alg '{(string.IsNullOrEmpty(jwt.Alg) ? "(none)" : jwt.Alg)}'; only ES256 is accepted");
        }

        if (string.IsNullOrEmpty(jwt.Kid))
        {
            return Bad("the header has no kid");
        }

        var key = _find(jwt.Kid);
        if (key is null)
        {
            return new VerifyTokenValidation(VerifyTokenFailure.UnknownKid, $"unknown kid '{jwt.Kid}'");
        }

        if (!SignatureVerifies(jwt, key))
        {
            return new VerifyTokenValidation(VerifyTokenFailure.BadSignature, $"the signature does not verify with key '{jwt.Kid}'");
        }

        return ReadClaims(jwt);
    }

    private static bool SignatureVerifies(JsonWebToken jwt, SecurityKey key)
    {
        var parameters = new TokenValidationParameters
        {
            IssuerSigningKey = key,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            // Verify tokens name no issuer or audience and never expire: one holds as long as its key is listed.
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
        };

        // Asynchronous only for fetching an issuer's configuration, which is not used here: nothing waits.
        return Handler.ValidateTokenAsync(jwt, parameters).GetAwaiter().GetResult().IsValid;
    }

    /// <summary>
    /// The claims are read from the payload's JSON, strictly: the library's claim getters would read value
    /// as a double rather than as written, and turn a number or an array into a string.
    /// </summary>
    private static VerifyTokenValidation ReadClaims(JsonWebToken jwt)
    {
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
        var p = payload.RootElement;

        string? Str(string name) => p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        var model = Str("model");
        var dataset = Str("dataset");
        var task = Str("task_id");
        var sha = Str("log_sha256");
        var value = p.TryGetProperty("value", out var val) && val.ValueKind == JsonValueKind.Number ? val.GetRawText() : null;
        int? samples = p.TryGetProperty("samples", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt32(out var si) ? si : null;
        long? iat = p.TryGetProperty("iat", out var i) && i.ValueKind == JsonValueKind.Number && i.TryGetInt64(out var il) ? il : null;
        var missing = new[]
        {
            (model is null, "model"), (dataset is null, "dataset"), (task is null, "task_id"), (value is null, "value"),
            (sha is null, "log_sha256"), (samples is null, "samples"), (iat is null, "iat"),
        }.Where(x => x.Item1).Select(x => x.Item2).ToList();
        if (missing.Count > 0)
        {
            return Bad("the claims lack " + string.Join(", ", missing));
        }

        var claims = new VerifyTokenClaims(model!, dataset!, task!, value!, sha!, samples!.Value, iat!.Value);
        return new VerifyTokenValidation(VerifyTokenFailure.None, $"signed by key {jwt.Kid}", claims);
    }

    private static VerifyTokenValidation Bad(string detail) => new(VerifyTokenFailure.BadFormat, detail);

    private static VerifyTokenValidation Mismatch(VerifyTokenClaims claims, string claim, string tokenSays, string itemSays) =>
        new(VerifyTokenFailure.ClaimMismatch, $"claim mismatch: {claim} (the token says '{tokenSays}', the item '{itemSays.Trim()}')", claims, claim);

    private static bool SameNumber(string tokenValue, double value, string? valueText)
    {
        var expectedText = VerifyTokenClaims.NumberText(value, valueText);
        const NumberStyles style = NumberStyles.Float;
        if (decimal.TryParse(tokenValue, style, CultureInfo.InvariantCulture, out var a)
            && decimal.TryParse(expectedText, style, CultureInfo.InvariantCulture, out var b))
        {
            return a == b;
        }

        return double.TryParse(tokenValue, style, CultureInfo.InvariantCulture, out var d) && d.Equals(value);
    }
}

/// <summary>Renders and reads JWKS documents: <c>{"keys":[{"kty":"EC","crv":"P-256","x","y","kid","use":"sig","alg":"ES256"}]}</c>.</summary>
public static class Jwks
{
    /// <summary>Every key of the store, old ones included, newest first.</summary>
    public static string Render(IVerifyKeyStore keys) => Render(keys.Keys);

    /// <remarks>
    /// Written here because the library reads JWKS documents but keeps its writer internal, and serializing its
    /// <see cref="JsonWebKey"/> would also write the private <c>d</c> and empty <c>key_ops</c>, <c>oth</c> and <c>x5c</c>.
    /// </remarks>
    public static string Render(IEnumerable<VerifySigningKey> keys) => JsonText.Object(w =>
    {
        w.WriteStartArray("keys");
        foreach (var key in keys)
        {
            var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(key.SecurityKey);
            w.WriteStartObject();
            w.WriteString("kty", jwk.Kty);
            w.WriteString("crv", jwk.Crv);
            w.WriteString("x", jwk.X);
            w.WriteString("y", jwk.Y);
            w.WriteString("kid", jwk.Kid);
            w.WriteString("use", JsonWebKeyUseNames.Sig);
            w.WriteString("alg", SecurityAlgorithms.EcdsaSha256);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    /// <summary>The EC P-256 keys of a JWKS (others are skipped), each under its thumbprint as kid.</summary>
    /// <exception cref="JsonException">Not a JWKS document, or a key whose kid is not its thumbprint.</exception>
    public static IReadOnlyList<JsonWebKey> Parse(string json)
    {
        try
        {
            var keys = new JsonWebKeySet(json).Keys
                .Where(k => k.Kty == JsonWebAlgorithmsKeyTypes.EllipticCurve && k.Crv == JsonWebKeyECTypes.P256)
                .ToList();
            foreach (var key in keys)
            {
                var thumbprint = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
                if (!string.IsNullOrEmpty(key.Kid) && key.Kid != thumbprint)
                {
                    throw new JsonException($"JWKS kid '{key.Kid}' is not the thumbprint of its key");
                }

                key.Kid = thumbprint;
            }

            return keys;
        }
        catch (ArgumentException e)
        {
            // The library's word for a document it cannot read; callers (ingestion) expect a JsonException.
            throw new JsonException("not a JWKS document", e);
        }
    }
}

internal static class JsonText
{
    /// <summary>A JSON object, compact, whose members <paramref name="members"/> writes.</summary>
    public static string Object(Action<Utf8JsonWriter> members)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            members(w);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
