using Imr.Functions.Services;
using Imr.Functions.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Imr.Functions.Triggers;

/// <summary>Staff and upstream systems read a case's status; a function key guards it in Azure.</summary>
public sealed class CaseStatusTrigger(CaseStatusQuery query)
{
    [Function(nameof(GetCaseStatus))]
    public async Task<IActionResult> GetCaseStatus(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "cases/{caseNumber}")] HttpRequest request, string caseNumber, CancellationToken cancellationToken)
    {
        var view = await query.GetAsync(caseNumber, cancellationToken);
        return view is null ? new NotFoundObjectResult(new { error = $"No case {caseNumber}." }) : new OkObjectResult(view);
    }

    /// <summary>The same status as a server-rendered page, with the audit trail and every issued letter version.</summary>
    [Function(nameof(ShowCaseStatus))]
    public async Task<IActionResult> ShowCaseStatus(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "cases/{caseNumber}/page")] HttpRequest request, string caseNumber, CancellationToken cancellationToken)
    {
        var page = await query.GetPageAsync(caseNumber, cancellationToken);
        return page is null ? CaseStatusPage.NotFound(caseNumber) : CaseStatusPage.Render(page);
    }
}
