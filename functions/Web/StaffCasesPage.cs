using System.Globalization;
using System.Text;
using Imr.Domain.Cases;
using Imr.Functions.Services;
using Imr.Functions.Web.Staff;
using static Imr.Functions.Web.Html;

namespace Imr.Functions.Web;

/// <summary>The staff case list: a search form (GET, so a search is a link) and a table by time left, paged.</summary>
public static class StaffCasesPage
{
    public const string Route = "/api/staff/cases";

    public static HtmlPage Render(CaseListView view, StaffSession session)
    {
        var s = view.Search;
        var body = new StringBuilder();
        body.Append("<form method=\"get\" action=\"").Append(Route).Append("\" role=\"search\" aria-label=\"Search cases\"><div class=\"filters\">")
            .Append("<div><label for=\"caseNumber\">Case number starts with</label><input type=\"text\" id=\"caseNumber\" name=\"caseNumber\" value=\"").Append(E(s.CaseNumber)).Append("\"></div>");
        Select(body, "status", "Status", s.Status, Enum.GetNames<CaseStatus>());
        Select(body, "program", "Program", s.Program, Enum.GetNames<ReviewProgram>());
        Select(body, "expedited", "Expedited", s.Expedited switch { true => "yes", false => "no", null => null }, ["yes", "no"]);
        body.Append("<div><label for=\"reviewerId\">Reviewer id</label><input type=\"text\" id=\"reviewerId\" name=\"reviewerId\" value=\"").Append(E(s.ReviewerId)).Append("\"></div>")
            .Append("<div><label for=\"dueWithinDays\">Due within (days)</label><input type=\"text\" inputmode=\"numeric\" id=\"dueWithinDays\" name=\"dueWithinDays\" value=\"")
            .Append(E(s.DueWithinDays?.ToString(CultureInfo.InvariantCulture))).Append("\"></div>")
            .Append("<div class=\"check\"><input type=\"checkbox\" id=\"overdue\" name=\"overdue\" value=\"yes\"").Append(s.OverdueOnly ? " checked" : "").Append("><label for=\"overdue\">Overdue only</label></div>")
            .Append("</div><button type=\"submit\">Search</button></form>");

        body.Append("<p role=\"status\">").Append(view.Total.ToString(CultureInfo.InvariantCulture)).Append(view.Total == 1 ? " case" : " cases")
            .Append(view.Total > 0 ? $", page {s.Page} of {view.Pages}" : "").Append(". Open cases by time left first, then cases without a review clock, then closed cases; times are Pacific.</p>");
        if (view.Rows.Count > 0)
        {
            body.Append("<table><caption class=\"visually-hidden\">Cases</caption><thead><tr><th scope=\"col\">Case</th><th scope=\"col\">Status</th><th scope=\"col\">Program</th><th scope=\"col\">Expedited</th><th scope=\"col\">Reviewer id</th><th scope=\"col\">Due</th><th scope=\"col\">Time left</th></tr></thead><tbody>");
            foreach (var r in view.Rows)
            {
                body.Append("<tr><th scope=\"row\"><a href=\"").Append(E(CaseLink(r.CaseNumber))).Append("\">").Append(E(r.CaseNumber)).Append("</a></th><td>").Append(E(StaffFormat.Words(r.Status)))
                    .Append("</td><td>").Append(E(StaffFormat.Words(r.Program))).Append("</td><td>").Append(r.Expedited ? "Yes" : "No")
                    .Append("</td><td>").Append(E(r.ReviewerId ?? "")).Append("</td><td>").Append(r.CaseDueAt is { } due ? StaffFormat.Time(due) : "")
                    .Append("</td><td").Append(r.Overdue ? " class=\"overdue\"" : "").Append('>')
                    .Append(r.TimeLeft is { } left ? E(StaffFormat.TimeLeft(left)) : r.ClosedAt is { } closed ? "Closed " + StaffFormat.Time(closed) : "No review clock yet").Append("</td></tr>");
            }

            body.Append("</tbody></table>");
        }

        if (view.Pages > 1)
        {
            body.Append("<nav aria-label=\"Pages\" class=\"actions\">");
            if (s.Page > 1) body.Append("<a href=\"").Append(E(Link(s with { Page = s.Page - 1 }))).Append("\">Previous page</a>");
            if (s.Page < view.Pages) body.Append("<a href=\"").Append(E(Link(s with { Page = s.Page + 1 }))).Append("\">Next page</a>");
            body.Append("</nav>");
        }

        return session.Page("Cases", body.ToString(), StaffSections.Cases);
    }

    public static string CaseLink(string caseNumber) => $"{Route}/{Uri.EscapeDataString(caseNumber)}";

    /// <summary>The search as a query string (for paging links).</summary>
    public static string Link(CaseSearch s)
    {
        var q = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value)) q.Add($"{name}={Uri.EscapeDataString(value)}");
        }

        Add("caseNumber", s.CaseNumber);
        Add("status", s.Status);
        Add("program", s.Program);
        Add("expedited", s.Expedited switch { true => "yes", false => "no", null => null });
        Add("reviewerId", s.ReviewerId);
        Add("dueWithinDays", s.DueWithinDays?.ToString(CultureInfo.InvariantCulture));
        Add("overdue", s.OverdueOnly ? "yes" : null);
        Add("page", s.Page > 1 ? s.Page.ToString(CultureInfo.InvariantCulture) : null);
        return q.Count == 0 ? Route : $"{Route}?{string.Join('&', q)}";
    }

    /// <summary>The search of a query string; values not among the known ones are ignored.</summary>
    public static CaseSearch Parse(Microsoft.AspNetCore.Http.IQueryCollection query)
    {
        string? Get(string name) => query[name].ToString() is { Length: > 0 and <= 100 } v ? v.Trim() : null;
        return new CaseSearch(
            Get("caseNumber"),
            Get("status") is { } st && Enum.TryParse<CaseStatus>(st, out var status) && Enum.IsDefined(status) ? status.ToString() : null,
            Get("program") is { } pr && Enum.TryParse<ReviewProgram>(pr, out var program) && Enum.IsDefined(program) ? program.ToString() : null,
            Get("expedited") switch { "yes" => true, "no" => false, _ => null },
            Get("reviewerId"),
            int.TryParse(Get("dueWithinDays"), NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days <= 3650 ? days : null,
            Get("overdue") == "yes",
            int.TryParse(Get("page"), NumberStyles.None, CultureInfo.InvariantCulture, out var page) && page >= 1 ? page : 1);
    }

    private static void Select(StringBuilder body, string name, string label, string? selected, IEnumerable<string> values)
    {
        body.Append("<div><label for=\"").Append(name).Append("\">").Append(E(label)).Append("</label><select id=\"").Append(name).Append("\" name=\"").Append(name).Append("\"><option value=\"\">Any</option>");
        foreach (var v in values)
        {
            body.Append("<option value=\"").Append(E(v)).Append('"').Append(v == selected ? " selected" : "").Append('>').Append(E(StaffFormat.Words(v))).Append("</option>");
        }

        body.Append("</select></div>");
    }
}
