using Imr.Domain.Cases;

namespace Imr.Domain.Letters;

/// <summary>
/// Who is served with what: the one rule behind the recipients of the notice of assignment, the ineligibility notice and
/// the letter (8 CCR 9792.10.3, 9792.10.4(b), Labor Code 4610.6). A represented worker is served AND the attorney beside:
/// the worker is a party in any case, and a copy to the attorney does not replace the worker's own.
/// </summary>
public static class ServedParties
{
    /// <summary>The worker, and the worker's attorney too when there is one; names as the package gives them.</summary>
    public static IReadOnlyList<Addressee> WorkerSide(CasePackage casePackage) =>
        string.IsNullOrWhiteSpace(casePackage.EmployeeAttorney)
            ? [new Addressee(AddresseeRoles.InjuredWorker, casePackage.Worker.Name)]
            : [new Addressee(AddresseeRoles.InjuredWorker, casePackage.Worker.Name), new Addressee(AddresseeRoles.EmployeeAttorney, casePackage.EmployeeAttorney)];

    /// <summary>
    /// The notice of assignment goes to the claims administrator, who must deliver the records, with copies to the
    /// worker, the worker's attorney and the requesting physician (9792.10.4(b)); names as the package gives them.
    /// </summary>
    public static IReadOnlyList<Addressee> OfNoticeOfAssignment(CasePackage casePackage) =>
    [
        new Addressee(AddresseeRoles.ClaimsAdministrator, casePackage.ClaimsAdministrator),
        .. WorkerSide(casePackage),
        new Addressee(AddresseeRoles.RequestingPhysician, casePackage.RequestingPhysician.Name),
    ];

    /// <summary>
    /// The ineligibility notice goes to every party of the dispute, each of whom may appeal it (8 CCR 9792.10.3): the worker,
    /// the worker's attorney, the claims administrator and the requesting physician.
    /// </summary>
    public static IReadOnlyList<Addressee> OfIneligibilityNotice(CasePackage casePackage) =>
    [
        .. WorkerSide(casePackage),
        new Addressee(AddresseeRoles.ClaimsAdministrator, casePackage.ClaimsAdministrator),
        new Addressee(AddresseeRoles.RequestingPhysician, casePackage.RequestingPhysician.Name),
    ];

    /// <summary>
    /// The letter is served on the worker, the worker's attorney, the claims administrator, the requesting physician, the
    /// employer and the Administrative Director (Labor Code 4610.6); names flowed as the letter prints them.
    /// </summary>
    public static IReadOnlyList<Addressee> OfLetter(CasePackage casePackage) =>
    [
        .. WorkerSide(casePackage).Select(Flowed),
        new Addressee(AddresseeRoles.ClaimsAdministrator, LetterText.Flow(casePackage.ClaimsAdministrator)),
        new Addressee(AddresseeRoles.RequestingPhysician, LetterText.Flow(casePackage.RequestingPhysician.Name)),
        new Addressee(AddresseeRoles.Employer, LetterText.Flow(casePackage.Employer)),
        new Addressee(AddresseeRoles.AdministrativeDirector, LetterComposer.AdministrativeDirector),
    ];

    private static Addressee Flowed(Addressee addressee) => addressee with { Name = LetterText.Flow(addressee.Name) };
}
