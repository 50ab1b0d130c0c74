using System.Globalization;
using System.Text;
using Imr.Functions.Services;
using Imr.Functions.Web.Staff;
using static Imr.Functions.Web.Html;

namespace Imr.Functions.Web;

/// <summary>
/// The staff case page: status, parties, disputed items with their decisions in words, deadlines in Pacific time with
/// time left, the assignment history with the matcher's verdict on every candidate (reviewer ids, never names), the audit
/// trail, short-lived read-only links to the documents, letters and notices, the actions the user's role allows in the
/// case's state, and every issued version of the Final Determination Letter. Every value is encoded; the letters are
/// the stored renderings (encoded when rendered, checked against their recorded SHA-256 here).
/// </summary>
public static class CaseStatusPage
{
    public static HtmlPage Render(StaffCaseView view, StaffSession session)
    {
        var page = view.Page;
        var s = page.Status;
        var body = new StringBuilder();

        Actions(body, view, session.User!);
        Retry(body, view, session);
        body.Append(ReviewChangeForms.Render(view, session));

        body.Append("<section aria-labelledby=\"status\"><h2 id=\"status\">Status</h2><dl>");
        Field(body, "Status", StaffFormat.Words(s.Status));
        Field(body, "Overdue", s.Overdue ? "Yes" : "No");
        if (view.Package is { } p)
        {
            Field(body, "Program", StaffFormat.Words(p.Program.ToString()));
            Field(body, "Expedited", p.Expedited ? "Yes" : "No");
        }

        if (s.Attention is { } attention)
        {
            body.Append("<dt>Needs attention</dt><dd role=\"alert\">").Append(E(attention.Reason)).Append("</dd>");
            if (attention.Since is { } since) TimeField(body, "Needs attention since", since);
        }

        if (s.Intake is { } intake)
        {
            Field(body, "Intake stage", StaffFormat.Words(intake.Stage));
            if (intake.Eligibility is not null) Field(body, "Eligibility", intake.Eligibility);
            if (intake.EligibilityReasons.Count > 0) Field(body, "Eligibility reasons", string.Join("; ", intake.EligibilityReasons));
            if (intake.MissingDocuments is not null) Field(body, "Missing documents", intake.MissingDocuments);
            if (intake.DuplicateOf is not null) Field(body, "Duplicate of", intake.DuplicateOf);
            if (intake.CombinedWith is not null) Field(body, "Combined with", intake.CombinedWith);
        }

        body.Append("</dl></section>");

        if (view.Package is { } package)
        {
            body.Append("<section aria-labelledby=\"parties\"><h2 id=\"parties\">Parties</h2><dl>");
            Field(body, "Injured worker", package.Worker.Name);
            Field(body, "Employer", package.Employer);
            Field(body, "Claims administrator", package.ClaimsAdministrator);
            Field(body, "Requesting physician", package.RequestingPhysician.Name);
            if (!string.IsNullOrEmpty(package.EmployeeAttorney)) Field(body, "Employee's attorney", package.EmployeeAttorney);
            Field(body, "Utilization review", package.UtilizationReview.ReferenceNumber ?? "");
            body.Append("</dl></section>");

            body.Append("<section aria-labelledby=\"items\"><h2 id=\"items\">Disputed items</h2><table><caption class=\"visually-hidden\">Disputed items and decisions</caption><thead><tr><th scope=\"col\">Item</th><th scope=\"col\">Treatment</th><th scope=\"col\">Category</th><th scope=\"col\">Decision</th></tr></thead><tbody>");
            foreach (var item in package.DisputedItems)
            {
                body.Append("<tr><td>").Append(E(item.ItemId)).Append("</td><td>").Append(E(item.Description)).Append("</td><td>").Append(E(StaffFormat.Words(item.Category)))
                    .Append("</td><td>").Append(E(StaffFormat.Decision(view.Outcomes.GetValueOrDefault(item.ItemId)))).Append("</td></tr>");
            }

            body.Append("</tbody></table></section>");
        }

        body.Append("<section aria-labelledby=\"deadlines\"><h2 id=\"deadlines\">Deadlines (Pacific time)</h2>");
        if (s.Deadlines is { } d)
        {
            var closed = s.Status == "Closed";
            body.Append("<dl>");
            TimeField(body, "Received", d.ReceivedAt);
            TimeField(body, "Reviewer due", d.ReviewerDueAt);
            if (!closed) Field(body, "Reviewer time left", StaffFormat.TimeLeft(d.ReviewerDueAt - view.Now));
            TimeField(body, "Case due", d.CaseDueAt);
            if (!closed) Field(body, "Case time left", StaffFormat.TimeLeft(d.CaseDueAt - view.Now));
            body.Append("</dl>");
        }
        else if (s.Intake?.RecordsDueAt is { } recordsDue)
        {
            body.Append("<dl>");
            TimeField(body, "Medical records due", recordsDue);
            Field(body, "Records time left", StaffFormat.TimeLeft(recordsDue - view.Now));
            body.Append("</dl>");
        }
        else
        {
            body.Append("<p>No review clock yet.</p>");
        }

        body.Append("</section>");

        body.Append("<section aria-labelledby=\"assignment\"><h2 id=\"assignment\">Assignments</h2>");
        if (view.Assignments.Count == 0)
        {
            body.Append("<p>No reviewer assigned.</p>");
        }

        foreach (var a in view.Assignments)
        {
            var id = "assignment-" + a.AssignmentId;
            body.Append("<section aria-labelledby=\"").Append(E(id)).Append("\"><h3 id=\"").Append(E(id)).Append("\">Round ").Append(a.Round.ToString(CultureInfo.InvariantCulture))
                .Append(": reviewer ").Append(E(a.ReviewerId)).Append("</h3><dl>");
            Field(body, "Assignment", a.AssignmentId);
            Field(body, "Reviewer id", a.ReviewerId);
            Field(body, "Assignment status", StaffFormat.Words(a.Status));
            TimeField(body, "Offered", a.OfferedAt);
            if (a.AcceptedAt is { } accepted) TimeField(body, "Accepted", accepted);
            if (a.AssignedBy is not null) Field(body, "Assigned by", a.AssignedBy);
            if (a.DeclineReason is not null) Field(body, "Decline reason", a.DeclineReason);
            if (a.EndedReason is not null) Field(body, "Ended", a.EndedReason);
            body.Append("</dl>");
            if (a.Verdicts.Count > 0)
            {
                body.Append("<table><caption>Matching verdicts, round ").Append(a.Round.ToString(CultureInfo.InvariantCulture)).Append("</caption><thead><tr><th scope=\"col\">Reviewer id</th><th scope=\"col\">Verdict</th><th scope=\"col\">Why</th><th scope=\"col\">Open assignments</th></tr></thead><tbody>");
                foreach (var v in a.Verdicts)
                {
                    body.Append("<tr><td>").Append(E(v.ReviewerId)).Append("</td><td>").Append(E(v.ReviewerId == a.ReviewerId ? "Chosen" : StaffFormat.Words(v.Verdict.ToString())))
                        .Append("</td><td>").Append(E(v.Reason)).Append("</td><td>").Append(v.OpenAssignments.ToString(CultureInfo.InvariantCulture)).Append("</td></tr>");
                }

                body.Append("</tbody></table>");
            }

            body.Append("</section>");
        }

        body.Append("</section>");

        body.Append("<section aria-labelledby=\"files\"><h2 id=\"files\">Documents, letters and notices</h2>");
        if (view.Links.Count == 0)
        {
            body.Append("<p>None yet.</p>");
        }
        else
        {
            body.Append("<p>Read-only links, valid for ").Append(view.LinkLifetime.TotalMinutes.ToString(CultureInfo.InvariantCulture)).Append(" minutes; reload the page for new ones. Mails to reviewers are not linked: they carry the reviewer's own link.</p>");
            foreach (var group in view.Links.GroupBy(l => l.Kind))
            {
                body.Append("<h3>").Append(E(group.Key + "s")).Append("</h3><ul>");
                foreach (var l in group)
                {
                    body.Append("<li><a href=\"").Append(E(l.Link.ToString())).Append("\" rel=\"noreferrer\">").Append(E(l.Name)).Append("</a></li>");
                }

                body.Append("</ul>");
            }
        }

        body.Append("</section>");

        body.Append("<section aria-labelledby=\"audit\"><h2 id=\"audit\">Audit trail</h2>");
        if (page.Audit.Count == 0)
        {
            body.Append("<p>No entries.</p>");
        }
        else
        {
            body.Append("<table><caption class=\"visually-hidden\">Audit trail, oldest first</caption><thead><tr><th scope=\"col\">When (Pacific)</th><th scope=\"col\">Event</th><th scope=\"col\">Detail</th></tr></thead><tbody>");
            foreach (var e in page.Audit)
            {
                body.Append("<tr><td>").Append(StaffFormat.Time(e.At)).Append("</td><td>").Append(E(e.Event)).Append("</td><td>").Append(E(e.Detail)).Append("</td></tr>");
            }

            body.Append("</tbody></table>");
        }

        body.Append("</section>");

        body.Append("<section aria-labelledby=\"letters\"><h2 id=\"letters\">Final Determination Letter</h2>");
        if (page.Letters.Count == 0)
        {
            body.Append("<p>No letter issued yet.</p>");
        }

        if (page.Letters.Count > 1)
        {
            body.Append("<p>").Append(page.Letters.Count.ToString(CultureInfo.InvariantCulture)).Append(" versions; the latest is first. Earlier versions are kept as issued.</p>");
        }

        foreach (var letter in page.Letters.OrderByDescending(l => l.Version))
        {
            var id = $"letter-v{letter.Version}";
            body.Append("<section class=\"letter-version\" aria-labelledby=\"").Append(id).Append("\"><h3 id=\"").Append(id).Append("\">Version ")
                .Append(letter.Version.ToString(CultureInfo.InvariantCulture)).Append(letter.CorrectionReason is null ? "" : " (correction)").Append("</h3><dl>");
            TimeField(body, "Issued", letter.IssuedAt);
            if (letter.CorrectionReason is not null) Field(body, "Correction reason", letter.CorrectionReason);
            Field(body, "Outcomes", string.Join("; ", letter.Outcomes.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(o => o.Split('=', 2) is [var item, var outcome] ? $"{item}: {StaffFormat.Decision(outcome)}" : o)));
            Field(body, "PDF", letter.PdfBlobName);
            Field(body, "PDF SHA-256", letter.PdfSha256);
            body.Append("</dl>");
            body.Append(letter.Html is null
                ? $"<p class=\"error\" role=\"alert\">The stored HTML rendering {E(letter.HtmlBlobName)} is missing or does not match the SHA-256 recorded at issuance.</p>"
                : $"<div class=\"letter\">{UnderHeadingLevel3(letter.Html)}</div>");
            body.Append("</section>");
        }

        body.Append("</section>");
        return session.Page($"Case {s.CaseNumber}", body.ToString(), StaffSections.Cases);
    }

    /// <summary>What the user may do with this case now: links to the console page that does it, by role and state.</summary>
    private static void Actions(StringBuilder body, StaffCaseView view, StaffUser user)
    {
        var s = view.Page.Status;
        var anchor = Uri.EscapeDataString(s.CaseNumber);
        var actions = new List<string>();
        if (user.IsIn(StaffRoles.MedicalDirector) && s.Status is "AwaitingManualAssignment" or "Overdue")
        {
            actions.Add($"<a href=\"{QueuePage.Path}#{E(QueuePage.Anchor(s.CaseNumber))}\">{(s.Status == "Overdue" ? "Reassign the case" : "Assign a reviewer")} (work queue)</a>");
        }

        if (user.IsIn(StaffRoles.IntakeDesk) && s.Intake is { Stage: Storage.IntakeStages.Deferred })
        {
            actions.Add($"<a href=\"/api/staff/intake#case-{E(anchor)}\">Resolve eligibility (intake desk)</a>");
        }

        if (user.IsIn(StaffRoles.IntakeDesk) && view.Page.Letters.Count > 0)
        {
            actions.Add($"<a href=\"{E(LetterCorrectionPage.Path(s.CaseNumber))}\">Correct the letter (intake desk)</a>");
        }

        body.Append("<section aria-labelledby=\"actions\"><h2 id=\"actions\">Actions</h2>");
        body.Append(actions.Count == 0
            ? "<p>No action is open to your role" + (user.Roles.Count > 0 ? " (" + E(string.Join(", ", user.Roles.Order(StringComparer.Ordinal))) + ")" : "") + " in this state.</p>"
            : "<ul class=\"actions\">" + string.Concat(actions.Select(a => $"<li>{a}</li>")) + "</ul>");
        body.Append("</section>");
    }

    public static string RetryPath(string caseNumber) => $"{StaffCasesPage.CaseLink(caseNumber)}/retry";

    public static string RetryPurpose(string caseNumber) => $"retry:{caseNumber}";

    /// <summary>
    /// A case that needs attention (its "needs attention" mail links here): the medical director retries it once the
    /// cause is corrected; the workflow restarts at its stored step (the sweep's restart, as the keyed retry route).
    /// </summary>
    private static void Retry(StringBuilder body, StaffCaseView view, StaffSession session)
    {
        var s = view.Page.Status;
        if (s.Status != "NeedsAttention" || !session.User!.IsIn(StaffRoles.MedicalDirector)) return;
        body.Append("<form method=\"post\" action=\"").Append(E(RetryPath(s.CaseNumber))).Append("\">").Append(session.CsrfField(RetryPurpose(s.CaseNumber)))
            .Append("<p class=\"hint\">When the cause below is corrected: the case's workflow starts again at its stored step.</p>")
            .Append("<button type=\"submit\">Retry case ").Append(E(s.CaseNumber)).Append("</button></form>");
    }

    public static HtmlPage NotFound(string caseNumber) => Message("Case not found", $"No case {caseNumber}.", 404);

    /// <summary>
    /// The letter fragment's headings (h1 title, h2 sections, h3 items) moved below the version's h3, so the page keeps
    /// one h1 and an outline without gaps; and its header fields, rendered as a definition list of values only (which
    /// assistive technology reads as a broken list), shown as lines. The fragment's text is encoded, so these tags can
    /// only be the renderer's. Display only: the stored rendering and its recorded hash stay as issued.
    /// </summary>
    public static string UnderHeadingLevel3(string letterHtml) => HeaderAsLines(letterHtml
        .Replace("<h3>", "<h6>", StringComparison.Ordinal).Replace("</h3>", "</h6>", StringComparison.Ordinal)
        .Replace("<h2>", "<h5>", StringComparison.Ordinal).Replace("</h2>", "</h5>", StringComparison.Ordinal)
        .Replace("<h1>", "<h4>", StringComparison.Ordinal).Replace("</h1>", "</h4>", StringComparison.Ordinal));

    private static string HeaderAsLines(string html)
    {
        const string open = "<dl class=\"letter-header\">";
        var start = html.IndexOf(open, StringComparison.Ordinal);
        var end = start < 0 ? -1 : html.IndexOf("</dl>", start, StringComparison.Ordinal);
        if (end < 0) return html;
        var fields = html[(start + open.Length)..end].Replace("<dd>", "<p>", StringComparison.Ordinal).Replace("</dd>", "</p>", StringComparison.Ordinal);
        return html[..start] + "<div class=\"letter-header\">" + fields + "</div>" + html[(end + "</dl>".Length)..];
    }

    private static void Field(StringBuilder body, string name, string value) =>
        body.Append("<dt>").Append(E(name)).Append("</dt><dd>").Append(E(value)).Append("</dd>");

    private static void TimeField(StringBuilder body, string name, DateTimeOffset at) =>
        body.Append("<dt>").Append(E(name)).Append("</dt><dd>").Append(Time(at)).Append("</dd>");

    private static string Time(DateTimeOffset at) => StaffFormat.Time(at);
}
