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
        var bytes = manifest.ToMemory().Span;
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..]; // intake accepts a UTF-8 byte order mark; JsonNode does not skip it
        }

        try
        {
            return new PartyContacts(JsonNode.Parse(bytes)?["contacts"] as JsonObject);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or ArgumentException or InvalidOperationException)
        {
            // Intake refuses such manifests (a repeated key throws ArgumentException here, an escaped lone surrogate
            // InvalidOperationException); one stored before that rule must still let the case go on, its parties by post.
            return new PartyContacts(null);
        }
    }

    public string? EmailOf(string role)
    {
        try
        {
            return Keys.TryGetValue(role, out var key) && _contacts?[key] is JsonValue v && v.TryGetValue<string>(out var email) && email.Contains('@', StringComparison.Ordinal) ? email.Trim() : null;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return null; // a repeated key inside "contacts", or text that is not valid UTF-16: served by post
        }
    }
}
