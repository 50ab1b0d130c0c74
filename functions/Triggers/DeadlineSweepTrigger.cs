using Imr.Functions.Services;
using Imr.Functions.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Imr.Functions.Triggers;

/// <summary>The scheduled deadline sweep; its schedule is the setting <c>DeadlineSweepSchedule</c> (CRON with seconds).</summary>
public sealed class DeadlineSweepTrigger(DeadlineSweeper sweeper, AtRiskReport report)
{
    [Function(nameof(DeadlineSweep))]
    public Task DeadlineSweep([TimerTrigger("%DeadlineSweepSchedule%")] TimerInfo timer, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken) =>
        sweeper.SweepAsync(durable, cancellationToken);

    /// <summary>Open cases by time left, as JSON (staff and monitoring; a function key guards it in Azure). Not under /admin: the Functions host reserves it.</summary>
    [Function(nameof(GetAtRiskReport))]
    public async Task<IActionResult> GetAtRiskReport([HttpTrigger(AuthorizationLevel.Function, "get", Route = "manage/at-risk")] HttpRequest request, CancellationToken cancellationToken) =>
        new OkObjectResult(await report.BuildAsync(cancellationToken));

    [Function(nameof(ShowAtRiskReport))]
    public async Task<IActionResult> ShowAtRiskReport([HttpTrigger(AuthorizationLevel.Function, "get", Route = "manage/at-risk/page")] HttpRequest request, CancellationToken cancellationToken) =>
        AtRiskPage.Render(await report.BuildAsync(cancellationToken));
}
