using System.Globalization;
using System.Text;
using Imr.Domain.Cases;
using Imr.Domain.Deadlines;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using static Imr.Functions.Web.Html;

namespace Imr.Functions.Web;

/// <summary>
/// The at-risk dashboard: counts by state and by days left (tables with a bar chart beside), cases needing attention,
/// the open cases by time left and the cases still in intake, each linking to its case page. Pacific time throughout.
/// </summary>
public static class AtRiskPage
{
    public const string Title = "At-risk cases";

    /// <summary>The dashboard as a plain page (the machine route manage/at-risk/page).</summary>
    public static HtmlPage Render(AtRiskReportView report) => Page(Title, Body(report));

    /// <summary>The dashboard's content, for the plain page and the staff layout.</summary>
    public static string Body(AtRiskReportView report)
    {
        var body = new StringBuilder()
            .Append("<p>As of ").Append(E(DeadlineText.Pacific(report.GeneratedAt))).Append(". A case is at risk when it is due within ")
            .Append(E(DeadlineText.Span(report.AtRiskWindow))).Append(".</p>");
        if (report.NeedingAttention.Count > 0)
        {
            // First: these cases' workflows stopped on a failure and wait for an operator (or for reconciliation).
            body.Append("<section aria-labelledby=\"attention\"><h2 id=\"attention\">Cases needing attention</h2><table><thead><tr><th scope=\"col\">Case</th><th scope=\"col\">Since</th><th scope=\"col\">Reason</th></tr></thead><tbody>");
            foreach (var a in report.NeedingAttention)
            {
                body.Append("<tr><td>").Append(CaseLink(a.CaseNumber)).Append("</td><td>").Append(E(DeadlineText.Pacific(a.Since))).Append("</td><td>").Append(E(a.Reason)).Append("</td></tr>");
            }

            body.Append("</tbody></table></section>");
        }

        if (report.ByState.Count > 0)
        {
            body.Append("<section aria-labelledby=\"by-state\"><h2 id=\"by-state\">Open cases by state</h2>");
            var bars = report.ByState.Select(s => new Bar(DeadlineText.State(s.State), s.Count, s.Count.ToString(CultureInfo.InvariantCulture))).ToList();
            body.Append(FiguresChart.Svg("chart-state", "Open cases by state", string.Join("; ", bars.Select(b => $"{b.Label}: {b.ValueText}")), bars));
            body.Append("<table><thead><tr><th scope=\"col\">State</th><th scope=\"col\">Cases</th></tr></thead><tbody>");
            foreach (var b in bars) body.Append("<tr><th scope=\"row\">").Append(E(b.Label)).Append("</th><td>").Append(E(b.ValueText)).Append("</td></tr>");
            body.Append("</tbody></table></section>");
        }

        if (report.ByDaysLeft.Count > 0)
        {
            body.Append("<section aria-labelledby=\"by-days\"><h2 id=\"by-days\">Open cases by time left</h2>");
            var bars = report.ByDaysLeft.Select(d => new Bar(d.Band, d.Count, d.Count.ToString(CultureInfo.InvariantCulture))).ToList();
            body.Append(FiguresChart.Svg("chart-days", "Open cases by time left", string.Join("; ", bars.Select(b => $"{b.Label}: {b.ValueText}")), bars));
            body.Append("<table><thead><tr><th scope=\"col\">Time left</th><th scope=\"col\">Cases</th></tr></thead><tbody>");
            foreach (var b in bars) body.Append("<tr><th scope=\"row\">").Append(E(b.Label)).Append("</th><td>").Append(E(b.ValueText)).Append("</td></tr>");
            body.Append("</tbody></table></section>");
        }

        body.Append("<section aria-labelledby=\"at-risk\"><h2 id=\"at-risk\">Cases by time left, least first</h2>");
        if (report.Cases.Count == 0)
        {
            body.Append("<p role=\"status\">No open cases.</p>");
        }
        else
        {
            body.Append("<table><thead><tr><th scope=\"col\">Case</th><th scope=\"col\">Due</th><th scope=\"col\">Time left</th><th scope=\"col\">Risk</th></tr></thead><tbody>");
            foreach (var c in report.Cases)
            {
                // The class names the risk for styling and for machine readers; the cell says it in words.
                body.Append("<tr class=\"risk-").Append(c.Risk.ToString()).Append("\"><td>").Append(CaseLink(c.CaseNumber)).Append("</td><td>").Append(E(DeadlineText.Pacific(c.CaseDueAt)))
                    .Append("</td><td>").Append(E(DeadlineText.TimeLeft(c.TimeLeft))).Append("</td><td>").Append(E(DeadlineText.Risk(c.Risk, c.OverdueEscalated))).Append("</td></tr>");
            }

            body.Append("</tbody></table>");
        }

        body.Append("</section><section aria-labelledby=\"in-intake\"><h2 id=\"in-intake\">Cases still in intake</h2>");
        if (report.InIntake.Count == 0)
        {
            body.Append("<p>No case is in intake.</p>");
        }
        else
        {
            body.Append("<p>These cases have no review deadline yet: it starts when they are registered for review.</p>")
                .Append("<table><thead><tr><th scope=\"col\">Case</th><th scope=\"col\">Stage</th><th scope=\"col\">Received</th><th scope=\"col\">Records due</th><th scope=\"col\">Risk</th></tr></thead><tbody>");
            foreach (var c in report.InIntake)
            {
                body.Append("<tr class=\"risk-").Append(c.AtRisk ? "AtRisk" : "OnTrack").Append("\"><td>").Append(CaseLink(c.CaseNumber)).Append("</td><td>").Append(E(DeadlineText.Stage(c.Stage)))
                    .Append("</td><td>").Append(E(c.ReceivedAt is { } r ? DeadlineText.Pacific(r) : "not recorded"))
                    .Append("</td><td>").Append(E(c.RecordsDueAt is { } d ? $"{DeadlineText.Pacific(d)} ({DeadlineText.TimeLeft(d - report.GeneratedAt)})" : "no notice of assignment yet"))
                    .Append("</td><td>").Append(c.AtRisk ? "At risk: records due soon or late" : "On track").Append("</td></tr>");
            }

            body.Append("</tbody></table>");
        }

        return body.Append("</section>").ToString();
    }

    /// <summary>A link to the staff case page; the case number is encoded for the URL and for HTML.</summary>
    public static string CaseLink(string caseNumber) =>
        $"<a href=\"/api/staff/cases/{E(Uri.EscapeDataString(caseNumber))}\">{E(caseNumber)}</a>";
}

/// <summary>Dates and durations as staff read them: Pacific time, time left in words, states in words.</summary>
public static class DeadlineText
{
    private static readonly TimeZoneInfo Zone = new ReviewCalendar(ReviewCalendar.CaliforniaTimeZoneId).TimeZone;

    /// <summary>E.g. "Wed 4 Mar 2026, 9:00 AM PST".</summary>
    public static string Pacific(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, Zone);
        return local.ToString("ddd d MMM yyyy, h:mm tt", CultureInfo.InvariantCulture) + (Zone.IsDaylightSavingTime(local) ? " PDT" : " PST");
    }

    /// <summary>E.g. "3 days 4 hours", "5 hours 20 minutes", "overdue by 2 days 1 hour".</summary>
    public static string TimeLeft(TimeSpan left) => left < TimeSpan.Zero ? "overdue by " + Span(left.Negate()) : Span(left);

    /// <summary>A duration in its two largest units, e.g. "3 days 4 hours"; under a minute: "less than a minute".</summary>
    public static string Span(TimeSpan s) =>
        s.Days >= 1 ? Join(Unit(s.Days, "day"), s.Hours, "hour")
        : s.Hours >= 1 ? Join(Unit(s.Hours, "hour"), s.Minutes, "minute")
        : s.Minutes >= 1 ? Unit(s.Minutes, "minute")
        : "less than a minute";

    public static string State(CaseStatus state) => state switch
    {
        CaseStatus.Received => "In intake",
        CaseStatus.AwaitingAcceptance => "Offered to a reviewer",
        CaseStatus.InReview => "In review",
        CaseStatus.Overdue => "Overdue",
        CaseStatus.AwaitingManualAssignment => "Awaiting manual assignment",
        CaseStatus.NeedsAttention => "Needs attention",
        CaseStatus.Closed => "Closed",
        _ => state.ToString(),
    };

    public static string Risk(DeadlineRisk risk, bool escalated) => risk switch
    {
        DeadlineRisk.Overdue => escalated ? "Overdue (medical director told)" : "Overdue",
        DeadlineRisk.AtRisk => "At risk",
        _ => "On track",
    };

    public static string Stage(string stage) => stage switch
    {
        IntakeStages.Received => "Package received",
        IntakeStages.Validated => "Package checked",
        IntakeStages.Eligible => "Eligible",
        IntakeStages.Ineligible => "Not eligible",
        IntakeStages.Deferred => "Eligibility question awaiting a decision",
        IntakeStages.AwaitingRecords => "Awaiting medical records",
        IntakeStages.RecordsReceived => "Medical records received",
        IntakeStages.RecordsLate => "Medical records late",
        IntakeStages.Combined => "Combined with another case",
        _ => stage,
    };

    private static string Unit(int n, string unit) => n == 1 ? $"1 {unit}" : $"{n.ToString(CultureInfo.InvariantCulture)} {unit}s";

    private static string Join(string first, int next, string unit) => next == 0 ? first : $"{first} {Unit(next, unit)}";
}
