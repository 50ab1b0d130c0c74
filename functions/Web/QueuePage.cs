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

    /// <summary>The reassignment form's address names the assignment it replaces (and so does its CSRF purpose).</summary>
    public static string ReassignPath(string caseNumber, string assignmentId) => $"{Path}/{Uri.EscapeDataString(caseNumber)}/reassign/{Uri.EscapeDataString(assignmentId)}";

    /// <summary>The CSRF purpose names the assignment replaced: a form for an earlier assignment cannot reassign a later one.</summary>
    public static string ReassignPurpose(string caseNumber, string assignmentId) => $"reassign:{caseNumber}/{assignmentId}";

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

            Candidates(body, c.CaseNumber, id, c.Candidates, assignable.Count > 0 && session.User!.IsIn(StaffRoles.MedicalDirector));
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

        body.Append("</section>");
        Overdue(body, view, session);
        return body.ToString();
    }

    /// <summary>
    /// Overdue cases, each with its late reviewer and (MedicalDirector, a workflow that takes it) a form to reassign the
    /// case to another reviewer: a radio per reviewer who may be assigned by hand, the matcher's verdicts beside them.
    /// </summary>
    private static void Overdue(StringBuilder body, WorkQueueView view, StaffSession session)
    {
        body.Append("<section aria-labelledby=\"overdue\"><h2 id=\"overdue\">Overdue cases (").Append(view.Overdue.Count).Append(")</h2>");
        if (view.Overdue.Count == 0)
        {
            body.Append("<p>No case is overdue.</p></section>");
            return;
        }

        body.Append("<p>The reviewer missed the case's due date; the review goes on, a late determination is still valid. ")
            .Append("To give the case to another reviewer, choose one: the late reviewer's assignment is withdrawn and the new reviewer has the case at once, without an offer to accept.</p>");
        var director = session.User!.IsIn(StaffRoles.MedicalDirector);
        var index = 0;
        foreach (var o in view.Overdue)
        {
            var id = $"overdue-{index++}";
            body.Append("<section id=\"").Append(E(Anchor(o.CaseNumber))).Append("\" aria-labelledby=\"").Append(id).Append("\"><h3 id=\"").Append(id).Append("\">Case ").Append(AtRiskPage.CaseLink(o.CaseNumber)).Append("</h3>")
                .Append("<p>Was due ").Append(E(DeadlineText.Pacific(o.CaseDueAt))).Append(", overdue by ").Append(E(DeadlineText.Span(view.GeneratedAt - o.CaseDueAt)))
                .Append("; reviewer ").Append(E(o.ReviewerId ?? "none")).Append(o.AssignmentId is null ? "" : " (assignment " + E(o.AssignmentId) + ")").Append(".</p>");
            if (!o.Reassignable)
            {
                body.Append("<p>This case's workflow started before reassignment from the console (or has no current assignment): it cannot be reassigned here.</p></section>");
                continue;
            }

            var assignable = o.Candidates.Where(x => x.Assignable).ToList();
            var form = director && assignable.Count > 0;
            if (form)
            {
                body.Append("<form method=\"post\" action=\"").Append(E(ReassignPath(o.CaseNumber, o.AssignmentId!))).Append("\">").Append(session.CsrfField(ReassignPurpose(o.CaseNumber, o.AssignmentId!)));
            }

            Candidates(body, o.CaseNumber, id, o.Candidates, form);
            if (form)
            {
                body.Append("<button type=\"submit\">Reassign case ").Append(E(o.CaseNumber)).Append(" to the chosen reviewer</button></form>");
            }
            else if (assignable.Count == 0)
            {
                body.Append("<p>No other reviewer on the roster may review this case.</p>");
            }

            body.Append("</section>");
        }

        body.Append("</section>");
    }

    private static void Candidates(StringBuilder body, string caseNumber, string id, IReadOnlyList<QueueCandidate> candidates, bool radios)
    {
        body.Append("<table><caption>Candidates for case ").Append(E(caseNumber)).Append("</caption><thead><tr><th scope=\"col\">Reviewer</th><th scope=\"col\">Matcher's verdict</th><th scope=\"col\">Why</th><th scope=\"col\">Open cases</th><th scope=\"col\">By hand</th></tr></thead><tbody>");
        var n = 0;
        foreach (var x in candidates)
        {
            var radio = $"{id}-r{n++}";
            body.Append("<tr><td>");
            if (x.Assignable && radios)
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
    }

    private static string Verdict(MatchVerdict v) => v switch
    {
        MatchVerdict.Eligible => "Eligible",
        MatchVerdict.PossibleConflict => "Held back: possible conflict of interest",
        _ => "Not eligible",
    };
}
