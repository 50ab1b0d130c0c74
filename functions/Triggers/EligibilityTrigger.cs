using Imr.Functions.Services;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Imr.Functions.Triggers;

/// <summary>Staff route that resolves a deferred case; a function key guards it in Azure (never a Durable system key).</summary>
public sealed class EligibilityTrigger(EligibilityResolutions resolutions)
{
    [Function(nameof(SubmitEligibilityResolution))]
    public Task<IActionResult> SubmitEligibilityResolution(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "cases/{caseNumber}/eligibility")] HttpRequest request, string caseNumber, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken) =>
        resolutions.ResolveAsync(caseNumber, request, durable, cancellationToken);
}
