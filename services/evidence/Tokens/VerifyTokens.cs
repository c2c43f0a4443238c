using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

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

        var key = keys.Current;
        if (!key.CanSign)
        {
            throw new InvalidOperationException("the current key cannot sign");
        }

        var header = Json(w =>
        {
            w.WriteString("alg", "ES256");
            w.WriteString("typ", "JWT");
            w.WriteString("kid", key.Kid);
        });
        var payload = Json(w =>
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

        var signingInput = Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(payload);
        var signature = key.Key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    private static byte[] Json(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
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

    private readonly Func<string, VerifySigningKey?> _find;

    /// <summary>Validates with a key store's keys (all of them, old ones included), looked up at each call.</summary>
    public VerifyTokenValidator(IVerifyKeyStore keys)
    {
        _find = kid => keys.Find(kid);
    }

    /// <summary>Validates with a fixed set of keys (e.g. read from a JWKS).</summary>
    public VerifyTokenValidator(IEnumerable<VerifySigningKey> keys)
    {
        var map = keys.ToDictionary(k => k.Kid, StringComparer.Ordinal);
        _find = kid => map.GetValueOrDefault(kid);
    }

    /// <summary>A validator over the keys of a JWKS document (<c>/.well-known/jwks.json</c>).</summary>
    public static VerifyTokenValidator FromJwks(string jwksJson) => new(Jwks.Parse(jwksJson));

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

        var parts = token.Trim().Split('.');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0))
        {
            return Bad("not a compact JWS (header.payload.signature)");
        }

        if (!TryDecode(parts[0], out var headerBytes) || !TryDecode(parts[1], out var payloadBytes) || !TryDecode(parts[2], out var signature))
        {
            return Bad("a part is not base64url");
        }

        string? alg, kid;
        try
        {
            using var header = JsonDocument.Parse(headerBytes);
            if (header.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Bad("the header is not a JSON object");
            }

            alg = header.RootElement.TryGetProperty("alg", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
            kid = header.RootElement.TryGetProperty("kid", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
        }
        catch (JsonException)
        {
            return Bad("the header is not JSON");
        }

        if (alg != "ES256")
        {
            return Bad($"unsupported alg '{alg ?? "(none)"}'; only ES256 is accepted");
        }

        if (string.IsNullOrEmpty(kid))
        {
            return Bad("the header has no kid");
        }

        var key = _find(kid);
        if (key is null)
        {
            return new VerifyTokenValidation(VerifyTokenFailure.UnknownKid, $"unknown kid '{kid}'");
        }

        var signingInput = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        bool valid;
        try
        {
            valid = signature.Length == 64
                && key.Key.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            valid = false;
        }

        if (!valid)
        {
            return new VerifyTokenValidation(VerifyTokenFailure.BadSignature, $"the signature does not verify with key '{kid}'");
        }

        try
        {
            using var payload = JsonDocument.Parse(payloadBytes);
            var p = payload.RootElement;
            if (p.ValueKind != JsonValueKind.Object)
            {
                return Bad("the claims are not a JSON object");
            }

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
            return new VerifyTokenValidation(VerifyTokenFailure.None, $"signed by key {kid}", claims);
        }
        catch (JsonException)
        {
            return Bad("the claims are not JSON");
        }
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

    private static bool TryDecode(string part, out byte[] bytes)
    {
        try
        {
            bytes = Base64Url.DecodeFromChars(part);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}

/// <summary>Renders and reads JWKS documents: <c>{"keys":[{"kty":"EC","crv":"P-256","x","y","kid","use":"sig","alg":"ES256"}]}</c>.</summary>
public static class Jwks
{
    /// <summary>Every key of the store, old ones included, newest first.</summary>
    public static string Render(IVerifyKeyStore keys) => Render(keys.Keys);

    public static string Render(IEnumerable<VerifySigningKey> keys)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("keys");
            foreach (var key in keys)
            {
                w.WriteStartObject();
                w.WriteString("kty", "EC");
                w.WriteString("crv", "P-256");
                w.WriteString("x", Base64Url.EncodeToString(key.X));
                w.WriteString("y", Base64Url.EncodeToString(key.Y));
                w.WriteString("kid", key.Kid);
                w.WriteString("use", "sig");
                w.WriteString("alg", "ES256");
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The EC P-256 keys of a JWKS (others are skipped), verify-only.</summary>
    /// <exception cref="JsonException">Not a JWKS document.</exception>
    public static IReadOnlyList<VerifySigningKey> Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        if (!doc.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("not a JWKS: no 'keys' array");
        }

        var result = new List<VerifySigningKey>();
        foreach (var k in keys.EnumerateArray())
        {
            string? Str(string name) => k.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            if (Str("kty") != "EC" || Str("crv") != "P-256" || Str("x") is not { } x || Str("y") is not { } y)
            {
                continue;
            }

            var key = VerifySigningKey.FromPublic(Base64Url.DecodeFromChars(x), Base64Url.DecodeFromChars(y));
            if (Str("kid") is { } kid && kid != key.Kid)
            {
                throw new JsonException($"JWKS kid '{kid}' is not the thumbprint of its key");
            }

            result.Add(key);
        }

        return result;
    }
}
