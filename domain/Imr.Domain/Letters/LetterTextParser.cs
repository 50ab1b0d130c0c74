using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Imr.Domain.Determinations;
using static Imr.Domain.Letters.LetterTextRenderer;

namespace Imr.Domain.Letters;

public sealed record LetterParseResult(FinalDeterminationLetter? Letter, IReadOnlyList<string> Problems)
{
    public bool IsParsed => Letter is not null;
}

/// <summary>
/// Reads a Final Determination Letter in its text format back into the model: the system's own letters and historical
/// letters such as the sample in shared/seeds, which are hard-wrapped with blank lines between lines, trailing spaces,
/// form feeds and a header left out. Sections are found by their headings; inside the issues section the fixed labels
/// ("Claims Administrator guideline:", "&lt;organization&gt; guideline:", "Decision rationale:") are recognised only in
/// their order, so a wrapped rationale line that happens to start with "… guideline:" stays part of the rationale.
/// "WHAT THIS DECISION MEANS" and the appeal right follow from the issues and are not read.
/// </summary>
public static partial class LetterTextParser
{
    public static LetterParseResult Parse(string text)
    {
        var problems = new List<string>();
        var lines = text.Replace("\r\n", "\n").Split('\n').Select(l => l.Trim()).ToList();
        int Find(string heading) => lines.FindIndex(l => l == heading);
        var howMade = Find(HowMadeHeading);
        var summary = Find(SummaryHeading);
        var issues = Find(IssuesHeading);
        foreach (var (index, heading) in new[] { (howMade, HowMadeHeading), (summary, SummaryHeading), (issues, IssuesHeading) })
        {
            if (index < 0) problems.Add($"The section '{heading}' is missing.");
        }

        if (problems.Count > 0) return new(null, problems);
        if (!(howMade < summary && summary < issues)) return new(null, ["The sections are not in the order of a Final Determination Letter."]);
        var meaning = Find(MeaningHeading);
        var appeal = Find(AppealHeading);
        var issuesEnd = new[] { meaning, appeal, lines.Count }.Where(i => i > issues).Min();

        // Who made it: organization and the reviewer's qualifications.
        var howMadeText = LetterText.Flow(string.Join(' ', lines[(howMade + 1)..summary]));
        var q = Qualifications().Match(howMadeText);
        if (!q.Success)
        {
            return new(null, ["The section 'HOW THE IMR FINAL DETERMINATION WAS MADE' does not state the organization and the reviewer's certification, licence, years and hours of practice."]);
        }

        var years = LetterText.YearsFromWords(q.Groups["years"].Value);
        if (years is null) problems.Add($"Years of practice '{q.Groups["years"].Value}' are not a number in words.");
        var orgName = q.Groups["org"].Value;
        var reviewer = new ReviewerQualifications(q.Groups["cert"].Value, q.Groups["state"].Value, years ?? 0, int.Parse(q.Groups["hours"].Value, CultureInfo.InvariantCulture));

        var summaryText = LetterText.Flow(string.Join(' ', lines[(summary + 1)..issues]));
        if (summaryText.StartsWith(SummaryIntro, StringComparison.Ordinal)) summaryText = summaryText[SummaryIntro.Length..].Trim();
        if (summaryText.Length == 0) problems.Add("The clinical case summary is empty.");

        var (items, shortName, itemProblems) = ParseIssues(lines[(issues + 1)..issuesEnd]);
        problems.AddRange(itemProblems);

        var header = ParseHeader(lines[..howMade], problems);
        if (problems.Count > 0) return new(null, problems);

        return new(new FinalDeterminationLetter
        {
            Organization = new IssuingOrganization(orgName, shortName ?? orgName),
            CaseNumber = header.CaseNumber,
            ApplicationDate = header.Application,
            RecordsReceivedDate = header.Records,
            DeterminationDate = header.Determined,
            ClaimNumber = header.ClaimNumber,
            DateOfInjury = header.Injured,
            UrDecisionDate = header.UrDecided,
            Priority = header.Priority,
            DocumentsReviewed = header.Documents,
            AddressedTo = header.Addressees,
            Version = header.Version,
            CorrectionReason = header.CorrectionReason,
            Reviewer = reviewer,
            ClinicalCaseSummary = summaryText,
            Issues = items,
        }, []);
    }

    private sealed record Header(string CaseNumber, DateOnly? Application, DateOnly? Records, DateOnly? Determined, IReadOnlyList<Addressee> Addressees, int Version, string? CorrectionReason)
    {
        public string ClaimNumber { get; init; } = "";
        public DateOnly? Injured { get; init; }
        public DateOnly? UrDecided { get; init; }
        public ReviewPriority? Priority { get; init; }
        public IReadOnlyList<string> Documents { get; init; } = [];
    }

    private static Header ParseHeader(List<string> lines, List<string> problems)
    {
        string caseNumber = "", claimNumber = "";
        DateOnly? application = null, records = null, determined = null, injured = null, urDecided = null;
        ReviewPriority? priority = null;
        IReadOnlyList<string> documents = [];
        var addressees = new List<Addressee>();
        var version = 1;
        string? reason = null;
        var inAddressees = false;
        DateOnly? Date(string line, string label)
        {
            var d = LetterText.ParseDate(line[label.Length..]);
            if (d is null) problems.Add($"'{label.Trim()}' is not a date ({LetterText.DateFormat}).");
            return d;
        }

        foreach (var line in lines.Where(l => l.Length > 0))
        {
            if (line == Title) continue;
            if (line == AddressedToLabel) { inAddressees = true; continue; }
            if (line.StartsWith(CaseNumberLabel, StringComparison.Ordinal)) caseNumber = line[CaseNumberLabel.Length..].Trim();
            else if (line.StartsWith(ClaimNumberLabel, StringComparison.Ordinal)) claimNumber = line[ClaimNumberLabel.Length..].Trim();
            else if (line.StartsWith(DateOfInjuryLabel, StringComparison.Ordinal)) injured = Date(line, DateOfInjuryLabel);
            else if (line.StartsWith(UrDecisionDateLabel, StringComparison.Ordinal)) urDecided = Date(line, UrDecisionDateLabel);
            else if (line.StartsWith(PriorityLabel, StringComparison.Ordinal))
            {
                if (Enum.TryParse<ReviewPriority>(line[PriorityLabel.Length..].Trim(), out var p) && Enum.IsDefined(p)) priority = p;
                else problems.Add($"'{PriorityLabel.Trim()}' must be {ReviewPriority.Standard} or {ReviewPriority.Expedited}.");
            }
            else if (line.StartsWith(DocumentsReviewedLabel, StringComparison.Ordinal))
            {
                documents = line[DocumentsReviewedLabel.Length..].Split(DocumentSeparator.Trim(), StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            }
            else if (line.StartsWith(ApplicationLabel, StringComparison.Ordinal)) application = Date(line, ApplicationLabel);
            else if (line.StartsWith(RecordsLabel, StringComparison.Ordinal)) records = Date(line, RecordsLabel);
            else if (line.StartsWith(DeterminationDateLabel, StringComparison.Ordinal)) determined = Date(line, DeterminationDateLabel);
            else if (Correction().Match(line) is { Success: true } c)
            {
                version = int.Parse(c.Groups["version"].Value, CultureInfo.InvariantCulture);
                reason = c.Groups["reason"].Value.Trim();
            }
            else if (inAddressees && line.IndexOf(": ", StringComparison.Ordinal) is var colon and > 0)
            {
                addressees.Add(new Addressee(line[..colon], line[(colon + 2)..].Trim()));
            }
            else
            {
                problems.Add($"Unrecognised header line {Quote(line)}.");
            }
        }

        return new Header(caseNumber, application, records, determined, addressees, version, reason)
        {
            ClaimNumber = claimNumber,
            Injured = injured,
            UrDecided = urDecided,
            Priority = priority,
            Documents = documents,
        };
    }

    private enum Expect { Item, ClaimsGuideline, OrgGuideline, RationaleLabel, RationaleText }

    private static (List<LetterIssue> Items, string? ShortName, List<string> Problems) ParseIssues(List<string> lines)
    {
        var items = new List<LetterIssue>();
        var problems = new List<string>();
        string? shortName = null;
        string description = "", caGuideline = "", orgGuideline = "";
        DecisionOutcome outcome = default;
        var current = new StringBuilder();
        var expect = Expect.Item;

        void Finish()
        {
            var (cited, pages) = SplitPages(Strip(orgGuideline, problems, description));
            var (evidence, guideline) = EvidenceBases.ReadCitation(cited);
            items.Add(new LetterIssue(description, outcome, LetterText.WithoutFinalPeriod(Strip(caGuideline, problems, description)), guideline, pages, LetterText.Flow(current.ToString())) { Evidence = evidence });
        }

        foreach (var line in lines.Where(l => l.Length > 0))
        {
            if ((expect is Expect.Item or Expect.RationaleText) && ItemLine().Match(line) is { Success: true } item)
            {
                if (expect == Expect.RationaleText) Finish();
                description = LetterText.Flow(item.Groups["item"].Value);
                outcome = Enum.Parse<DecisionOutcome>(item.Groups["outcome"].Value);
                expect = Expect.ClaimsGuideline;
                continue;
            }

            switch (expect)
            {
                case Expect.Item:
                    if (!IssuesIntro.Contains(LetterText.Flow(line), StringComparison.Ordinal)) problems.Add($"Unexpected text before the first disputed item: {Quote(line)}.");
                    break;
                case Expect.ClaimsGuideline when line.StartsWith(ClaimsAdministratorGuidelineLabel, StringComparison.Ordinal):
                    current.Clear().Append(line[ClaimsAdministratorGuidelineLabel.Length..]);
                    expect = Expect.OrgGuideline;
                    break;
                case Expect.ClaimsGuideline:
                    problems.Add($"Disputed item {Quote(description)}: expected '{ClaimsAdministratorGuidelineLabel.Trim()}'.");
                    expect = Expect.Item;
                    break;
                case Expect.OrgGuideline when OrgGuidelineLine().Match(line) is { Success: true } org:
                    caGuideline = current.ToString();
                    shortName ??= org.Groups["org"].Value;
                    current.Clear().Append(line[org.Length..]);
                    expect = Expect.RationaleLabel;
                    break;
                case Expect.RationaleLabel when line.StartsWith(RationaleLabel, StringComparison.Ordinal):
                    orgGuideline = current.ToString();
                    current.Clear().Append(line[RationaleLabel.Length..]);
                    expect = Expect.RationaleText;
                    break;
                default:
                    current.Append(' ').Append(line); // a hard-wrapped continuation of the current field
                    break;
            }
        }

        if (expect == Expect.RationaleText)
        {
            Finish();
        }
        else if (expect != Expect.Item)
        {
            problems.Add($"Disputed item {Quote(description)} is incomplete: it needs both guidelines and a decision rationale.");
        }

        if (items.Count == 0 && problems.Count == 0) problems.Add("The letter decides no disputed item.");
        return (Unnumbered(items), shortName, problems);
    }

    /// <summary>A multi-item letter numbers its items "1. ", "2. " …; the number is the letter's, not the item's description.</summary>
    private static List<LetterIssue> Unnumbered(List<LetterIssue> items)
    {
        if (items.Count < 2) return items;
        var prefixes = items.Select((item, index) => $"{index + 1}. ").ToList();
        return items.Select((item, index) => item.Description.StartsWith(prefixes[index], StringComparison.Ordinal)).All(x => x)
            ? items.Select((item, index) => item with { Description = item.Description[prefixes[index].Length..] }).ToList()
            : items;
    }

    private static string Strip(string field, List<string> problems, string description)
    {
        var flowed = LetterText.Flow(field);
        if (!flowed.StartsWith(GuidelinePrefix, StringComparison.Ordinal))
        {
            problems.Add($"Disputed item {Quote(description)}: a guideline must read 'Decision based on …'.");
            return flowed;
        }

        return flowed[GuidelinePrefix.Length..];
    }

    private static (string Guideline, string Pages) SplitPages(string field)
    {
        var at = field.LastIndexOf(PagesLabel.Trim(), StringComparison.Ordinal);
        return at < 0
            ? (LetterText.WithoutFinalPeriod(field), "")
            : (LetterText.WithoutFinalPeriod(field[..at]), LetterText.WithoutFinalPeriod(field[(at + PagesLabel.Trim().Length)..]));
    }

    private static string Quote(string s) => "'" + (s.Length > 60 ? s[..60] + "…" : s) + "'";

    [GeneratedRegex(@"^(?<org>.+?) sent the complete case file to an expert reviewer\..*?Board Certified in (?<cert>.+?) and is licensed to practice in (?<state>.+?)\. He/she has been in active clinical practice for more than (?<years>[A-Za-z-]+) years and is currently working at least (?<hours>\d+) hours a week")]
    private static partial Regex Qualifications();

    [GeneratedRegex(@"^(?<item>.+):\s+(?<outcome>Upheld|Overturned)$")]
    private static partial Regex ItemLine();

    [GeneratedRegex(@"^(?<org>.+?) guideline: ")]
    private static partial Regex OrgGuidelineLine();

    [GeneratedRegex(@"^Corrected Letter, Version (?<version>\d+)\. Reason: (?<reason>.*)$")]
    private static partial Regex Correction();
}
