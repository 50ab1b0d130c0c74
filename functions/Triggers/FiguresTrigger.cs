using Imr.Domain.Deadlines;
using Imr.Domain.Figures;
using Imr.Functions.Services;
using Imr.Functions.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Imr.Functions.Triggers;

/// <summary>The at-risk dashboard and the program figures (page and CSV) for staff.</summary>
public sealed class FiguresTrigger(FiguresReport figures, AtRiskReport atRisk, TimeProvider time)
{
    private static readonly TimeZoneInfo Pacific = new ReviewCalendar(ReviewCalendar.CaliforniaTimeZoneId).TimeZone;

    [Function(nameof(ShowAtRiskDashboard))]
    public async Task<IActionResult> ShowAtRiskDashboard([HttpTrigger(AuthorizationLevel.Function, "get", Route = "staff/at-risk")] HttpRequest request, CancellationToken cancellationToken) =>
        AtRiskPage.Render(await atRisk.BuildAsync(cancellationToken));

    [Function(nameof(ShowProgramFigures))]
    public async Task<IActionResult> ShowProgramFigures([HttpTrigger(AuthorizationLevel.Function, "get", Route = "staff/figures")] HttpRequest request, CancellationToken cancellationToken)
    {
        var (period, text, error) = PeriodOf(request);
        return FiguresPage.Render(await figures.BuildAsync(period, cancellationToken), text, error);
    }

    [Function(nameof(ExportProgramFigures))]
    public async Task<IActionResult> ExportProgramFigures([HttpTrigger(AuthorizationLevel.Function, "get", Route = "staff/figures.csv")] HttpRequest request, CancellationToken cancellationToken)
    {
        var (period, _, error) = PeriodOf(request);
        return error is not null ? new BadRequestObjectResult(new { error }) : FiguresPage.Csv(await figures.BuildAsync(period, cancellationToken));
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
