using System.Globalization;
using System.Text;
using Imr.Functions.Services;
using static Imr.Functions.Web.Html;

namespace Imr.Functions.Web;

/// <summary>
/// The case status page for staff: status, assignment (the reviewer's id, never the name), deadlines, the audit trail
/// and every issued version of the Final Determination Letter in its HTML rendering. Every value is encoded; the
/// letters are the stored renderings (encoded when rendered, checked against their recorded SHA-256 here).
/// </summary>
public static class CaseStatusPage
{
    public static HtmlPage Render(CaseStatusPageView page)
    {
        var s = page.Status;
        var body = new StringBuilder();

        body.Append("<section aria-labelledby=\"status\"><h2 id=\"status\">Status</h2><dl>");
        Field(body, "Status", s.Status);
        Field(body, "Overdue", s.Overdue ? "Yes" : "No");
        if (s.Attention is { } attention)
        {
            body.Append("<dt>Needs attention</dt><dd role=\"alert\">").Append(E(attention.Reason)).Append("</dd>");
            if (attention.Since is { } since) TimeField(body, "Needs attention since", since);
        }

        if (s.Intake is { } intake)
        {
            Field(body, "Intake stage", intake.Stage);
            if (intake.Eligibility is not null) Field(body, "Eligibility", intake.Eligibility);
            if (intake.EligibilityReasons.Count > 0) Field(body, "Eligibility reasons", string.Join("; ", intake.EligibilityReasons));
            if (intake.MissingDocuments is not null) Field(body, "Missing documents", intake.MissingDocuments);
            if (intake.DuplicateOf is not null) Field(body, "Duplicate of", intake.DuplicateOf);
            if (intake.CombinedWith is not null) Field(body, "Combined with", intake.CombinedWith);
        }

        if (s.Outcomes is { Length: > 0 }) Field(body, "Outcomes", s.Outcomes);
        body.Append("</dl></section>");

        body.Append("<section aria-labelledby=\"assignment\"><h2 id=\"assignment\">Assignment</h2>");
        if (s.Assignment is { } a)
        {
            body.Append("<dl>");
            Field(body, "Assignment", a.AssignmentId);
            Field(body, "Reviewer id", a.ReviewerId);
            Field(body, "Assignment status", a.Status ?? "");
            body.Append("</dl>");
        }
        else
        {
            body.Append("<p>No reviewer assigned.</p>");
        }

        body.Append("</section>");

        body.Append("<section aria-labelledby=\"deadlines\"><h2 id=\"deadlines\">Deadlines</h2>");
        if (s.Deadlines is { } d)
        {
            body.Append("<dl>");
            TimeField(body, "Received", d.ReceivedAt);
            TimeField(body, "Reviewer due", d.ReviewerDueAt);
            TimeField(body, "Case due", d.CaseDueAt);
            body.Append("</dl>");
        }
        else if (s.Intake?.RecordsDueAt is { } recordsDue)
        {
            body.Append("<dl>");
            TimeField(body, "Medical records due", recordsDue);
            body.Append("</dl>");
        }
        else
        {
            body.Append("<p>No review clock yet.</p>");
        }

        body.Append("</section>");

        body.Append("<section aria-labelledby=\"audit\"><h2 id=\"audit\">Audit trail</h2>");
        if (page.Audit.Count == 0)
        {
            body.Append("<p>No entries.</p>");
        }
        else
        {
            body.Append("<table><caption class=\"visually-hidden\">Audit trail, oldest first</caption><thead><tr><th scope=\"col\">When (UTC)</th><th scope=\"col\">Event</th><th scope=\"col\">Detail</th></tr></thead><tbody>");
            foreach (var e in page.Audit)
            {
                body.Append("<tr><td>").Append(Time(e.At)).Append("</td><td>").Append(E(e.Event)).Append("</td><td>").Append(E(e.Detail)).Append("</td></tr>");
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
            Field(body, "Outcomes", letter.Outcomes);
            Field(body, "PDF", letter.PdfBlobName);
            Field(body, "PDF SHA-256", letter.PdfSha256);
            body.Append("</dl>");
            body.Append(letter.Html is null
                ? $"<p class=\"error\" role=\"alert\">The stored HTML rendering {E(letter.HtmlBlobName)} is missing or does not match the SHA-256 recorded at issuance.</p>"
                : $"<div class=\"letter\">{UnderHeadingLevel3(letter.Html)}</div>");
            body.Append("</section>");
        }

        body.Append("</section>");
        return Page($"Case {s.CaseNumber}", body.ToString());
    }

    public static HtmlPage NotFound(string caseNumber) => Message("Case not found", $"No case {caseNumber}.", 404);

    /// <summary>
    /// The letter fragment's headings (h1 title, h2 sections, h3 items) moved below the version's h3, so the page keeps
    /// one h1 and an outline without gaps. The fragment's text is encoded, so these tags can only be the renderer's.
    /// </summary>
    public static string UnderHeadingLevel3(string letterHtml) => letterHtml
        .Replace("<h3>", "<h6>", StringComparison.Ordinal).Replace("</h3>", "</h6>", StringComparison.Ordinal)
        .Replace("<h2>", "<h5>", StringComparison.Ordinal).Replace("</h2>", "</h5>", StringComparison.Ordinal)
        .Replace("<h1>", "<h4>", StringComparison.Ordinal).Replace("</h1>", "</h4>", StringComparison.Ordinal);

    private static void Field(StringBuilder body, string name, string value) =>
        body.Append("<dt>").Append(E(name)).Append("</dt><dd>").Append(E(value)).Append("</dd>");

    private static void TimeField(StringBuilder body, string name, DateTimeOffset at) =>
        body.Append("<dt>").Append(E(name)).Append("</dt><dd>").Append(Time(at)).Append("</dd>");

    private static string Time(DateTimeOffset at) =>
        $"<time datetime=\"{E(at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture))}\">{E(at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture))}</time>";
}
