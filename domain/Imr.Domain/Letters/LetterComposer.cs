using Imr.Domain.Cases;
using Imr.Domain.Determinations;
using Imr.Domain.Reviewers;

namespace Imr.Domain.Letters;

/// <summary>Builds the letter model from the case, the reviewer's determination and the reviewer's qualifications.</summary>
public static class LetterComposer
{
    public static FinalDeterminationLetter Compose(IssuingOrganization organization, CasePackage casePackage, Determination determination, Reviewer reviewer, DateOnly determinationDate)
    {
        var problems = determination.Check(casePackage);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The determination is incomplete: " + string.Join(" ", problems));
        }

        var addressedTo = new List<string> { casePackage.EmployeeAttorney ?? "Injured worker (on file)", casePackage.ClaimsAdministrator, casePackage.RequestingPhysician.Name, casePackage.Employer };
        return new FinalDeterminationLetter
        {
            Organization = organization,
            CaseNumber = casePackage.CaseNumber,
            ApplicationDate = casePackage.ApplicationDate,
            DeterminationDate = determinationDate,
            AddressedTo = addressedTo,
            Reviewer = new ReviewerQualifications(
                reviewer.BoardCertifications[0],
                reviewer.LicensedStates[0],
                reviewer.YearsInPractice,
                reviewer.ActivePracticeHoursPerWeek),
            ClinicalCaseSummary = determination.ClinicalCaseSummary.Trim(),
            Issues = casePackage.DisputedItems
                .Select(item => (item, decision: determination.Decisions.Single(d => d.ItemId == item.ItemId)))
                .Select(x => new LetterIssue(x.item.Description, x.decision.Outcome, x.decision.ClaimsAdministratorGuideline.Trim(), x.decision.OrganizationGuideline.Trim(), x.decision.Pages.Trim(), x.decision.Rationale.Trim()))
                .ToList(),
        };
    }
}
