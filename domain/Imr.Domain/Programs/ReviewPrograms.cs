using Imr.Domain.Cases;
using Imr.Domain.Deadlines;
using Imr.Domain.Eligibility;
using Imr.Domain.Letters;
using Imr.Domain.Reviewers;

namespace Imr.Domain.Programs;

/// <summary>
/// A review program as complete data: its stable key, the law it follows, its eligibility rules, deadlines, medical
/// records rules, treatment taxonomy and specialty map, and the parties served with the notice of assignment and the
/// letter. Letter and notice wording is kept with the program under its <see cref="Key"/> (the enum name of
/// <see cref="ReviewProgram"/>, as the package's <c>program</c> field spells it).
/// </summary>
public sealed record ReviewProgramDefinition
{
    /// <summary>Stable key: the package's <c>program</c> value, the deadline program's name, the wording templates' folder.</summary>
    public required string Key { get; init; }
    public required ReviewProgram Program { get; init; }
    public required string Title { get; init; }
    /// <summary>The statutes and regulations the program follows, as cited in its rules.</summary>
    public required IReadOnlyList<string> Authorities { get; init; }
    /// <summary>What the applicant is called (injured worker, enrollee, claimant).</summary>
    public required string ApplicantTerm { get; init; }
    /// <summary>Who holds the records and must deliver them (claims administrator, health plan).</summary>
    public required string RecordsHolderTerm { get; init; }
    public required EligibilityRules Eligibility { get; init; }
    public required DeadlinePolicy Deadlines { get; init; }
    public required MedicalRecordsPolicy Records { get; init; }
    public TreatmentTaxonomy Taxonomy { get; init; } = TreatmentTaxonomy.Default;
    public SpecialtyMap Specialties { get; init; } = SpecialtyMap.Default;
    /// <summary>The roles (<see cref="AddresseeRoles"/>) served with the notice of assignment, the records holder first.</summary>
    public required IReadOnlyList<string> NoticeOfAssignmentServedOn { get; init; }
    /// <summary>The roles served with the final determination letter.</summary>
    public required IReadOnlyList<string> LetterServedOn { get; init; }
    /// <summary>Whether the worker and the worker's attorney are both served (true), or the attorney instead of the worker.</summary>
    public bool ServeApplicantAndRepresentative { get; init; } = true;
}

/// <summary>The built-in review programs, by <see cref="ReviewProgram"/> or key. docs/programs.md says how to add one.</summary>
public static class ReviewPrograms
{
    /// <summary>California workers' compensation IMR (Labor Code 4610.5, 4610.6; 8 CCR 9792.10.1–9792.10.8).</summary>
    public static ReviewProgramDefinition CaliforniaWorkersCompensation { get; } = new()
    {
        Key = nameof(ReviewProgram.CaliforniaWorkersCompensation),
        Program = ReviewProgram.CaliforniaWorkersCompensation,
        Title = "California workers' compensation Independent Medical Review",
        Authorities = ["Labor Code 4610.5", "Labor Code 4610.6", "8 CCR 9792.10.1–9792.10.8"],
        ApplicantTerm = "injured worker",
        RecordsHolderTerm = "claims administrator",
        Eligibility = EligibilityRules.CaliforniaWorkersCompensation,
        Deadlines = DeadlinePolicy.CaliforniaWorkersCompensation,
        Records = MedicalRecordsPolicy.CaliforniaWorkersCompensation,
        NoticeOfAssignmentServedOn = [AddresseeRoles.ClaimsAdministrator, AddresseeRoles.InjuredWorker, AddresseeRoles.EmployeeAttorney, AddresseeRoles.RequestingPhysician],
        LetterServedOn = [AddresseeRoles.InjuredWorker, AddresseeRoles.EmployeeAttorney, AddresseeRoles.ClaimsAdministrator, AddresseeRoles.RequestingPhysician, AddresseeRoles.Employer, AddresseeRoles.AdministrativeDirector],
    };

    /// <summary>
    /// California DMHC IMR for health-plan enrollees (Health and Safety Code 1374.30–1374.36; 1370.4 for experimental and
    /// investigational therapies). The enrollee applies within 6 months of the plan's written grievance decision
    /// (1374.30(j)); decisions that deny, modify or delay a service as not medically necessary are disputable
    /// (1374.30(b)); coverage decisions are not referred (1374.31(b)); the plan delivers the records within 3 business
    /// days of the department's notice (1374.30(n)), 24 hours when the threat is imminent and serious (1374.31(a)).
    /// </summary>
    public static ReviewProgramDefinition CaliforniaDmhc { get; } = new()
    {
        Key = nameof(ReviewProgram.CaliforniaDmhc),
        Program = ReviewProgram.CaliforniaDmhc,
        Title = "California Department of Managed Health Care Independent Medical Review",
        Authorities = ["Health and Safety Code 1374.30–1374.36", "Health and Safety Code 1370.4"],
        ApplicantTerm = "enrollee",
        RecordsHolderTerm = "health plan",
        Eligibility = new EligibilityRules
        {
            Program = ReviewProgram.CaliforniaDmhc,
            DecisionName = "health plan's grievance decision",
            DecidedBy = "the health plan",
            ApplicationWindowMonths = 6,
            MailingExtensionDays = 0,
            RollForwardToWorkingDay = true,
            DisputableOutcomes = [UrOutcome.Denied, UrOutcome.Modified, UrOutcome.Delayed],
            RequireSignature = true,
            RequireDecisionAttached = false, // the department asks the plan for its decision (1374.30(n)(2))
            DeferLiability = false,
            RequireGrievanceFirst = true, // 1374.30, 1368.03(a): 30 days, 3 when urgent (1368.01(b))
        },
        Deadlines = DeadlinePolicy.CaliforniaDmhc,
        Records = new MedicalRecordsPolicy { WorkingDaysAfterNotice = 3, Expedited = TimeSpan.FromHours(24) },
        NoticeOfAssignmentServedOn = [AddresseeRoles.ClaimsAdministrator, AddresseeRoles.InjuredWorker, AddresseeRoles.RequestingPhysician],
        LetterServedOn = [AddresseeRoles.InjuredWorker, AddresseeRoles.EmployeeAttorney, AddresseeRoles.ClaimsAdministrator, AddresseeRoles.RequestingPhysician],
    };

    /// <summary>
    /// Federal external review (ACA, 45 CFR 147.136): the claimant requests it within 4 months of the final internal
    /// adverse benefit determination (147.136(c)(2)); decided within 45 days, 72 hours when expedited (147.136(c)(2),
    /// (d)(3)); the plan sends the documents within 5 business days. No workers'-comp rule applies.
    /// </summary>
    public static ReviewProgramDefinition AcaExternalReview { get; } = new()
    {
        Key = nameof(ReviewProgram.AcaExternalReview),
        Program = ReviewProgram.AcaExternalReview,
        Title = "Federal external review (Affordable Care Act)",
        Authorities = ["42 U.S.C. 300gg-19", "45 CFR 147.136"],
        ApplicantTerm = "claimant",
        RecordsHolderTerm = "plan",
        Eligibility = new EligibilityRules
        {
            Program = ReviewProgram.AcaExternalReview,
            DecisionName = "final internal adverse benefit determination",
            DecidedBy = "the plan",
            ApplicationWindowMonths = 4,
            MailingExtensionDays = 0,
            RollForwardToWorkingDay = false,
            CaliforniaHolidays = false,
            DisputableOutcomes = [UrOutcome.Denied, UrOutcome.Modified],
            RequireSignature = false,
            RequireDecisionAttached = false,
            DeferLiability = false,
        },
        Deadlines = DeadlinePolicy.AcaExternalReview,
        Records = new MedicalRecordsPolicy { WorkingDaysAfterNotice = 5, Expedited = TimeSpan.FromHours(24) },
        NoticeOfAssignmentServedOn = [AddresseeRoles.ClaimsAdministrator, AddresseeRoles.InjuredWorker],
        LetterServedOn = [AddresseeRoles.InjuredWorker, AddresseeRoles.EmployeeAttorney, AddresseeRoles.ClaimsAdministrator],
    };

    public static IReadOnlyList<ReviewProgramDefinition> All { get; } = [CaliforniaWorkersCompensation, CaliforniaDmhc, AcaExternalReview];

    public static ReviewProgramDefinition For(ReviewProgram program) => All.First(p => p.Program == program);

    public static ReviewProgramDefinition For(string key) =>
        All.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase))
        ?? throw new InvalidOperationException($"Review program '{key}' is not built in ({string.Join(", ", All.Select(p => p.Key))}).");
}
