using Imr.Domain.Determinations;

namespace Imr.Domain.Letters;

/// <summary>Who issues letters; configuration, because several IMR organizations run the product.</summary>
public sealed record IssuingOrganization(string Name, string ShortName);

/// <summary>What the letter says about the reviewer. Never the reviewer's name.</summary>
public sealed record ReviewerQualifications(string BoardCertification, string LicensedState, int YearsInPractice, int ActivePracticeHoursPerWeek);

public sealed record LetterIssue(string Description, DecisionOutcome Outcome, string ClaimsAdministratorGuideline, string OrganizationGuideline, string Pages, string Rationale)
{
    /// <summary>The kind of evidence <see cref="OrganizationGuideline"/> is; every rendering cites it (<see cref="EvidenceBases.Cite"/>).</summary>
    public EvidenceBasis Evidence { get; init; } = EvidenceBasis.Mtus;
}

/// <summary>Whether the review ran on the standard or the expedited timetable (the letter's header says which).</summary>
public enum ReviewPriority
{
    Standard,
    Expedited,
}

/// <summary>A party the letter is addressed to, e.g. ("Claims administrator", "Sample Claims Services").</summary>
public sealed record Addressee(string Role, string Name);

/// <summary>The roles a letter is served on (Labor Code 4610.6: the parties and the Administrative Director).</summary>
public static class AddresseeRoles
{
    public const string InjuredWorker = "Injured worker";
    public const string EmployeeAttorney = "Employee's attorney";
    public const string ClaimsAdministrator = "Claims administrator";
    public const string RequestingPhysician = "Requesting physician";
    public const string Employer = "Employer";
    public const string AdministrativeDirector = "Administrative Director";
}

/// <summary>
/// The one model every rendering of a Final Determination Letter comes from (text, HTML, PDF) and the text parser reads back.
/// Free texts (summary, guidelines, rationales) are single paragraphs: the letter flows them, and hard-wrapped historical
/// letters cannot tell a wrapped line from a paragraph break. Header fields are optional because historical letters
/// (the sample in shared/seeds) may be excerpts without a header; the system's own letters always carry them.
/// </summary>
public sealed record FinalDeterminationLetter
{
    public required IssuingOrganization Organization { get; init; }
    public string CaseNumber { get; init; } = "";
    /// <summary>The review program (a <see cref="Cases.ReviewProgram"/> name): it selects the wording templates.</summary>
    public string Program { get; init; } = nameof(Cases.ReviewProgram.CaliforniaWorkersCompensation);
    public DateOnly? ApplicationDate { get; init; }
    public DateOnly? RecordsReceivedDate { get; init; }
    public DateOnly? DeterminationDate { get; init; }
    /// <summary>The claims administrator's claim number, as the application gives it ("" when none was given).</summary>
    public string ClaimNumber { get; init; } = "";
    public DateOnly? DateOfInjury { get; init; }
    /// <summary>The date of the utilization review decision the application disputes.</summary>
    public DateOnly? UrDecisionDate { get; init; }
    /// <summary>Standard or expedited review; null on historical letters that do not say.</summary>
    public ReviewPriority? Priority { get; init; }
    /// <summary>The documents of the case file the reviewer had (file names), in the order the letter lists them.</summary>
    public IReadOnlyList<string> DocumentsReviewed { get; init; } = [];
    public IReadOnlyList<Addressee> AddressedTo { get; init; } = [];
    /// <summary>1 for the original; a correction is a new version that says why.</summary>
    public int Version { get; init; } = 1;
    public string? CorrectionReason { get; init; }
    public required ReviewerQualifications Reviewer { get; init; }
    public required string ClinicalCaseSummary { get; init; }
    public required IReadOnlyList<LetterIssue> Issues { get; init; }

    /// <summary>Records compare lists by reference; letters compare by content (round-trip tests, idempotent issuance).</summary>
    public bool Equals(FinalDeterminationLetter? other) =>
        other is not null
        && Organization == other.Organization && CaseNumber == other.CaseNumber && Program == other.Program
        && ApplicationDate == other.ApplicationDate && RecordsReceivedDate == other.RecordsReceivedDate && DeterminationDate == other.DeterminationDate
        && ClaimNumber == other.ClaimNumber && DateOfInjury == other.DateOfInjury && UrDecisionDate == other.UrDecisionDate && Priority == other.Priority
        && DocumentsReviewed.SequenceEqual(other.DocumentsReviewed)
        && AddressedTo.SequenceEqual(other.AddressedTo) && Version == other.Version && CorrectionReason == other.CorrectionReason
        && Reviewer == other.Reviewer && ClinicalCaseSummary == other.ClinicalCaseSummary && Issues.SequenceEqual(other.Issues);

    public override int GetHashCode() => HashCode.Combine(CaseNumber, Version, ClinicalCaseSummary, Issues.Count);
}
