using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Imr.Functions.Web.Staff;

/// <summary>
/// Reads the principal App Service Authentication (Easy Auth) puts in <c>X-MS-CLIENT-PRINCIPAL</c>: base64 JSON with
/// <c>auth_typ</c>, <c>name_typ</c>, <c>role_typ</c> and <c>claims[]</c> of <c>typ</c>/<c>val</c>. The platform strips
/// this header from incoming requests and sets it only for a signed-in user, so in Azure it can be trusted as is.
/// </summary>
public static class ClientPrincipal
{
    public const string HeaderName = "X-MS-CLIENT-PRINCIPAL";

    private const string ObjectIdClaim = "http://schemas.microsoft.com/identity/claims/objectidentifier";
    private const string NameClaim = "name";
    private const string RolesClaim = "roles";

    /// <summary>The staff user of a header value, or null when it is missing, malformed or names no user id.</summary>
    public static StaffUser? Parse(string? headerValue)
    {
        if (string.IsNullOrWhiteSpace(headerValue) || headerValue.Length > 64 * 1024) return null;
        Principal? principal;
        try
        {
            principal = JsonSerializer.Deserialize<Principal>(Encoding.UTF8.GetString(Convert.FromBase64String(headerValue.Trim())));
        }
        catch (Exception ex) when (ex is FormatException or JsonException or DecoderFallbackException)
        {
            return null;
        }

        if (principal?.Claims is not { } claims) return null;
        var roleType = string.IsNullOrEmpty(principal.RoleType) ? RolesClaim : principal.RoleType;
        var nameType = string.IsNullOrEmpty(principal.NameType) ? NameClaim : principal.NameType;
        string? First(params string[] types) => types.Select(t => claims.FirstOrDefault(c => c.Type == t && !string.IsNullOrWhiteSpace(c.Value))?.Value).FirstOrDefault(v => v is not null);

        var id = First(ObjectIdClaim, "oid", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier", "sub");
        if (id is null) return null;
        var name = First(NameClaim, nameType, "preferred_username") ?? id;
        // Only the app's own roles count; anything else a token carries is ignored.
        var roles = claims.Where(c => (c.Type == roleType || c.Type == RolesClaim) && c.Value is not null && StaffRoles.IsKnown(c.Value)).Select(c => c.Value!).ToHashSet(StringComparer.Ordinal);
        return new StaffUser(id, name, roles);
    }

    /// <summary>A header value for these claims (tests and the local sign-in's documentation).</summary>
    public static string Encode(string id, string name, IEnumerable<string> roles) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new Principal
        {
            AuthType = "aad",
            NameType = NameClaim,
            RoleType = RolesClaim,
            Claims = [new Claim { Type = ObjectIdClaim, Value = id }, new Claim { Type = NameClaim, Value = name }, .. roles.Select(r => new Claim { Type = RolesClaim, Value = r })],
        }));

    private sealed class Principal
    {
        [JsonPropertyName("auth_typ")] public string? AuthType { get; set; }
        [JsonPropertyName("name_typ")] public string? NameType { get; set; }
        [JsonPropertyName("role_typ")] public string? RoleType { get; set; }
        [JsonPropertyName("claims")] public List<Claim>? Claims { get; set; }
    }

    private sealed class Claim
    {
        [JsonPropertyName("typ")] public string? Type { get; set; }
        [JsonPropertyName("val")] public string? Value { get; set; }
    }
}
