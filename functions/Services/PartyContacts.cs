using System.Text.Json.Nodes;
using Imr.Domain.Letters;

namespace Imr.Functions.Services;

/// <summary>
/// E-mail addresses of the parties, from the optional <c>contacts</c> object of a case manifest
/// (<c>{"contacts": {"injuredWorker": "…", "employeeAttorney": "…", "claimsAdministrator": "…", "requestingPhysician": "…", "employer": "…"}}</c>).
/// Read beside the case package rather than through it, so the package schema stays intake's. A party without an
/// address is served by post: its notice is still written to the outbox, marked for post.
/// </summary>
public sealed class PartyContacts
{
    private static readonly Dictionary<string, string> Keys = new()
    {
        [AddresseeRoles.InjuredWorker] = "injuredWorker",
        [AddresseeRoles.EmployeeAttorney] = "employeeAttorney",
        [AddresseeRoles.ClaimsAdministrator] = "claimsAdministrator",
        [AddresseeRoles.RequestingPhysician] = "requestingPhysician",
        [AddresseeRoles.Employer] = "employer",
    };

    private readonly JsonObject? _contacts;

    private PartyContacts(JsonObject? contacts) => _contacts = contacts;

    public static PartyContacts FromManifest(BinaryData manifest)
    {
        try
        {
            return new PartyContacts(JsonNode.Parse(manifest.ToMemory().Span)?["contacts"] as JsonObject);
        }
        catch (System.Text.Json.JsonException)
        {
            return new PartyContacts(null);
        }
    }

    public string? EmailOf(string role) =>
        Keys.TryGetValue(role, out var key) && _contacts?[key] is JsonValue v && v.TryGetValue<string>(out var email) && email.Contains('@', StringComparison.Ordinal) ? email.Trim() : null;
}
