using Imr.Functions.Services;
using Imr.Functions.Web;
using Imr.Functions.Web.Staff;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Imr.Functions.Triggers;

/// <summary>
/// The medical director's work queue (role MedicalDirector; a CaseViewer may read it, never assign). Anonymous at the
/// Functions level: the staff identity guards it and names who assigned in the audit. The keyed route
/// manage/cases/{case}/assign stays for machine callers.
/// </summary>
public sealed class QueueTrigger(WorkQueueReport queue, StaffAuth auth)
{
    [Function(nameof(ShowWorkQueue))]
    public async Task<IActionResult> ShowWorkQueue([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "staff/queue")] HttpRequest request, CancellationToken cancellationToken)
    {
        var session = auth.Require(request, StaffRoles.All);
        if (!session.Allowed) return session.Refusal!;
        QueueAssignResult? done = request.Query["assigned"].ToString() is { Length: > 0 and <= 40 } assigned
            ? new(true, $"Case {assigned} assigned: the offer goes out now.", [])
            : request.Query["reassigned"].ToString() is { Length: > 0 and <= 40 } reassigned
                ? new(true, $"Case {reassigned} reassigned: the late reviewer's assignment is withdrawn and the new reviewer has the case.", [])
                : null;
        return session.Page(QueuePage.Title, QueuePage.Body(await queue.BuildAsync(cancellationToken), session, done), StaffSections.WorkQueue);
    }

    [Function(nameof(AssignFromWorkQueue))]
    public async Task<IActionResult> AssignFromWorkQueue(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "staff/queue/{caseNumber}/assign")] HttpRequest request, string caseNumber, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var session = await auth.RequireFormAsync(request, QueuePage.AssignPurpose(caseNumber), [StaffRoles.MedicalDirector], cancellationToken);
        if (!session.Allowed) return session.Refusal!;
        var result = await queue.AssignAsync(caseNumber, session.Form!["reviewerId"], session.User.AuditName, durable, cancellationToken);
        // Post/redirect/get: a reload of the page that follows does not post again.
        if (result.Accepted) return new RedirectResult($"{QueuePage.Path}?assigned={Uri.EscapeDataString(caseNumber)}", permanent: false);
        return session.Page(QueuePage.Title, QueuePage.Body(await queue.BuildAsync(cancellationToken), session, result), StaffSections.WorkQueue, 409, hasErrors: true);
    }
}
