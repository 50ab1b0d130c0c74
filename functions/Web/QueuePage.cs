using System.Globalization;
using System.Text;
using Imr.Domain.Reviewers;
using Imr.Functions.Services;
using Imr.Functions.Web.Staff;
using static Imr.Functions.Web.Html;

namespace Imr.Functions.Web;

/// <summary>
/// The medical director's work queue: each case awaiting a manual assignment with every candidate, the matcher's verdict
/// and why, and one form (a radio per reviewer who may be assigned by hand, CSRF-protected) to assign; then the overdue
/// cases. Plain HTML forms: works without JavaScript.
/// </summary>
public static class QueuePage
{
    public const string Title = "Work queue";
    public const string Path = "/api/staff/queue";

    public static string AssignPath(string caseNumber) => $"{Path}/{Uri.EscapeDataString(caseNumber)}/assign";

    public static string AssignPurpose(string caseNumber) => $"assign:{caseNumber}";

    /// <summary>The id of a case's section on the queue (mails and the case page link to it).</summary>
    public static string Anchor(string caseNumber) => "case-" + Uri.EscapeDataString(caseNumber);

    /// <param name="notice">The outcome of the last assignment (role=status), or a refusal with its reasons (role=alert).</param>
    public static string Body(WorkQueueView view, StaffSession session, QueueAssignResult? notice = null, string? noticeCase = null)
    {
        var body = new StringBuilder();
        if (notice is not null)
        {
            body.Append(notice.Accepted ? "<div role=\"status\"><p>" : "<div class=\"error-summary\" role=\"alert\"><p class=\"error\">").Append(E(notice.Message)).Append("</p>");
            if (notice.Reasons.Count > 0)
            {
                body.Append("<ul>");
                foreach (var r in notice.Reasons) body.Append("<li>").Append(E(r)).Append("</li>");
                body.Append("</ul>");
            }

            body.Append("</div>");
        }

        body.Append("<p>As of ").Append(E(DeadlineText.Pacific(view.GeneratedAt))).Append(".</p>");
        body.Append("<section aria-labelledby=\"awaiting\"><h2 id=\"awaiting\">Cases awaiting a manual assignment (").Append(view.AwaitingAssignment.Count).Append(")</h2>");
        if (view.AwaitingAssignment.Count == 0) body.Append("<p>No case is waiting for you.</p>");
        var index = 0;
        foreach (var c in view.AwaitingAssignment)
        {
            var id = $"awaiting-{index++}";
            body.Append("<section id=\"").Append(E(Anchor(c.CaseNumber))).Append("\" aria-labelledby=\"").Append(id).Append("\"><h3 id=\"").Append(id).Append("\">Case ").Append(AtRiskPage.CaseLink(c.CaseNumber)).Append("</h3>")
                .Append("<p>Due ").Append(E(DeadlineText.Pacific(c.CaseDueAt))).Append(" (").Append(E(DeadlineText.TimeLeft(c.CaseDueAt - view.GeneratedAt))).Append(')')
                .Append(c.Expedited ? "; expedited" : "").Append("; manual assignment round ").Append(c.Round).Append(".</p>");
            var assignable = c.Candidates.Where(x => x.Assignable).ToList();
            if (assignable.Count > 0 && session.User!.IsIn(StaffRoles.MedicalDirector))
            {
                body.Append("<form method=\"post\" action=\"").Append(E(AssignPath(c.CaseNumber))).Append("\">").Append(session.CsrfField(AssignPurpose(c.CaseNumber)));
            }

            body.Append("<table><caption>Candidates for case ").Append(E(c.CaseNumber)).Append("</caption><thead><tr><th scope=\"col\">Reviewer</th><th scope=\"col\">Matcher's verdict</th><th scope=\"col\">Why</th><th scope=\"col\">Open cases</th><th scope=\"col\">By hand</th></tr></thead><tbody>");
            var n = 0;
            foreach (var x in c.Candidates)
            {
                var radio = $"{id}-r{n++}";
                body.Append("<tr><td>");
                if (x.Assignable && session.User!.IsIn(StaffRoles.MedicalDirector))
                {
                    body.Append("<input type=\"radio\" name=\"reviewerId\" required id=\"").Append(radio).Append("\" value=\"").Append(E(x.ReviewerId)).Append("\"> <label for=\"").Append(radio).Append("\" class=\"inline\">")
                        .Append(E(x.Name)).Append(" (").Append(E(x.ReviewerId)).Append(")</label>");
                }
                else
                {
                    body.Append(E(x.Name)).Append(" (").Append(E(x.ReviewerId)).Append(')');
                }

                body.Append("</td><td>").Append(E(Verdict(x.Verdict))).Append("</td><td>").Append(E(x.Reason)).Append("</td><td>").Append(x.OpenAssignments.ToString(CultureInfo.InvariantCulture))
                    .Append("</td><td>").Append(E(x.Assignable ? "May be assigned" : "Cannot be assigned: " + string.Join("; ", x.Blocking))).Append("</td></tr>");
            }

            body.Append("</tbody></table>");
            if (assignable.Count > 0 && session.User!.IsIn(StaffRoles.MedicalDirector))
            {
                body.Append("<button type=\"submit\">Assign case ").Append(E(c.CaseNumber)).Append(" to the chosen reviewer</button></form>");
            }
            else if (assignable.Count == 0)
            {
                body.Append("<p>No reviewer on the roster may review this case. Add or correct a reviewer on the roster, then reload this page.</p>");
            }

            body.Append("</section>");
        }

        body.Append("</section><section aria-labelledby=\"overdue\"><h2 id=\"overdue\">Overdue cases (").Append(view.Overdue.Count).Append(")</h2>");
        if (view.Overdue.Count == 0)
        {
            body.Append("<p>No case is overdue.</p>");
        }
        else
        {
            body.Append("<p>The reviewer missed the due date. Contact the reviewer; when the workflow opens a new assignment round the case appears above.</p>")
                .Append("<table><thead><tr><th scope=\"col\">Case</th><th scope=\"col\">Was due</th><th scope=\"col\">Overdue by</th><th scope=\"col\">Reviewer</th></tr></thead><tbody>");
            foreach (var o in view.Overdue)
            {
                body.Append("<tr id=\"").Append(E(Anchor(o.CaseNumber))).Append("\"><td>").Append(AtRiskPage.CaseLink(o.CaseNumber)).Append("</td><td>").Append(E(DeadlineText.Pacific(o.CaseDueAt))).Append("</td><td>")
                    .Append(E(DeadlineText.Span(view.GeneratedAt - o.CaseDueAt))).Append("</td><td>").Append(E(o.ReviewerId ?? "none")).Append("</td></tr>");
            }

            body.Append("</tbody></table>");
        }

        return body.Append("</section>").ToString();
    }

    private static string Verdict(MatchVerdict v) => v switch
    {
        MatchVerdict.Eligible => "Eligible",
        MatchVerdict.PossibleConflict => "Held back: possible conflict of interest",
        _ => "Not eligible",
    };
}
