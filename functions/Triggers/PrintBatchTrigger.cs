using Imr.Functions.Services;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Imr.Functions.Triggers;

/// <summary>
/// The mail room's daily print batch: at 14:00 UTC (early morning in California) the batch of the previous California
/// day, so every mailing of that day is filed before it is built; staff may build a day's batch by hand (idempotent).
/// </summary>
public sealed class PrintBatchTrigger(PostalMail postal, TimeProvider time)
{
    [Function(nameof(BuildDailyPrintBatch))]
    public Task BuildDailyPrintBatch([TimerTrigger("0 0 14 * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        postal.BuildBatchAsync(PostalMail.MailingDay(time.GetUtcNow()).AddDays(-1), cancellationToken);

    /// <summary>Builds (or finds) the batch of a day, yyyy-MM-dd. Not under /admin: the Functions host reserves it.</summary>
    [Function(nameof(BuildPrintBatch))]
    public async Task<IActionResult> BuildPrintBatch([HttpTrigger(AuthorizationLevel.Function, "post", Route = "manage/print-batch/{day}")] HttpRequest request, string day, CancellationToken cancellationToken) =>
        DateOnly.TryParseExact(day, "yyyy-MM-dd", out var date)
            ? new OkObjectResult(await postal.BuildBatchAsync(date, cancellationToken))
            : new BadRequestObjectResult(new { error = "The day must be yyyy-MM-dd." });
}
