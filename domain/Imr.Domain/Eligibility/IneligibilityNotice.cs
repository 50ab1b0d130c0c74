using System.Globalization;

namespace Imr.Domain.Eligibility;

/// <summary>The notice that an application is not eligible for IMR, with each reason.</summary>
public sealed record IneligibilityNotice(string OrganizationName, string CaseNumber, DateOnly ApplicationDate, DateOnly NoticeDate, IReadOnlyList<string> Reasons, string? DuplicateOf)
{
    /// <summary>The review program (a <see cref="Cases.ReviewProgram"/> name): it selects the wording and the appeal rights.</summary>
    public string Program { get; init; } = nameof(Cases.ReviewProgram.CaliforniaWorkersCompensation);
    /// <summary>The role this copy is addressed to ("" for a copy not addressed to one party).</summary>
    public string Addressee { get; init; } = "";
    public string? ClaimNumber { get; init; }
    /// <summary>The IMR organization's postal address, one line per entry.</summary>
    public IReadOnlyList<string> OrganizationAddress { get; init; } = [];
}

/// <summary>Renders the ineligibility notice as plain text from its program's template (the letter has its own renderer in Letters/).</summary>
public static class IneligibilityNoticeRenderer
{
    public const string Heading = "NOTICE OF INELIGIBILITY FOR INDEPENDENT MEDICAL REVIEW";

    public static string Subject(string caseNumber) => $"IMR case {caseNumber}: not eligible for Independent Medical Review";

    public static string Render(IneligibilityNotice notice, Letters.WordingTemplates? wording = null)
    {
        var values = NoticeLayout.CommonValues(Heading, notice.OrganizationName, notice.OrganizationAddress, notice.CaseNumber, notice.ClaimNumber, notice.NoticeDate, notice.Addressee);
        values["applicationReceived"] = Date(notice.ApplicationDate);
        values["reasons"] = notice.Reasons.ToList();
        values["duplicateOf"] = notice.DuplicateOf;
        return NoticeLayout.Lines((wording ?? Letters.WordingTemplates.Shipped).Render(notice.Program, Letters.TemplateNames.IneligibilityNotice, values));
    }

    private static string Date(DateOnly d) => d.ToString("MM/dd/yyyy", CultureInfo.InvariantCulture);
}
