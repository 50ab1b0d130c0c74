using System.Globalization;
using System.Text;
using Imr.Domain.Figures;
using Microsoft.AspNetCore.Mvc;
using static Imr.Functions.Web.Html;

namespace Imr.Functions.Web;

/// <summary>
/// The program figures DWC publishes about IMR, for a month or a year: a GET form to choose the period (works without
/// JavaScript), tables of the figures, bar charts (SVG, each beside its table) and a link to the same figures as CSV.
/// </summary>
public static class FiguresPage
{
    public const string Path = "/api/staff/figures";

    public const string Title = "Program figures";

    /// <summary>The figures as a plain page.</summary>
    public static HtmlPage Render(ProgramFigures f, string? periodText, string? error = null) =>
        Page(Title, Body(f, periodText, error), error is null ? 200 : 400, hasErrors: error is not null);

    /// <summary>The page's content, for the plain page and the staff layout.</summary>
    public static string Body(ProgramFigures f, string? periodText, string? error = null)
    {
        var body = new StringBuilder();
        if (error is not null)
        {
            body.Append("<div class=\"error-summary\" role=\"alert\"><p class=\"error\">").Append(E(error)).Append("</p></div>");
        }

        body.Append("<form method=\"get\" action=\"").Append(Path).Append("\"><label for=\"period\">Period</label>")
            .Append("<p class=\"hint\" id=\"period-hint\">A year (2026) or a month (2026-03); days run midnight to midnight, Pacific time.</p>")
            .Append("<input type=\"text\" id=\"period\" name=\"period\" aria-describedby=\"period-hint\" value=\"").Append(E(periodText)).Append('"')
            .Append(error is null ? "" : " aria-invalid=\"true\"").Append("><button type=\"submit\">Show the figures</button></form>");

        body.Append("<p>").Append(E(f.Period.Name)).Append(": ").Append(E(DeadlineText.Pacific(f.Period.Start))).Append(" to ").Append(E(DeadlineText.Pacific(f.Period.End)))
            .Append(". <a href=\"").Append(Path).Append(".csv?period=").Append(E(Uri.EscapeDataString(periodText ?? ""))).Append("\" download>Download these figures as CSV</a>.</p>");

        body.Append("<section aria-labelledby=\"applications\"><h2 id=\"applications\">Applications and letters</h2>");
        var flow = new List<Bar>
        {
            new("Applications received", f.ApplicationsReceived, N(f.ApplicationsReceived)),
            new("Unique applications", f.UniqueApplications, N(f.UniqueApplications)),
            new("Eligible applications", f.EligibleApplications, N(f.EligibleApplications)),
            new("Letters issued", f.LettersIssued, N(f.LettersIssued)),
        };
        body.Append(FiguresChart.Svg("chart-flow", $"Applications and letters, {f.Period.Name}", string.Join("; ", flow.Select(b => $"{b.Label}: {b.ValueText}")), flow));
        body.Append("<table><caption>Applications and letters, ").Append(E(f.Period.Name)).Append("</caption><thead><tr><th scope=\"col\">Figure</th><th scope=\"col\">Value</th></tr></thead><tbody>");
        Row(body, "Applications received", N(f.ApplicationsReceived));
        Row(body, "Duplicates", N(f.Duplicates));
        Row(body, "Unique applications", $"{N(f.UniqueApplications)} ({Percent(f.UniqueShare)} of received)");
        Row(body, "Eligible applications", $"{N(f.EligibleApplications)} ({Percent(f.EligibleShare)} of unique)");
        Row(body, "Letters issued", N(f.LettersIssued));
        Row(body, "Corrected letters issued", N(f.CorrectionsIssued));
        Row(body, "Average days from notice of assignment to letter", Days(f.AverageDaysNoticeToLetter));
        Row(body, "Average days from complete medical records to letter", Days(f.AverageDaysRecordsToLetter));
        body.Append("</tbody></table></section>");

        body.Append("<section aria-labelledby=\"overturns\"><h2 id=\"overturns\">Overturn rate</h2><p>")
            .Append(E($"{Percent(f.OverturnRate)} of {N(f.ItemsDecided)} disputed items decided in the period's letters were overturned ({N(f.ItemsOverturned)})."))
            .Append("</p>");
        if (f.ByCategory.Count > 0)
        {
            var bars = f.ByCategory.Select(c => new Bar(c.Category, (c.Rate ?? 0) * 100, Percent(c.Rate))).ToList();
            body.Append(FiguresChart.Svg("chart-overturn", $"Overturn rate by treatment category, {f.Period.Name}", string.Join("; ", bars.Select(b => $"{b.Label}: {b.ValueText}")), bars));
            body.Append("<table><caption>Overturn rate by treatment category</caption><thead><tr><th scope=\"col\">Treatment category</th><th scope=\"col\">Items decided</th><th scope=\"col\">Overturned</th><th scope=\"col\">Overturn rate</th></tr></thead><tbody>");
            foreach (var c in f.ByCategory)
            {
                body.Append("<tr><th scope=\"row\">").Append(E(c.Category)).Append("</th><td>").Append(N(c.ItemsDecided)).Append("</td><td>").Append(N(c.Overturned))
                    .Append("</td><td>").Append(E(Percent(c.Rate))).Append("</td></tr>");
            }

            body.Append("</tbody></table>");
        }

        return body.Append("</section>").ToString();
    }

    /// <summary>The figures as a CSV download, named after the period.</summary>
    public static FileContentResult Csv(ProgramFigures f) =>
        new(Encoding.UTF8.GetBytes(f.ToCsv()), "text/csv; charset=utf-8") { FileDownloadName = $"imr-figures-{f.Period.Name.Replace(' ', '-').ToLowerInvariant()}.csv" };

    private static void Row(StringBuilder body, string figure, string value) =>
        body.Append("<tr><th scope=\"row\">").Append(E(figure)).Append("</th><td>").Append(E(value)).Append("</td></tr>");

    private static string N(int n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Percent(double? r) => r is { } v ? v.ToString("0.0 %", CultureInfo.InvariantCulture) : "none";

    private static string Days(double? d) => d is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) + " days" : "no letters";
}
