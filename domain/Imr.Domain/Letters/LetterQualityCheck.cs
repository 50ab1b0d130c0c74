using Imr.Domain.Cases;
using Imr.Domain.Determinations;
using Imr.Domain.Reviewers;

namespace Imr.Domain.Letters;

/// <summary>What the quality check found: the letter to issue, or the reasons it cannot be issued (never both).</summary>
public sealed record CheckedLetter(FinalDeterminationLetter? Letter, IReadOnlyList<string> Reasons);

/// <summary>
/// The one quality check before a Final Determination Letter is issued: the determination against its case, then the letter
/// made from it. Each reason is written for the reviewer, who gets the case back with them. Reasons name items and fields,
/// never clinical content, so they may be logged by count and stored with the case. <see cref="Determination.Check"/>,
/// <see cref="LetterComposer.Compose"/> and the issuer all call it, so every reason is worded here once.
/// </summary>
public static class LetterQualityCheck
{
    public const string SummaryMissing = "The clinical case summary is missing.";

    public static string NeedsDecision(string item) => $"{Item(item)} needs a decision: Upheld or Overturned.";

    public static string NeedsRationale(string item) => $"{Item(item)} needs a decision rationale.";

    /// <summary>
    /// The whole check an issuance runs: the determination decides every disputed item of the case completely, and the
    /// letter composed from it (with the reviewer's qualifications) passes <see cref="Check(FinalDeterminationLetter, string?)"/>.
    /// </summary>
    public static CheckedLetter Compose(
        IssuingOrganization organization, CasePackage casePackage, Determination determination, Reviewer reviewer, DateOnly determinationDate,
        DateOnly? recordsReceivedDate = null, int version = 1, string? correctionReason = null)
    {
        var reasons = Check(determination, casePackage).ToList();
        reasons.AddRange(determination.Decisions.Where(d => !Enum.IsDefined(d.Outcome)).Select(d => NeedsDecision(d.ItemId)));
        if (reasons.Count > 0) return new(null, reasons);
        var letter = LetterComposer.ComposeChecked(organization, casePackage, determination, reviewer, determinationDate, recordsReceivedDate, version, correctionReason);
        reasons.AddRange(Check(letter, reviewer.Name));
        return reasons.Count > 0 ? new(null, reasons) : new(letter, reasons);
    }

    /// <summary>The determination against its case: a summary, and for every disputed item a decision with both guidelines and a rationale; no decision for an item the case does not have.</summary>
    public static IReadOnlyList<string> Check(Determination determination, CasePackage casePackage)
    {
        var reasons = new List<string>();
        if (string.IsNullOrWhiteSpace(determination.ClinicalCaseSummary))
        {
            reasons.Add(SummaryMissing);
        }

        foreach (var item in casePackage.DisputedItems)
        {
            var decision = determination.Decisions.FirstOrDefault(d => d.ItemId == item.ItemId);
            if (decision is null)
            {
                reasons.Add($"No decision for disputed item '{item.ItemId}'.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(decision.OrganizationGuideline) || string.IsNullOrWhiteSpace(decision.ClaimsAdministratorGuideline))
            {
                reasons.Add($"{Item(item.ItemId)} needs both guidelines.");
            }

            if (string.IsNullOrWhiteSpace(decision.Rationale))
            {
                reasons.Add(NeedsRationale(item.ItemId));
            }
        }

        foreach (var unknown in determination.Decisions.Where(d => casePackage.DisputedItems.All(i => i.ItemId != d.ItemId)))
        {
            reasons.Add($"Decision for unknown item '{unknown.ItemId}'.");
        }

        return reasons;
    }

    /// <summary>The letter itself: every issue decided and cited, the reviewer's qualifications on file, and the reviewer not named.</summary>
    public static IReadOnlyList<string> Check(FinalDeterminationLetter letter, string? reviewerName = null)
    {
        var reasons = new List<string>();
        if (string.IsNullOrWhiteSpace(letter.ClinicalCaseSummary)) reasons.Add(SummaryMissing);
        if (letter.Issues.Count == 0) reasons.Add("The letter decides no disputed item.");
        foreach (var issue in letter.Issues)
        {
            var item = Item(issue.Description);
            if (!Enum.IsDefined(issue.Outcome)) reasons.Add(NeedsDecision(issue.Description));
            if (string.IsNullOrWhiteSpace(LetterText.WithoutFinalPeriod(issue.ClaimsAdministratorGuideline))) reasons.Add($"{item} needs the claims administrator's guideline.");
            if (string.IsNullOrWhiteSpace(LetterText.WithoutFinalPeriod(issue.OrganizationGuideline))) reasons.Add($"{item} needs the guideline the decision relies on.");
            if (string.IsNullOrWhiteSpace(issue.Rationale)) reasons.Add(NeedsRationale(issue.Description));
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

    private static string Item(string item) => $"Disputed item '{item}'";
}
