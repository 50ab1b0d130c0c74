using System.Text;
using Imr.Functions.Services;
using Imr.Functions.Web.Staff;
using Imr.Functions.Workflow;
using static Imr.Functions.Web.Html;

namespace Imr.Functions.Web;

/// <summary>
/// The case page's review-change block: the ended state when the treatment was authorised, and for the intake desk and
/// the medical director two CSRF-protected forms, "convert to expedited" (8 CCR 9792.10.4(c)) and "treatment authorised"
/// (8 CCR 9792.10.6(a)), shown only while the case is under review. Works without JavaScript.
/// </summary>
public static class ReviewChangeForms
{
    /// <summary>The words the case page shows for a review that ended on authorisation.</summary>
    public const string EndedWords = "Ended — treatment authorised";

    private static readonly string[] UnderReview = ["AwaitingAcceptance", "InReview", "Overdue", "AwaitingManualAssignment"];

    public static string ExpeditePurpose(string caseNumber) => $"review-change-expedite:{caseNumber}";

    public static string AuthorisedPurpose(string caseNumber) => $"review-change-authorised:{caseNumber}";

    public static string ExpeditePath(string caseNumber) => $"/api/staff/cases/{Uri.EscapeDataString(caseNumber)}/expedite";

    public static string AuthorisedPath(string caseNumber) => $"/api/staff/cases/{Uri.EscapeDataString(caseNumber)}/authorised";

    /// <summary>The block for the case page (empty when there is nothing to show to this user in this state).</summary>
    public static string Render(StaffCaseView view, StaffSession session)
    {
        var s = view.Page.Status;
        var body = new StringBuilder();
        if (s.EndedReason == ReviewChangeKinds.TreatmentAuthorised)
        {
            body.Append("<section aria-labelledby=\"review-change\"><h2 id=\"review-change\">Review ended</h2><p role=\"status\">")
                .Append(E(EndedWords)).Append(": the claims administrator authorised every disputed item, so the review ended without a determination (8 CCR 9792.10.6(a)). No letter is issued.</p></section>");
            return body.ToString();
        }

        var user = session.User!;
        if (!UnderReview.Contains(s.Status) || !(user.IsIn(StaffRoles.IntakeDesk) || user.IsIn(StaffRoles.MedicalDirector)))
        {
            return "";
        }

        body.Append("<section aria-labelledby=\"review-change\"><h2 id=\"review-change\">Change the review</h2>");
        if (!s.Expedited)
        {
            body.Append("<form method=\"post\" action=\"").Append(E(ExpeditePath(s.CaseNumber))).Append("\">").Append(session.CsrfField(ExpeditePurpose(s.CaseNumber)))
                .Append("<p>The worker's condition is an imminent and serious threat to health: the review becomes expedited and its deadlines are counted again from now, never later than before (8 CCR 9792.10.4(c)). The reviewer is told.</p>")
                .Append("<button type=\"submit\">Convert to expedited</button></form>");
        }
        else
        {
            body.Append("<p>This is an expedited review.</p>");
        }

        body.Append("<form method=\"post\" action=\"").Append(E(AuthorisedPath(s.CaseNumber))).Append("\">").Append(session.CsrfField(AuthorisedPurpose(s.CaseNumber)))
            .Append("<p>The claims administrator authorised every disputed item: the review ends without a determination, the reviewer's assignment is withdrawn and every party is told (8 CCR 9792.10.6(a)).</p>")
            .Append("<button type=\"submit\">Record: treatment authorised, end the review</button></form></section>");
        return body.ToString();
    }

    /// <summary>The page a refused staff request shows: why, and the way back to the case.</summary>
    public static string Refused(string caseNumber, string message) =>
        $"<p class=\"error\" role=\"alert\">{E(message)}</p><p><a href=\"/api/staff/cases/{E(Uri.EscapeDataString(caseNumber))}\">Back to case {E(caseNumber)}</a></p>";
}
