using Imr.Domain.Letters;

namespace Imr.Domain.Cases;

/// <summary>
/// E-mail addresses of the parties, from the optional <c>contacts</c> object of a case manifest
/// (<c>{"contacts": {"injuredWorker": "…", "employeeAttorney": "…", "claimsAdministrator": "…", "requestingPhysician": "…", "employer": "…"}}</c>).
/// Read with the rest of the package in its one parse at intake (the schema checks the addresses), so no later step reads
/// the manifest for them. A party without an address is served by post: its notice is still written, marked for post.
/// </summary>
public sealed record PartyContacts
{
    public static readonly PartyContacts None = new();

    public string? InjuredWorker { get; init; }
    public string? EmployeeAttorney { get; init; }
    public string? ClaimsAdministrator { get; init; }
    public string? RequestingPhysician { get; init; }
    public string? Employer { get; init; }

    /// <summary>The address of a party (an <see cref="AddresseeRoles"/> value), or null when it is served by post.</summary>
    public string? EmailOf(string role)
    {
        var email = role switch
        {
            AddresseeRoles.InjuredWorker => InjuredWorker,
            AddresseeRoles.EmployeeAttorney => EmployeeAttorney,
            AddresseeRoles.ClaimsAdministrator => ClaimsAdministrator,
            AddresseeRoles.RequestingPhysician => RequestingPhysician,
            AddresseeRoles.Employer => Employer,
            _ => null,
        };
        return email is not null && email.Contains('@', StringComparison.Ordinal) ? email.Trim() : null;
    }
}
