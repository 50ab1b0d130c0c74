using System.Text;
using Imr.Domain.Determinations;

namespace Imr.Domain.Letters;

public enum LetterBlockKind
{
    Title,
    /// <summary>A header line (case number, dates, addressees): never wrapped in the text format.</summary>
    Field,
    Heading,
    /// <summary>A flowed paragraph; other renderings may wrap it.</summary>
    Paragraph,
    /// <summary>A disputed item's line, "&lt;item&gt;:  Upheld".</summary>
    ItemHeading,
    Blank,
}

public sealed record LetterBlock(LetterBlockKind Kind, string Text = "");

/// <summary>
/// The letter as a sequence of blocks in the sections, order and wording of a real Final Determination Letter.
/// Text, HTML and PDF all render these blocks, so every rendering says the same words.
/// </summary>
public static class LetterTextRenderer
{
    public const string Title = "FINAL DETERMINATION LETTER — INDEPENDENT MEDICAL REVIEW";
    public const string HowMadeHeading = "HOW THE IMR FINAL DETERMINATION WAS MADE";
    public const string SummaryHeading = "CLINICAL CASE SUMMARY";
    public const string IssuesHeading = "IMR ISSUES, DECISIONS AND RATIONALES";
    public const string MeaningHeading = "WHAT THIS DECISION MEANS";
    public const string AppealHeading = "YOUR RIGHT TO APPEAL";

    public const string CaseNumberLabel = "IMR Case Number: ";
    public const string ApplicationLabel = "Application Received: ";
    public const string RecordsLabel = "Medical Records Received: ";
    public const string DeterminationDateLabel = "Date of Final Determination: ";
    public const string CorrectionLabel = "Corrected Letter, Version ";
    public const string AddressedToLabel = "To:";
    public const string AddresseeIndent = "  ";

    public const string SummaryIntro = "The expert reviewer developed the following clinical case summary based on a review of the case file, including all medical records:";
    public const string IssuesIntro = "The Final Determination was based on decisions for the disputed items/services set forth below:";
    public const string ClaimsAdministratorGuidelineLabel = "Claims Administrator guideline: ";
    public const string GuidelinePrefix = "Decision based on ";
    public const string PagesLabel = " Page(s): ";
    public const string RationaleLabel = "Decision rationale: ";

    public const string AppealText =
        "This determination is final and binding unless a party files a verified petition with the Workers' Compensation Appeals Board within 30 days of the service of this letter, " +
        "on the grounds that the Administrative Director acted without or in excess of authority, the determination was procured by fraud, the reviewer had a material conflict of interest, " +
        "the determination was the result of bias on the basis of race, national origin, ethnic group identification, religion, age, sex, sexual orientation, color, or disability, " +
        "or the determination was the result of a plainly erroneous express or implied finding of fact (Labor Code section 4610.6(h)).";

    public static string Render(FinalDeterminationLetter letter)
    {
        var text = new StringBuilder();
        foreach (var block in Blocks(letter))
        {
            text.Append(block.Text).Append('\n');
        }

        return text.ToString();
    }

    public static IReadOnlyList<LetterBlock> Blocks(FinalDeterminationLetter letter)
    {
        var org = letter.Organization;
        var r = letter.Reviewer;
        var blocks = new List<LetterBlock>();
        void Add(LetterBlockKind kind, string s = "") => blocks.Add(new LetterBlock(kind, s));

        Add(LetterBlockKind.Title, Title);
        if (letter.CaseNumber.Length > 0) Add(LetterBlockKind.Field, CaseNumberLabel + LetterText.Flow(letter.CaseNumber));
        if (letter.ApplicationDate is { } applied) Add(LetterBlockKind.Field, ApplicationLabel + LetterText.Date(applied));
        if (letter.RecordsReceivedDate is { } records) Add(LetterBlockKind.Field, RecordsLabel + LetterText.Date(records));
        if (letter.DeterminationDate is { } determined) Add(LetterBlockKind.Field, DeterminationDateLabel + LetterText.Date(determined));
        if (letter.Version > 1)
        {
            Add(LetterBlockKind.Field, $"{CorrectionLabel}{letter.Version}. Reason: {LetterText.Flow(letter.CorrectionReason)}");
        }

        if (letter.AddressedTo.Count > 0)
        {
            Add(LetterBlockKind.Field, AddressedToLabel);
            foreach (var a in letter.AddressedTo)
            {
                Add(LetterBlockKind.Field, $"{AddresseeIndent}{LetterText.Flow(a.Role)}: {LetterText.Flow(a.Name)}");
            }
        }

        Add(LetterBlockKind.Blank);
        Add(LetterBlockKind.Heading, HowMadeHeading);
        Add(LetterBlockKind.Paragraph,
            $"{LetterText.Flow(org.Name)} sent the complete case file to an expert reviewer. He/she has no affiliation with the employer, employee, providers or the claims administrator. " +
            $"The expert reviewer is Board Certified in {LetterText.Flow(r.BoardCertification)} and is licensed to practice in {LetterText.Flow(r.LicensedState)}. " +
            $"He/she has been in active clinical practice for more than {LetterText.YearsInWords(r.YearsInPractice)} years and is currently working at least {r.ActivePracticeHoursPerWeek} hours a week in active practice. " +
            "The expert reviewer was selected based on his/her clinical experience, education, background, and expertise in the same or similar specialties that evaluate and/or treat the medical condition and disputed items/services. " +
            "He/she is familiar with governing laws and regulations, including the strength of evidence hierarchy that applies to Independent Medical Review determinations.");
        Add(LetterBlockKind.Blank);
        Add(LetterBlockKind.Heading, SummaryHeading);
        Add(LetterBlockKind.Paragraph, SummaryIntro);
        Add(LetterBlockKind.Blank);
        Add(LetterBlockKind.Paragraph, LetterText.Flow(letter.ClinicalCaseSummary));
        Add(LetterBlockKind.Blank);
        Add(LetterBlockKind.Heading, IssuesHeading);
        Add(LetterBlockKind.Paragraph, IssuesIntro);
        foreach (var issue in letter.Issues)
        {
            Add(LetterBlockKind.Blank);
            Add(LetterBlockKind.ItemHeading, $"{LetterText.Flow(issue.Description)}:  {issue.Outcome}");
            Add(LetterBlockKind.Blank);
            Add(LetterBlockKind.Paragraph, $"{ClaimsAdministratorGuidelineLabel}{GuidelinePrefix}{LetterText.WithoutFinalPeriod(issue.ClaimsAdministratorGuideline)}.");
            Add(LetterBlockKind.Blank);
            var pages = LetterText.WithoutFinalPeriod(issue.Pages);
            Add(LetterBlockKind.Paragraph, $"{LetterText.Flow(org.ShortName)} guideline: {GuidelinePrefix}{EvidenceBases.Cite(issue.Evidence, LetterText.WithoutFinalPeriod(issue.OrganizationGuideline))}{(pages.Length > 0 ? PagesLabel + pages : "")}.");
            Add(LetterBlockKind.Blank);
            Add(LetterBlockKind.Paragraph, RationaleLabel + LetterText.Flow(issue.Rationale));
        }

        Add(LetterBlockKind.Blank);
        Add(LetterBlockKind.Heading, MeaningHeading);
        foreach (var issue in letter.Issues)
        {
            Add(LetterBlockKind.Paragraph, issue.Outcome == DecisionOutcome.Overturned
                ? $"{LetterText.Flow(issue.Description)}: Overturned. The claims administrator must authorize this treatment within 5 working days of receiving this letter."
                : $"{LetterText.Flow(issue.Description)}: Upheld. The utilization review decision stands; the treatment is not authorized.");
        }

        Add(LetterBlockKind.Blank);
        Add(LetterBlockKind.Heading, AppealHeading);
        Add(LetterBlockKind.Paragraph, AppealText);
        return blocks;
    }

    internal static string YearsInWords(int years) => LetterText.YearsInWords(years);
}
