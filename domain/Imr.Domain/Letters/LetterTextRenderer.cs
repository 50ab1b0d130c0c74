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
    public const string ClaimNumberLabel = "Claim Number: ";
    public const string DateOfInjuryLabel = "Date of Injury: ";
    public const string UrDecisionDateLabel = "UR Decision Date: ";
    public const string PriorityLabel = "Priority: ";
    public const string DocumentsReviewedLabel = "Documents Reviewed: ";
    /// <summary>Separates the file names of <see cref="DocumentsReviewedLabel"/>; a file name cannot contain it (case-package schema).</summary>
    public const string DocumentSeparator = "; ";
    public const string CorrectionLabel = "Corrected Letter, Version ";
    public const string AddressedToLabel = "To:";
    public const string AddresseeIndent = "  ";

    public const string SummaryIntro = "The expert reviewer developed the following clinical case summary based on a review of the case file, including all medical records:";
    public const string IssuesIntro = "The Final Determination was based on decisions for the disputed items/services set forth below:";
    public const string ClaimsAdministratorGuidelineLabel = "Claims Administrator guideline: ";
    public const string GuidelinePrefix = "Decision based on ";
    public const string PagesLabel = " Page(s): ";
    public const string RationaleLabel = "Decision rationale: ";

    /// <summary>The letter as text; the program's wording from <paramref name="wording"/> (the shipped templates when null).</summary>
    public static string Render(FinalDeterminationLetter letter, WordingTemplates? wording = null)
    {
        var text = new StringBuilder();
        foreach (var block in Blocks(letter, wording))
        {
            text.Append(block.Text).Append('\n');
        }

        return text.ToString();
    }

    public static IReadOnlyList<LetterBlock> Blocks(FinalDeterminationLetter letter, WordingTemplates? wording = null)
    {
        wording ??= WordingTemplates.Shipped;
        var org = letter.Organization;
        var r = letter.Reviewer;
        var blocks = new List<LetterBlock>();
        void Add(LetterBlockKind kind, string s = "") => blocks.Add(new LetterBlock(kind, s));

        Add(LetterBlockKind.Title, Title);
        if (letter.CaseNumber.Length > 0) Add(LetterBlockKind.Field, CaseNumberLabel + LetterText.Flow(letter.CaseNumber));
        if (letter.ClaimNumber.Length > 0) Add(LetterBlockKind.Field, ClaimNumberLabel + LetterText.Flow(letter.ClaimNumber));
        if (letter.DateOfInjury is { } injured) Add(LetterBlockKind.Field, DateOfInjuryLabel + LetterText.Date(injured));
        if (letter.UrDecisionDate is { } ur) Add(LetterBlockKind.Field, UrDecisionDateLabel + LetterText.Date(ur));
        if (letter.Priority is { } priority) Add(LetterBlockKind.Field, PriorityLabel + priority);
        if (letter.ApplicationDate is { } applied) Add(LetterBlockKind.Field, ApplicationLabel + LetterText.Date(applied));
        if (letter.RecordsReceivedDate is { } records) Add(LetterBlockKind.Field, RecordsLabel + LetterText.Date(records));
        if (letter.DeterminationDate is { } determined) Add(LetterBlockKind.Field, DeterminationDateLabel + LetterText.Date(determined));
        if (letter.Version > 1)
        {
            Add(LetterBlockKind.Field, $"{CorrectionLabel}{letter.Version}. Reason: {LetterText.Flow(letter.CorrectionReason)}");
        }

        if (letter.DocumentsReviewed.Count > 0)
        {
            Add(LetterBlockKind.Field, DocumentsReviewedLabel + string.Join(DocumentSeparator, letter.DocumentsReviewed.Select(LetterText.Flow)));
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
        var numbered = letter.Issues.Count > 1; // a multi-item letter numbers its items, so each can be cited
        foreach (var (issue, index) in letter.Issues.Select((issue, index) => (issue, index)))
        {
            Add(LetterBlockKind.Blank);
            Add(LetterBlockKind.ItemHeading, $"{(numbered ? $"{index + 1}. " : "")}{LetterText.Flow(issue.Description)}:  {issue.Outcome}");
            Add(LetterBlockKind.Blank);
            Add(LetterBlockKind.Paragraph, $"{ClaimsAdministratorGuidelineLabel}{GuidelinePrefix}{LetterText.WithoutFinalPeriod(issue.ClaimsAdministratorGuideline)}.");
            Add(LetterBlockKind.Blank);
            var pages = LetterText.WithoutFinalPeriod(issue.Pages);
            Add(LetterBlockKind.Paragraph, $"{LetterText.Flow(org.ShortName)} guideline: {GuidelinePrefix}{EvidenceBases.Cite(issue.Evidence, LetterText.WithoutFinalPeriod(issue.OrganizationGuideline))}{(pages.Length > 0 ? PagesLabel + pages : "")}.");
            Add(LetterBlockKind.Blank);
            Add(LetterBlockKind.Paragraph, RationaleLabel + LetterText.Flow(issue.Rationale));
        }

        // What the decision means and how to appeal it are the program's wording: templates staff can change.
        var values = new Dictionary<string, object?>
        {
            ["organization"] = LetterText.Flow(org.Name),
            ["caseNumber"] = LetterText.Flow(letter.CaseNumber),
            ["administrativeDirector"] = LetterComposer.AdministrativeDirector,
            ["numbered"] = numbered,
            ["items"] = letter.Issues.Select((issue, index) => new Dictionary<string, object?>
            {
                ["number"] = index + 1,
                ["description"] = LetterText.Flow(issue.Description),
                ["outcome"] = issue.Outcome.ToString(),
                ["overturned"] = issue.Outcome == DecisionOutcome.Overturned,
            }).ToList(),
        };
        Add(LetterBlockKind.Blank);
        Add(LetterBlockKind.Heading, MeaningHeading);
        foreach (var paragraph in WordingTemplates.Paragraphs(wording.Render(letter.Program, TemplateNames.LetterMeaning, values)))
        {
            Add(LetterBlockKind.Paragraph, paragraph);
        }

        Add(LetterBlockKind.Blank);
        Add(LetterBlockKind.Heading, AppealHeading);
        foreach (var paragraph in WordingTemplates.Paragraphs(wording.Render(letter.Program, TemplateNames.LetterAppeal, values)))
        {
            Add(LetterBlockKind.Paragraph, paragraph);
        }

        return blocks;
    }

    internal static string YearsInWords(int years) => LetterText.YearsInWords(years);
}
