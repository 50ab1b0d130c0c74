using Imr.Domain.Determinations;

namespace Imr.Domain.Letters;

/// <summary>
/// The check before a letter is issued. Each reason is written for the reviewer, who gets the case back with them.
/// Reasons name items and fields, never clinical content, so they may be logged by count and stored with the case.
/// </summary>
public static class LetterQualityCheck
{
    public static IReadOnlyList<string> Check(FinalDeterminationLetter letter, string? reviewerName = null)
    {
        var reasons = new List<string>();
        if (string.IsNullOrWhiteSpace(letter.ClinicalCaseSummary)) reasons.Add("The clinical case summary is missing.");
        if (letter.Issues.Count == 0) reasons.Add("The letter decides no disputed item.");
        foreach (var issue in letter.Issues)
        {
            var item = $"Disputed item '{issue.Description}'";
            if (!Enum.IsDefined(issue.Outcome)) reasons.Add($"{item} needs a decision: Upheld or Overturned.");
            if (string.IsNullOrWhiteSpace(LetterText.WithoutFinalPeriod(issue.ClaimsAdministratorGuideline))) reasons.Add($"{item} needs the claims administrator's guideline.");
            if (string.IsNullOrWhiteSpace(LetterText.WithoutFinalPeriod(issue.OrganizationGuideline))) reasons.Add($"{item} needs the guideline the decision relies on.");
            if (string.IsNullOrWhiteSpace(issue.Rationale)) reasons.Add($"{item} needs a decision rationale.");
        }

        var r = letter.Reviewer;
        if (string.IsNullOrWhiteSpace(r.BoardCertification)) reasons.Add("The reviewer's board certification is not on file.");
        if (string.IsNullOrWhiteSpace(r.LicensedState)) reasons.Add("The reviewer's state of licensure is not on file.");
        // The letter states "more than five years": with fewer it would not be true.
        if (r.YearsInPractice < 5) reasons.Add("The reviewer's years of active practice (at least five) are not on file.");
        if (r.ActivePracticeHoursPerWeek <= 0) reasons.Add("The reviewer's weekly hours of active practice are not on file.");

        if (!string.IsNullOrWhiteSpace(reviewerName))
        {
            var text = LetterTextRenderer.Render(letter);
            var name = LetterText.Flow(reviewerName);
            var bare = name.StartsWith("Dr. ", StringComparison.OrdinalIgnoreCase) ? name[4..] : name;
            if (text.Contains(name, StringComparison.OrdinalIgnoreCase) || (bare.Contains(' ') && text.Contains(bare, StringComparison.OrdinalIgnoreCase)))
            {
                reasons.Add("The letter must not name the expert reviewer: remove your name from the summary and rationales.");
            }
        }

        return reasons;
    }
}
