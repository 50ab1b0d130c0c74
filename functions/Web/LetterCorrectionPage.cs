using System.Globalization;
using System.Text;
using Imr.Domain.Cases;
using Imr.Domain.Determinations;
using Imr.Functions.Web.Staff;
using static Imr.Functions.Web.Html;

namespace Imr.Functions.Web;

/// <summary>
/// The intake desk corrects an issued Final Determination Letter: the form holds the current letter's determination
/// (every field prefilled, so staff change only what is wrong), the reason for the correction, and the version it
/// corrects. Posting issues the next version through the correction service (quality check, every party served again).
/// Plain HTML form, CSRF-protected; works without JavaScript; every value from the case is encoded.
/// </summary>
public static class LetterCorrectionPage
{
    public const string ReasonField = "correctionReason";
    public const string BasedOnField = "basedOnVersion";

    public static string Path(string caseNumber) => $"{StaffCasesPage.CaseLink(caseNumber)}/letter-correction";

    public static string Purpose(string caseNumber) => $"letter-correction:{caseNumber}";

    /// <summary>The form's values for a determination: what the letter says now.</summary>
    public static FormState Prefill(Determination determination)
    {
        var form = new FormState();
        form.Values[ReviewerForms.Summary] = determination.ClinicalCaseSummary;
        foreach (var d in determination.Decisions)
        {
            form.Values[ReviewerForms.Outcome(d.ItemId)] = d.Outcome.ToString();
            form.Values[ReviewerForms.CaGuideline(d.ItemId)] = d.ClaimsAdministratorGuideline;
            form.Values[ReviewerForms.Evidence(d.ItemId)] = EvidenceChoices.Levels.First(l => l.Basis == d.Evidence).Value;
            form.Values[ReviewerForms.OrgGuideline(d.ItemId)] = d.OrganizationGuideline;
            form.Values[ReviewerForms.Pages(d.ItemId)] = d.Pages;
            form.Values[ReviewerForms.Rationale(d.ItemId)] = d.Rationale;
        }

        return form;
    }

    public static HtmlPage Render(string caseNumber, int version, CasePackage package, FormState form, StaffSession session, int status = 200)
    {
        var body = new StringBuilder();
        body.Append(ReviewerPages.ErrorSummary(form));
        body.Append("<p>Case ").Append(AtRiskPage.CaseLink(caseNumber)).Append(": the letter issued now is version ").Append(version.ToString(CultureInfo.InvariantCulture))
            .Append(". The form holds what it says; change only what is wrong and say why. The corrected letter is version ").Append((version + 1).ToString(CultureInfo.InvariantCulture))
            .Append(": it passes the same quality check, is served on every party again and says that it replaces version ").Append(version.ToString(CultureInfo.InvariantCulture)).Append(". Earlier versions stay as they were issued.</p>");
        body.Append("<form method=\"post\" action=\"").Append(E(Path(caseNumber))).Append("\" novalidate>").Append(session.CsrfField(Purpose(caseNumber)))
            .Append(ReviewerPages.Hidden(BasedOnField, version.ToString(CultureInfo.InvariantCulture)))
            .Append(ReviewerPages.TextArea(form, ReasonField, "Reason for the correction", 3, "Printed on the corrected letter and kept in the audit trail, e.g. \"The MTUS page numbers were wrong.\""))
            .Append("<h2>Determination</h2>")
            .Append(ReviewerPages.DeterminationFields(form, package))
            .Append("<button type=\"submit\">Issue the corrected letter (version ").Append((version + 1).ToString(CultureInfo.InvariantCulture)).Append(")</button></form>");
        return session.Page($"Correct the letter of case {caseNumber}", body.ToString(), StaffSections.IntakeDesk, status, hasErrors: !form.IsValid);
    }
}
