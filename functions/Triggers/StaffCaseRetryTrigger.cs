using Imr.Domain.Cases;
using Imr.Functions.Services;
using Imr.Functions.Web;
using Imr.Functions.Web.Staff;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Imr.Functions.Triggers;

/// <summary>
/// The case page's retry of a case that needs attention (role MedicalDirector, CSRF-protected form): the sweep's restart
/// as the keyed route manage/cases/{case}/retry does, with the person named in the audit.
/// </summary>
public sealed class StaffCaseRetryTrigger(DeadlineSweeper sweeper, StaffAuth auth)
{
    [Function(nameof(RetryCaseFromConsole))]
    public async Task<IActionResult> RetryCaseFromConsole(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "staff/cases/{caseNumber}/retry")] HttpRequest request, string caseNumber, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var session = await auth.RequireFormAsync(request, CaseStatusPage.RetryPurpose(caseNumber), [StaffRoles.MedicalDirector], cancellationToken);
        if (!session.Allowed) return session.Refusal!;
        if (!CaseNumber.TryParse(caseNumber, out var number)) return CaseStatusPage.NotFound(caseNumber);
        return await sweeper.RetryAsync(durable, number.Value, session.User.AuditName, cancellationToken)
            ? new RedirectResult(StaffCasesPage.CaseLink(number.Value), permanent: false)
            : Html.Message("Not retried", $"Case {number.Value} does not need attention, or its workflow is running; nothing was done.", 409);
    }
}
