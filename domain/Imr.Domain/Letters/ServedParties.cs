using Imr.Domain.Cases;

namespace Imr.Domain.Letters;

/// <summary>
/// Who is served with what: the one rule behind the notice of assignment's recipients and the letter's addressees
/// (8 CCR 9792.10.5, Labor Code 4610.6). The worker's side is the employee's attorney when the worker is represented,
/// else the worker (the attorney is served instead of the worker, not beside: a known gap, kept as it is for now).
/// </summary>
public static class ServedParties
{
    /// <summary>The worker's attorney when there is one, else the worker.</summary>
    public static Addressee WorkerSide(CasePackage casePackage) =>
        string.IsNullOrWhiteSpace(casePackage.EmployeeAttorney)
            ? new Addressee(AddresseeRoles.InjuredWorker, casePackage.Worker.Name)
            : new Addressee(AddresseeRoles.EmployeeAttorney, casePackage.EmployeeAttorney);

    /// <summary>
    /// The notice of assignment goes to the claims administrator, who must deliver the records, with copies to the
    /// worker's side and the requesting physician; the names as the package gives them (the message's address).
    /// </summary>
    public static IReadOnlyList<Addressee> OfNoticeOfAssignment(CasePackage casePackage) =>
    [
        new Addressee(AddresseeRoles.ClaimsAdministrator, casePackage.ClaimsAdministrator),
        WorkerSide(casePackage),
        new Addressee(AddresseeRoles.RequestingPhysician, casePackage.RequestingPhysician.Name),
    ];

    /// <summary>
    /// The letter is served on the worker's side, the claims administrator, the requesting physician, the employer and the
    /// Administrative Director; names flowed as the letter prints them.
    /// </summary>
    public static IReadOnlyList<Addressee> OfLetter(CasePackage casePackage) =>
    [
        Flowed(WorkerSide(casePackage)),
        new Addressee(AddresseeRoles.ClaimsAdministrator, LetterText.Flow(casePackage.ClaimsAdministrator)),
        new Addressee(AddresseeRoles.RequestingPhysician, LetterText.Flow(casePackage.RequestingPhysician.Name)),
        new Addressee(AddresseeRoles.Employer, LetterText.Flow(casePackage.Employer)),
        new Addressee(AddresseeRoles.AdministrativeDirector, LetterComposer.AdministrativeDirector),
    ];

    private static Addressee Flowed(Addressee addressee) => addressee with { Name = LetterText.Flow(addressee.Name) };
}
