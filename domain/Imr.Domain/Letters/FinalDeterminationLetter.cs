using Imr.Domain.Determinations;

namespace Imr.Domain.Letters;

/// <summary>Who issues letters; configuration, because several IMR organizations run the product.</summary>
public sealed record IssuingOrganization(string Name, string ShortName);

/// <summary>What the letter says about the reviewer. Never the reviewer's name.</summary>
public sealed record ReviewerQualifications(string BoardCertification, string LicensedState, int YearsInPractice, int ActivePracticeHoursPerWeek);

public sealed record LetterIssue(string Description, DecisionOutcome Outcome, string ClaimsAdministratorGuideline, string OrganizationGuideline, string Pages, string Rationale);

/// <summary>The one model every rendering of a Final Determination Letter comes from.</summary>
public sealed record FinalDeterminationLetter
{
    public required IssuingOrganization Organization { get; init; }
    public required string CaseNumber { get; init; }
    public required DateOnly ApplicationDate { get; init; }
    public required DateOnly DeterminationDate { get; init; }
    public required IReadOnlyList<string> AddressedTo { get; init; }
    public required ReviewerQualifications Reviewer { get; init; }
    public required string ClinicalCaseSummary { get; init; }
    public required IReadOnlyList<LetterIssue> Issues { get; init; }
}
