using Imr.Domain.Letters;

namespace Imr.Domain.Cases;

/// <summary>A postal address as a window envelope shows it: street lines, then "City, ST 99999".</summary>
public sealed record PostalAddress
{
    public required string Line1 { get; init; }
    public string? Line2 { get; init; }
    public required string City { get; init; }
    /// <summary>Two-letter state code, e.g. "CA".</summary>
    public required string State { get; init; }
    public required string PostalCode { get; init; }

    /// <summary>The lines under the addressee's name, in USPS order.</summary>
    public IReadOnlyList<string> Lines() =>
        [LetterText.Flow(Line1), .. string.IsNullOrWhiteSpace(Line2) ? Array.Empty<string>() : [LetterText.Flow(Line2)], $"{LetterText.Flow(City)}, {LetterText.Flow(State)} {LetterText.Flow(PostalCode)}"];
}

/// <summary>
/// Postal addresses of the parties, from the optional <c>postalAddresses</c> object of a case manifest (keys as in
/// <c>contacts</c>). A party without an e-mail address is served by post at this address (issue #15).
/// </summary>
public sealed record PartyAddresses
{
    public static readonly PartyAddresses None = new();

    public PostalAddress? InjuredWorker { get; init; }
    public PostalAddress? EmployeeAttorney { get; init; }
    public PostalAddress? ClaimsAdministrator { get; init; }
    public PostalAddress? RequestingPhysician { get; init; }
    public PostalAddress? Employer { get; init; }

    /// <summary>The address of a party (an <see cref="AddresseeRoles"/> value), or null when the package has none.</summary>
    public PostalAddress? AddressOf(string role) => role switch
    {
        AddresseeRoles.InjuredWorker => InjuredWorker,
        AddresseeRoles.EmployeeAttorney => EmployeeAttorney,
        AddresseeRoles.ClaimsAdministrator => ClaimsAdministrator,
        AddresseeRoles.RequestingPhysician => RequestingPhysician,
        AddresseeRoles.Employer => Employer,
        _ => null,
    };
}
