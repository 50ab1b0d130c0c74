using System.Globalization;
using System.Text;

namespace Imr.Domain.Eligibility;

/// <summary>The notice that an application is not eligible for IMR, with each reason.</summary>
public sealed record IneligibilityNotice(string OrganizationName, string CaseNumber, DateOnly ApplicationDate, DateOnly NoticeDate, IReadOnlyList<string> Reasons, string? DuplicateOf);

/// <summary>Renders the ineligibility notice as plain text (the determination letter has its own renderer in Letters/).</summary>
public static class IneligibilityNoticeRenderer
{
    public const string Heading = "NOTICE OF INELIGIBILITY FOR INDEPENDENT MEDICAL REVIEW";

    public static string Subject(string caseNumber) => $"IMR case {caseNumber}: not eligible for Independent Medical Review";

    public static string Render(IneligibilityNotice notice)
    {
        var text = new StringBuilder();
        void Line(string s = "") => text.Append(s).Append('\n');
        Line(Heading);
        Line($"IMR Case Number: {notice.CaseNumber}");
        Line($"Application Received: {Date(notice.ApplicationDate)}");
        Line($"Date of Notice: {Date(notice.NoticeDate)}");
        Line();
        Line($"{notice.OrganizationName} has screened the application for Independent Medical Review and found that it is not eligible for review, for the following reason(s):");
        Line();
        foreach (var reason in notice.Reasons)
        {
            Line($"- {reason}");
        }

        Line();
        if (notice.DuplicateOf is not null)
        {
            Line($"The disputed treatment is already being reviewed or was decided under IMR case {notice.DuplicateOf}.");
            Line();
        }

        Line("This case is closed. No review of medical necessity was performed. (8 CCR 9792.10.1–9792.10.5)");
        return text.ToString();
    }

    private static string Date(DateOnly d) => d.ToString("MM/dd/yyyy", CultureInfo.InvariantCulture);
}
