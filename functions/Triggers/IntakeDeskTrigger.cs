using Imr.Functions.Services;
using Imr.Functions.Web;
using Imr.Functions.Web.Staff;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Imr.Functions.Triggers;

/// <summary>
/// The intake desk (role IntakeDesk; a CaseViewer may read it, never act). Anonymous at the Functions level: the staff
/// identity guards it and names who acted in the audit.
/// </summary>
public sealed class IntakeDeskTrigger(IntakeDesk desk, StaffAuth auth)
{
    private static readonly string[] Readers = [StaffRoles.IntakeDesk, StaffRoles.CaseViewer];

    [Function(nameof(ShowIntakeDesk))]
    public async Task<IActionResult> ShowIntakeDesk([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "staff/intake")] HttpRequest request, CancellationToken cancellationToken)
    {
        var session = auth.Require(request, Readers);
        if (!session.Allowed) return session.Refusal!;
        IntakeDeskResult? done = request.Query["handled"].ToString() is { Length: > 0 and <= 40 } handled ? new(true, $"Package {handled} marked handled.")
            : request.Query["resolved"].ToString() is { Length: > 0 and <= 40 } resolved ? new(true, $"Case {resolved}: eligibility resolved, the case goes on.") : null;
        return session.Page(IntakeDeskPage.Title, IntakeDeskPage.Body(await desk.BuildAsync(cancellationToken), session, done), StaffSections.IntakeDesk);
    }

    [Function(nameof(MarkPackageHandled))]
    public async Task<IActionResult> MarkPackageHandled(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "staff/intake/{partition}/{rejectionId}/handled")] HttpRequest request, string partition, string rejectionId, CancellationToken cancellationToken)
    {
        var session = await auth.RequireFormAsync(request, IntakeDeskPage.HandledPurpose(partition, rejectionId), [StaffRoles.IntakeDesk], cancellationToken);
        if (!session.Allowed) return session.Refusal!;
        var result = await desk.MarkHandledAsync(partition, rejectionId, session.User.AuditName, cancellationToken);
        // Post/redirect/get: a reload of the page that follows does not post again.
        if (result.Accepted) return new RedirectResult($"{IntakeDeskPage.Path}?handled={Uri.EscapeDataString(rejectionId)}", permanent: false);
        return session.Page(IntakeDeskPage.Title, IntakeDeskPage.Body(await desk.BuildAsync(cancellationToken), session, result), StaffSections.IntakeDesk, 404, hasErrors: true);
    }

    [Function(nameof(ResolveEligibilityAtDesk))]
    public async Task<IActionResult> ResolveEligibilityAtDesk(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "staff/intake/cases/{caseNumber}/eligibility")] HttpRequest request, string caseNumber, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var session = await auth.RequireFormAsync(request, IntakeDeskPage.EligibilityPurpose(caseNumber), [StaffRoles.IntakeDesk], cancellationToken);
        if (!session.Allowed) return session.Refusal!;
        var result = await desk.ResolveEligibilityAsync(caseNumber, session.Form!["outcome"].ToString(), session.Form["reason"].ToString(), session.User.AuditName, durable, cancellationToken);
        if (result.Accepted) return new RedirectResult($"{IntakeDeskPage.Path}?resolved={Uri.EscapeDataString(caseNumber)}", permanent: false);
        return session.Page(IntakeDeskPage.Title, IntakeDeskPage.Body(await desk.BuildAsync(cancellationToken), session, result), StaffSections.IntakeDesk, 409, hasErrors: true);
    }
}
