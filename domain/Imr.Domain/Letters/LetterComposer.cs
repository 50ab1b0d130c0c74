using Imr.Domain.Cases;
using Imr.Domain.Determinations;
using Imr.Domain.Reviewers;

namespace Imr.Domain.Letters;

/// <summary>Builds the letter model from the case, the reviewer's determination and the reviewer's qualifications.</summary>
public static class LetterComposer
{
    /// <summary>The Administrative Director of the Division of Workers' Compensation is served with every determination.</summary>
    public const string AdministrativeDirector = "Administrative Director, Division of Workers' Compensation";

    public static FinalDeterminationLetter Compose(
        IssuingOrganization organization, CasePackage casePackage, Determination determination, Reviewer reviewer, DateOnly determinationDate,
        DateOnly? recordsReceivedDate = null, int version = 1, string? correctionReason = null)
    {
        var problems = LetterQualityCheck.Check(determination, casePackage);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The determination is incomplete: " + string.Join(" ", problems));
        }

        return ComposeChecked(organization, casePackage, determination, reviewer, determinationDate, recordsReceivedDate, version, correctionReason);
    }

    /// <summary>The letter of a determination that passed <see cref="LetterQualityCheck.Check(Determination, CasePackage)"/>.</summary>
    internal static FinalDeterminationLetter ComposeChecked(
        IssuingOrganization organization, CasePackage casePackage, Determination determination, Reviewer reviewer, DateOnly determinationDate,
        DateOnly? recordsReceivedDate, int version, string? correctionReason)
    {
        return new FinalDeterminationLetter
        {
            Organization = organization,
            CaseNumber = casePackage.CaseNumber,
            Program = casePackage.Program.ToString(),
            ApplicationDate = casePackage.ApplicationDate,
            RecordsReceivedDate = recordsReceivedDate,
            DeterminationDate = determinationDate,
            ClaimNumber = LetterText.Flow(casePackage.ClaimNumber),
            DateOfInjury = casePackage.Worker.DateOfInjury,
            UrDecisionDate = casePackage.UtilizationReview.DecisionDate,
            Priority = casePackage.Expedited ? ReviewPriority.Expedited : ReviewPriority.Standard,
            DocumentsReviewed = casePackage.Documents.Select(d => LetterText.Flow(d.FileName)).ToList(),
            AddressedTo = AddresseesOf(casePackage),
            Version = version,
            CorrectionReason = correctionReason is null ? null : LetterText.Flow(correctionReason),
            Reviewer = QualificationsOf(reviewer),
            ClinicalCaseSummary = LetterText.Flow(determination.ClinicalCaseSummary),
            Issues = casePackage.DisputedItems
                .Select(item => (item, decision: determination.Decisions.Single(d => d.ItemId == item.ItemId)))
                .Select(x => new LetterIssue(
                    LetterText.Flow(x.item.Description),
                    x.decision.Outcome,
                    LetterText.Flow(x.decision.ClaimsAdministratorGuideline),
                    LetterText.Flow(x.decision.OrganizationGuideline),
                    LetterText.Flow(x.decision.Pages),
                    LetterText.Flow(x.decision.Rationale))
                { Evidence = x.decision.Evidence })
                .ToList(),
        };
    }

    /// <summary>What the letter may say about a reviewer; a missing certification or licence stays empty so the quality check can name it.</summary>
    public static ReviewerQualifications QualificationsOf(Reviewer reviewer) => new(
        reviewer.BoardCertifications.Count > 0 ? reviewer.BoardCertifications[0] : "",
        reviewer.LicensedStates.Count > 0 ? reviewer.LicensedStates[0] : "",
        reviewer.YearsInPractice,
        reviewer.ActivePracticeHoursPerWeek);

    /// <summary>Who the letter is addressed to: see <see cref="ServedParties.OfLetter"/>.</summary>
    public static IReadOnlyList<Addressee> AddresseesOf(CasePackage casePackage) => ServedParties.OfLetter(casePackage);
}
