using System.Globalization;
using System.Text;
using Imr.Functions.Services;
using static Imr.Functions.Web.Html;

namespace Imr.Functions.Web;

/// <summary>The at-risk report as a plain HTML table: open cases by time left.</summary>
public static class AtRiskPage
{
    public static HtmlPage Render(AtRiskReportView report)
    {
        var body = new StringBuilder()
            .Append("<p>Generated ").Append(E(report.GeneratedAt.ToString("u"))).Append("; at risk = due within ").Append(E(report.AtRiskWindow.ToString())).Append(".</p>");
        if (report.NeedingAttention.Count > 0)
        {
            // First: these cases' workflows stopped on a failure and wait for an operator (or for reconciliation).
            body.Append("<section aria-labelledby=\"attention\"><h2 id=\"attention\">Cases needing attention</h2><table><thead><tr><th scope=\"col\">Case</th><th scope=\"col\">Since</th><th scope=\"col\">Reason</th></tr></thead><tbody>");
            foreach (var a in report.NeedingAttention)
            {
                body.Append("<tr><td>").Append(E(a.CaseNumber)).Append("</td><td>").Append(E(a.Since.ToString("u"))).Append("</td><td>").Append(E(a.Reason)).Append("</td></tr>");
            }

            body.Append("</tbody></table></section>");
        }

        if (report.Cases.Count == 0)
        {
            return Page("Open cases by time left", body.Append("<p role=\"status\">No open cases.</p>").ToString());
        }

        body.Append("<table><thead><tr><th scope=\"col\">Case</th><th scope=\"col\">Due</th><th scope=\"col\">Time left</th><th scope=\"col\">Risk</th></tr></thead><tbody>");
        foreach (var c in report.Cases)
        {
            var left = c.TimeLeft < TimeSpan.Zero ? $"-{c.TimeLeft.Negate():d\\.hh\\:mm\\:ss}" : c.TimeLeft.ToString("d\\.hh\\:mm\\:ss", CultureInfo.InvariantCulture);
            body.Append("<tr><td>").Append(E(c.CaseNumber)).Append("</td><td>").Append(E(c.CaseDueAt.ToString("u"))).Append("</td><td>").Append(E(left))
                .Append("</td><td>").Append(E(c.Risk.ToString())).Append("</td></tr>");
        }

        return Page("Open cases by time left", body.Append("</tbody></table>").ToString());
    }
}
