using Imr.Domain.Eligibility;
using Imr.Domain.Letters;

namespace Imr.Domain.Programs;

/// <summary>
/// The notice that a review ended without a determination because the disputed treatment was authorised
/// (8 CCR 9792.10.6(a) for workers' compensation; the health plan's or issuer's reversal for the other programs).
/// Served on the parties of the letter; its wording is the program's <c>review-ended</c> template.
/// </summary>
public sealed record ReviewEndedNotice(string OrganizationName, string CaseNumber, DateOnly NoticeDate, IReadOnlyList<string> AuthorisedItems)
{
    /// <summary>The review program (a <see cref="Cases.ReviewProgram"/> name): it selects the wording.</summary>
    public string Program { get; init; } = nameof(Cases.ReviewProgram.CaliforniaWorkersCompensation);
    /// <summary>The role this copy is addressed to ("" for a copy not addressed to one party).</summary>
    public string Addressee { get; init; } = "";
    public string? ClaimNumber { get; init; }
    /// <summary>The IMR organization's postal address, one line per entry.</summary>
    public IReadOnlyList<string> OrganizationAddress { get; init; } = [];
}

/// <summary>Renders the review-ended notice as plain text from its program's template.</summary>
public static class ReviewEndedNoticeRenderer
{
    public const string Heading = "NOTICE THAT THE INDEPENDENT MEDICAL REVIEW HAS ENDED";

    public static string Subject(string caseNumber) => $"IMR case {caseNumber}: review ended, treatment authorised";

    public static string Render(ReviewEndedNotice notice, WordingTemplates? wording = null)
    {
        var values = NoticeLayout.CommonValues(Heading, notice.OrganizationName, notice.OrganizationAddress, notice.CaseNumber, notice.ClaimNumber, notice.NoticeDate, notice.Addressee);
        values["items"] = notice.AuthorisedItems.ToList();
        return NoticeLayout.Lines((wording ?? WordingTemplates.Shipped).Render(notice.Program, TemplateNames.ReviewEnded, values));
    }
}

/// <summary>
/// The notice to the parties that a regular review became expedited (8 CCR 9792.10.4(c): the organization notifies the
/// parties immediately), with the new due date. Its wording is the program's <c>review-expedited</c> template.
/// </summary>
public sealed record ReviewExpeditedNotice(string OrganizationName, string CaseNumber, DateOnly NoticeDate, DateTimeOffset DecisionDueAt)
{
    public string Program { get; init; } = nameof(Cases.ReviewProgram.CaliforniaWorkersCompensation);
    public string Addressee { get; init; } = "";
    public string? ClaimNumber { get; init; }
    public IReadOnlyList<string> OrganizationAddress { get; init; } = [];
}

/// <summary>Renders the review-expedited notice as plain text from its program's template.</summary>
public static class ReviewExpeditedNoticeRenderer
{
    public const string Heading = "NOTICE THAT THE REVIEW IS NOW EXPEDITED";

    public static string Subject(string caseNumber) => $"IMR case {caseNumber}: converted to an expedited review";

    public static string Render(ReviewExpeditedNotice notice, WordingTemplates? wording = null)
    {
        var values = NoticeLayout.CommonValues(Heading, notice.OrganizationName, notice.OrganizationAddress, notice.CaseNumber, notice.ClaimNumber, notice.NoticeDate, notice.Addressee);
        values["decisionDue"] = ReviewerNotices.InZone(notice.DecisionDueAt, Deadlines.ReviewCalendar.CaliforniaTimeZoneId);
        return NoticeLayout.Lines((wording ?? WordingTemplates.Shipped).Render(notice.Program, TemplateNames.ReviewExpedited, values));
    }
}
