using Imr.Functions.Services;
using Imr.Functions.Web;
using Imr.Functions.Web.Staff;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Imr.Functions.Triggers;

/// <summary>
/// The work queue's reassignment of an overdue case (role MedicalDirector, CSRF-protected form, the person in the audit).
/// The route names the assignment being replaced, so a form from before a change cannot reassign the case again.
/// </summary>
public sealed class OverdueReassignTrigger(WorkQueueReport queue, StaffAuth auth)
{
    [Function(nameof(ReassignOverdueFromWorkQueue))]
    public async Task<IActionResult> ReassignOverdueFromWorkQueue(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "staff/queue/{caseNumber}/reassign/{assignmentId}")] HttpRequest request, string caseNumber, string assignmentId,
        [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var session = await auth.RequireFormAsync(request, QueuePage.ReassignPurpose(caseNumber, assignmentId), [StaffRoles.MedicalDirector], cancellationToken);
        if (!session.Allowed) return session.Refusal!;
        var result = await queue.ReassignAsync(caseNumber, assignmentId, session.Form!["reviewerId"], session.User.AuditName, durable, cancellationToken);
        // Post/redirect/get: a reload of the page that follows does not post again.
        if (result.Accepted && !result.Repeated) return new RedirectResult($"{QueuePage.Path}?reassigned={Uri.EscapeDataString(caseNumber)}", permanent: false);
        return session.Page(QueuePage.Title, QueuePage.Body(await queue.BuildAsync(cancellationToken), session, result), StaffSections.WorkQueue, result.Accepted ? 200 : 409, hasErrors: !result.Accepted);
    }
}
