using System.Globalization;
using System.Text;
using Imr.Domain.Determinations;

namespace Imr.Domain.Letters;

/// <summary>Renders the letter as plain text in the sections, order and wording of a real Final Determination Letter.</summary>
public static class LetterTextRenderer
{
    public const string HowMadeHeading = "HOW THE IMR FINAL DETERMINATION WAS MADE";
    public const string SummaryHeading = "CLINICAL CASE SUMMARY";
    public const string IssuesHeading = "IMR ISSUES, DECISIONS AND RATIONALES";

    public static string Render(FinalDeterminationLetter letter)
    {
        var org = letter.Organization;
        var r = letter.Reviewer;
        var text = new StringBuilder();
        void Line(string s = "") => text.Append(s).Append('\n');

        Line("FINAL DETERMINATION LETTER — INDEPENDENT MEDICAL REVIEW");
        Line($"IMR Case Number: {letter.CaseNumber}");
        Line($"Application Received: {Date(letter.ApplicationDate)}");
        Line($"Date of Final Determination: {Date(letter.DeterminationDate)}");
        Line("To: " + string.Join("; ", letter.AddressedTo));
        Line();
        Line(HowMadeHeading);
        Line($"{org.Name} sent the complete case file to an expert reviewer. He/she has no affiliation with the employer, employee, providers or the claims administrator. " +
             $"The expert reviewer is Board Certified in {r.BoardCertification} and is licensed to practice in {r.LicensedState}. " +
             $"He/she has been in active clinical practice for more than {YearsInWords(r.YearsInPractice)} years and is currently working at least {r.ActivePracticeHoursPerWeek} hours a week in active practice. " +
             "The expert reviewer was selected based on his/her clinical experience, education, background, and expertise in the same or similar specialties that evaluate and/or treat the medical condition and disputed items/services. " +
             "He/she is familiar with governing laws and regulations, including the strength of evidence hierarchy that applies to Independent Medical Review determinations.");
        Line();
        Line(SummaryHeading);
        Line("The expert reviewer developed the following clinical case summary based on a review of the case file, including all medical records:");
        Line();
        Line(letter.ClinicalCaseSummary);
        Line();
        Line(IssuesHeading);
        Line("The Final Determination was based on decisions for the disputed items/services set forth below:");
        foreach (var issue in letter.Issues)
        {
            Line();
            Line($"{issue.Description}:  {issue.Outcome}");
            Line();
            Line($"Claims Administrator guideline: Decision based on {WithoutFinalPeriod(issue.ClaimsAdministratorGuideline)}.");
            Line();
            var pages = issue.Pages.Length > 0 ? $" Page(s): {issue.Pages}" : "";
            Line($"{org.ShortName} guideline: Decision based on {WithoutFinalPeriod(issue.OrganizationGuideline)}{pages}.");
            Line();
            Line($"Decision rationale: {issue.Rationale}");
        }

        Line();
        Line("WHAT THIS DECISION MEANS");
        foreach (var issue in letter.Issues)
        {
            Line(issue.Outcome == DecisionOutcome.Overturned
                ? $"{issue.Description}: Overturned. The claims administrator must authorize this treatment within 5 working days of receiving this letter."
                : $"{issue.Description}: Upheld. The utilization review decision stands; the treatment is not authorized.");
        }

        Line();
        Line("YOUR RIGHT TO APPEAL");
        Line("This determination is final and binding unless a party files a verified petition with the Workers' Compensation Appeals Board within 30 days of the service of this letter, " +
             "on the grounds that the Administrative Director acted without or in excess of authority, the determination was procured by fraud, the reviewer had a material conflict of interest, " +
             "the determination was the result of bias on the basis of race, national origin, ethnic group identification, religion, age, sex, sexual orientation, color, or disability, " +
             "or the determination was the result of a plainly erroneous express or implied finding of fact (Labor Code section 4610.6(h)).");
        return text.ToString();
    }

    private static string Date(DateOnly d) => d.ToString("MM/dd/yyyy", CultureInfo.InvariantCulture);

    private static string WithoutFinalPeriod(string s) => s.TrimEnd().TrimEnd('.');

    /// <summary>The letter states experience as "more than five years": the largest multiple of five not above the reviewer's years.</summary>
    internal static string YearsInWords(int years)
    {
        string[] words = ["five", "ten", "fifteen", "twenty", "twenty-five", "thirty", "thirty-five", "forty"];
        var index = Math.Clamp(years / 5, 1, words.Length) - 1;
        return words[index];
    }
}
