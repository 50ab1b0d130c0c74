using System.Globalization;
using System.Text;
using Imr.Functions.Services;
using Imr.Functions.Web.Staff;
using static Imr.Functions.Web.Html;

namespace Imr.Functions.Web;

/// <summary>
/// The intake desk: each quarantined package nobody has handled yet, with its reasons and the files kept in the
/// quarantine container, and (role IntakeDesk only) a CSRF-protected form to mark it handled. Every reason and file name
/// came from a package and is HTML-encoded. Plain HTML forms: works without JavaScript.
/// </summary>
public static class IntakeDeskPage
{
    public const string Title = "Intake desk";
    public const string Path = "/api/staff/intake";

    public static string HandledPath(string partition, string rejectionId) => $"{Path}/{Uri.EscapeDataString(partition)}/{Uri.EscapeDataString(rejectionId)}/handled";

    public static string HandledPurpose(string partition, string rejectionId) => $"intake-handled:{partition}/{rejectionId}";

    public static string CorrectionPath(string partition, string rejectionId) => $"{Path}/{Uri.EscapeDataString(partition)}/{Uri.EscapeDataString(rejectionId)}/corrections";

    public static string CorrectionPurpose(string partition, string rejectionId) => $"intake-correction:{partition}/{rejectionId}";

    public static string ReleasePath(string partition, string rejectionId) => $"{Path}/{Uri.EscapeDataString(partition)}/{Uri.EscapeDataString(rejectionId)}/release";

    public static string ReleasePurpose(string partition, string rejectionId) => $"intake-release:{partition}/{rejectionId}";

    /// <summary>The id of a quarantined package's section (the intake desk's mail links to it).</summary>
    public static string PackageAnchor(string rejectionId) => "rejection-" + Uri.EscapeDataString(rejectionId);

    public static string EligibilityPath(string caseNumber) => $"{Path}/cases/{Uri.EscapeDataString(caseNumber)}/eligibility";

    public static string EligibilityPurpose(string caseNumber) => $"eligibility:{caseNumber}";

    /// <param name="notice">The outcome of the last action (role=status), or a refusal (role=alert).</param>
    public static string Body(IntakeDeskView view, StaffSession session, IntakeDeskResult? notice = null)
    {
        var body = new StringBuilder();
        if (notice is not null)
        {
            body.Append(notice.Accepted ? "<div role=\"status\"><p>" : "<div class=\"error-summary\" role=\"alert\"><p class=\"error\">").Append(E(notice.Message)).Append("</p></div>");
        }

        var acts = session.User!.IsIn(StaffRoles.IntakeDesk);
        body.Append("<p>As of ").Append(E(DeadlineText.Pacific(view.GeneratedAt))).Append(". ")
            .Append(view.Handled.ToString(CultureInfo.InvariantCulture)).Append(" earlier package(s) marked handled or released.</p>");
        body.Append("<section aria-labelledby=\"quarantined\"><h2 id=\"quarantined\">Quarantined packages (").Append(view.Open.Count).Append(")</h2>");
        if (view.Open.Count == 0)
        {
            body.Append("<p>No quarantined package is waiting.</p>");
        }
        else
        {
            body.Append("<p>Each package was set aside at intake, its files kept in the quarantine container. Contact the submitter with the reasons. ")
                .Append("Either add the corrected file(s) here and release the package (intake checks it again as a new delivery), or, when the submitter delivers it again, mark it handled.</p>");
        }

        var index = 0;
        foreach (var p in view.Open)
        {
            var id = $"package-{index++}";
            body.Append("<section id=\"").Append(E(PackageAnchor(p.RejectionId))).Append("\" aria-labelledby=\"").Append(id).Append("\"><h3 id=\"").Append(id).Append("\">")
                .Append(p.CaseNumber is null ? "Package with no case number" : "Package for case " + E(p.CaseNumber))
                .Append(" (").Append(E(p.Kind)).Append(")</h3>")
                .Append("<p>Rejected ").Append(E(DeadlineText.Pacific(p.RejectedAt))).Append(" (").Append(E(DeadlineText.Span(view.GeneratedAt - p.RejectedAt))).Append(" ago); rejection ")
                .Append(E(p.RejectionId)).Append(".</p>");
            body.Append("<h4>Reasons</h4><ul>");
            foreach (var r in p.Reasons) body.Append("<li>").Append(E(r)).Append("</li>");
            body.Append("</ul><h4>Files in quarantine</h4>");
            if (p.Files.Count == 0)
            {
                body.Append("<p>No file could be moved yet (the intake sweep retries).</p>");
            }
            else
            {
                body.Append("<ul>");
                foreach (var f in p.Files) body.Append("<li><code>").Append(E(f)).Append("</code></li>");
                body.Append("</ul>");
            }

            Release(body, p, id, session, acts);
            if (acts)
            {
                body.Append("<form method=\"post\" action=\"").Append(E(HandledPath(p.Partition, p.RejectionId))).Append("\">").Append(session.CsrfField(HandledPurpose(p.Partition, p.RejectionId)))
                    .Append("<button type=\"submit\">Mark package ").Append(E(p.RejectionId)).Append(" handled</button></form>");
            }

            body.Append("</section>");
        }

        body.Append("</section>");
        Questions(body, view, session, acts);
        return body.ToString();
    }

    /// <summary>
    /// Release after correction: the corrected files added so far, the last failed release's reason, and (IntakeDesk) a
    /// form to add a corrected file (multipart upload, no JavaScript needed) and one to release the package to intake.
    /// </summary>
    private static void Release(StringBuilder body, QuarantinedPackage p, string id, StaffSession session, bool acts)
    {
        if (p.Corrections.Count > 0)
        {
            body.Append("<h4>Corrected files</h4><ul>");
            foreach (var c in p.Corrections)
            {
                body.Append("<li><code>").Append(E(c.FileName)).Append("</code> (").Append(c.Length.ToString("N0", CultureInfo.InvariantCulture)).Append(" bytes, added ")
                    .Append(E(DeadlineText.Pacific(c.AddedAt))).Append(")</li>");
            }

            body.Append("</ul>");
        }

        if (p.ReleaseProblem is { } problem)
        {
            body.Append("<p class=\"error\">Not released: ").Append(E(problem)).Append("</p>");
        }

        if (!acts) return;
        body.Append("<form method=\"post\" enctype=\"multipart/form-data\" action=\"").Append(E(CorrectionPath(p.Partition, p.RejectionId))).Append("\">")
            .Append(session.CsrfField(CorrectionPurpose(p.Partition, p.RejectionId)))
            .Append("<label for=\"").Append(id).Append("-file\">Corrected file for package ").Append(E(p.RejectionId)).Append("</label>")
            .Append("<p class=\"hint\" id=\"").Append(id).Append("-file-hint\">It replaces the package's file of the same name (e.g. manifest.json); a new name is added. Earlier files are kept.</p>")
            .Append("<input type=\"file\" name=\"file\" required id=\"").Append(id).Append("-file\" aria-describedby=\"").Append(id).Append("-file-hint\">")
            .Append("<button type=\"submit\">Add the corrected file</button></form>");
        if (p.CaseNumber is not null)
        {
            body.Append("<form method=\"post\" action=\"").Append(E(ReleasePath(p.Partition, p.RejectionId))).Append("\">").Append(session.CsrfField(ReleasePurpose(p.Partition, p.RejectionId)))
                .Append("<button type=\"submit\">Release package ").Append(E(p.RejectionId)).Append(" to intake</button></form>");
        }
    }

    /// <summary>Eligibility questions: each deferred case with screening's reasons and (IntakeDesk) a form to decide it.</summary>
    private static void Questions(StringBuilder body, IntakeDeskView view, StaffSession session, bool acts)
    {
        body.Append("<section aria-labelledby=\"eligibility\"><h2 id=\"eligibility\">Eligibility questions awaiting a decision (").Append(view.Questions.Count).Append(")</h2>");
        if (view.Questions.Count == 0) body.Append("<p>No case is waiting for an eligibility decision.</p>");
        var index = 0;
        foreach (var q in view.Questions)
        {
            // The case page links here with #case-{case number}.
            var anchor = "case-" + Uri.EscapeDataString(q.CaseNumber);
            var id = $"question-{index++}";
            body.Append("<section id=\"").Append(E(anchor)).Append("\" aria-labelledby=\"").Append(id).Append("\"><h3 id=\"").Append(id).Append("\">Case ").Append(AtRiskPage.CaseLink(q.CaseNumber)).Append("</h3>")
                .Append("<p>Received ").Append(E(DeadlineText.Pacific(q.ReceivedAt))).Append(".</p><ul>");
            foreach (var r in q.Reasons) body.Append("<li>").Append(E(r)).Append("</li>");
            body.Append("</ul>");
            if (acts)
            {
                body.Append("<form method=\"post\" action=\"").Append(E(EligibilityPath(q.CaseNumber))).Append("\">").Append(session.CsrfField(EligibilityPurpose(q.CaseNumber)))
                    .Append("<fieldset><legend>Decision for case ").Append(E(q.CaseNumber)).Append("</legend>")
                    .Append("<input type=\"radio\" name=\"outcome\" value=\"Eligible\" required id=\"").Append(id).Append("-e\"> <label for=\"").Append(id).Append("-e\" class=\"inline\">Eligible</label> ")
                    .Append("<input type=\"radio\" name=\"outcome\" value=\"Ineligible\" required id=\"").Append(id).Append("-i\"> <label for=\"").Append(id).Append("-i\" class=\"inline\">Ineligible</label></fieldset>")
                    .Append("<label for=\"").Append(id).Append("-reason\">Reason (kept in the audit trail)</label><textarea name=\"reason\" id=\"").Append(id).Append("-reason\" required maxlength=\"2000\" rows=\"3\"></textarea>")
                    .Append("<button type=\"submit\">Resolve eligibility of case ").Append(E(q.CaseNumber)).Append("</button></form>");
            }

            body.Append("</section>");
        }

        body.Append("</section>");
    }
}
