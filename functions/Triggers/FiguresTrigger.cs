using Imr.Domain.Deadlines;
using Imr.Domain.Figures;
using Imr.Functions.Services;
using Imr.Functions.Web;
using Imr.Functions.Web.Staff;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Imr.Functions.Triggers;

/// <summary>
/// The at-risk dashboard and the program figures (page and CSV), for any staff role. Anonymous at the Functions level:
/// the staff identity guards them (a function key names no person).
/// </summary>
public sealed class FiguresTrigger(FiguresReport figures, AtRiskReport atRisk, StaffAuth auth, TimeProvider time)
{
    private static readonly TimeZoneInfo Pacific = new ReviewCalendar(ReviewCalendar.CaliforniaTimeZoneId).TimeZone;

    [Function(nameof(ShowAtRiskDashboard))]
    public async Task<IActionResult> ShowAtRiskDashboard([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "staff/at-risk")] HttpRequest request, CancellationToken cancellationToken)
    {
        var session = auth.Require(request, StaffRoles.All);
        if (!session.Allowed) return session.Refusal!;
        return session.Page(AtRiskPage.Title, AtRiskPage.Body(await atRisk.BuildAsync(cancellationToken)), StaffSections.AtRisk);
    }

    [Function(nameof(ShowProgramFigures))]
    public async Task<IActionResult> ShowProgramFigures([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "staff/figures")] HttpRequest request, CancellationToken cancellationToken)
    {
        var session = auth.Require(request, StaffRoles.All);
        if (!session.Allowed) return session.Refusal!;
        var (period, text, error) = PeriodOf(request);
        return session.Page(FiguresPage.Title, FiguresPage.Body(await figures.BuildAsync(period, cancellationToken), text, error), StaffSections.Figures,
            error is null ? 200 : 400, hasErrors: error is not null);
    }

    [Function(nameof(ExportProgramFigures))]
    public async Task<IActionResult> ExportProgramFigures([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "staff/figures.csv")] HttpRequest request, CancellationToken cancellationToken)
    {
        var session = auth.Require(request, StaffRoles.All);
        if (!session.Allowed) return session.Refusal!;
        var (period, _, error) = PeriodOf(request);
        if (error is not null) return new BadRequestObjectResult(new { error });
        HtmlPage.ApplySecurityHeaders(request.HttpContext.Response); // no-store: figures are not cached either
        return FiguresPage.Csv(await figures.BuildAsync(period, cancellationToken));
    }

    /// <summary>The period asked for; none asked: the current month (Pacific time); a bad one: the current month and a message.</summary>
    private (ReportingPeriod Period, string Text, string? Error) PeriodOf(HttpRequest request)
    {
        var asked = request.Query["period"].ToString();
        var local = TimeZoneInfo.ConvertTime(time.GetUtcNow(), Pacific);
        var current = $"{local.Year:D4}-{local.Month:D2}";
        if (string.IsNullOrWhiteSpace(asked)) return (ReportingPeriod.Parse(current, Pacific)!, current, null);
        return ReportingPeriod.Parse(asked, Pacific) is { } p
            ? (p, asked.Trim(), null)
            : (ReportingPeriod.Parse(current, Pacific)!, asked, $"Enter the period as a year (2026) or a month (2026-03); showing {current}.");
    }
}
