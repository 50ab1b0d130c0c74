using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Imr.Domain.Callbacks;

public enum CallbackAction
{
    Accept,
    Decline,
    SubmitDetermination,
}

/// <summary>What a reviewer's link is bound to: one case, one assignment, one reviewer, one action, until it expires.</summary>
public sealed record CallbackClaims(string CaseNumber, string AssignmentId, string ReviewerId, CallbackAction Action, DateTimeOffset ExpiresAt);

public enum TokenProblem
{
    None,
    Malformed,
    UnknownKey,
    BadSignature,
    Expired,
    WrongAction,
    WrongAssignment,
}

public sealed record TokenVerification(CallbackClaims? Claims, TokenProblem Problem)
{
    public bool IsValid => Problem == TokenProblem.None;
}

/// <summary>Signing keys by id; the current one signs, every listed one verifies (rotation keeps old links working).</summary>
public sealed record CallbackKeyRing(string CurrentKeyId, IReadOnlyDictionary<string, byte[]> Keys)
{
    public byte[] CurrentKey => Keys.TryGetValue(CurrentKeyId, out var k) ? k : throw new InvalidOperationException("The current callback key id has no key.");
}

/// <summary>HMAC-SHA256 signed callback tokens: <c>{keyId}.{payload}.{signature}</c>, base64url.</summary>
public sealed class CallbackTokenService(CallbackKeyRing keys, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Issue(CallbackClaims claims)
    {
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims, Json));
        var signed = $"{keys.CurrentKeyId}.{payload}";
        return $"{signed}.{Base64Url(Sign(keys.CurrentKey, signed))}";
    }

    public TokenVerification Verify(string? token, CallbackAction expectedAction, string expectedAssignmentId)
    {
        var parts = token?.Split('.') ?? [];
        if (parts.Length != 3)
        {
            return new(null, TokenProblem.Malformed);
        }

        if (!keys.Keys.TryGetValue(parts[0], out var key))
        {
            return new(null, TokenProblem.UnknownKey);
        }

        byte[] signature;
        byte[] payload;
        try
        {
            signature = FromBase64Url(parts[2]);
            payload = FromBase64Url(parts[1]);
        }
        catch (FormatException)
        {
            return new(null, TokenProblem.Malformed);
        }

        if (!CryptographicOperations.FixedTimeEquals(signature, Sign(key, $"{parts[0]}.{parts[1]}")))
        {
            return new(null, TokenProblem.BadSignature);
        }

        CallbackClaims? claims;
        try
        {
            claims = JsonSerializer.Deserialize<CallbackClaims>(payload, Json);
        }
        catch (JsonException)
        {
            return new(null, TokenProblem.Malformed);
        }

        if (claims is null) return new(null, TokenProblem.Malformed);
        if (claims.ExpiresAt <= time.GetUtcNow()) return new(claims, TokenProblem.Expired);
        if (claims.Action != expectedAction) return new(claims, TokenProblem.WrongAction);
        if (claims.AssignmentId != expectedAssignmentId) return new(claims, TokenProblem.WrongAssignment);
        return new(claims, TokenProblem.None);
    }

    private static byte[] Sign(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string s)
    {
        var b = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(b.PadRight(b.Length + ((4 - (b.Length % 4)) % 4), '='));
    }
}
