using Imr.Domain.Cases;
using Imr.Functions.Services;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Imr.Functions.Triggers;

/// <summary>
/// Staff route that retries a case needing attention once its cause is corrected: the case's workflow is restarted at its
/// stored step (the sweep's restart). A function key guards it in Azure (never a Durable system key).
/// </summary>
public sealed class CaseRetryTrigger(DeadlineSweeper sweeper)
{
    [Function(nameof(RetryCase))]
    public async Task<IActionResult> RetryCase(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "manage/cases/{caseNumber}/retry")] HttpRequest request, string caseNumber, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        if (!CaseNumber.TryParse(caseNumber, out var parsed))
        {
            return new BadRequestObjectResult(new { error = "Not a case number." });
        }

        return await sweeper.RetryAsync(durable, parsed.Value, "staff", cancellationToken)
            ? new AcceptedResult($"cases/{parsed.Value}", new { caseNumber = parsed.Value, retried = true })
            : new ConflictObjectResult(new { error = $"Case {parsed.Value} does not need attention, or its workflow is running; nothing was done." });
    }
}
