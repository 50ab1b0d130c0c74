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
public sealed class IntakeDeskTrigger(IntakeDesk desk, QuarantineRelease release, StaffAuth auth)
{
    private static readonly string[] Readers = [StaffRoles.IntakeDesk, StaffRoles.CaseViewer];

    [Function(nameof(ShowIntakeDesk))]
    public async Task<IActionResult> ShowIntakeDesk([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "staff/intake")] HttpRequest request, CancellationToken cancellationToken)
    {
        var session = auth.Require(request, Readers);
        if (!session.Allowed) return session.Refusal!;
        IntakeDeskResult? done = request.Query["handled"].ToString() is { Length: > 0 and <= 40 } handled ? new(true, $"Package {handled} marked handled.")
            : request.Query["resolved"].ToString() is { Length: > 0 and <= 40 } resolved ? new(true, $"Case {resolved}: eligibility resolved, the case goes on.")
            : request.Query["corrected"].ToString() is { Length: > 0 and <= 40 } corrected ? new(true, $"Corrected file added to package {corrected}. Release the package when it is complete.")
            : request.Query["released"].ToString() is { Length: > 0 and <= 40 } released ? new(true, $"Package {released} released: intake checks it again as a new delivery.") : null;
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

    [Function(nameof(AddQuarantineCorrection))]
    public async Task<IActionResult> AddQuarantineCorrection(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "staff/intake/{partition}/{rejectionId}/corrections")] HttpRequest request, string partition, string rejectionId, CancellationToken cancellationToken)
    {
        var session = await auth.RequireFormAsync(request, IntakeDeskPage.CorrectionPurpose(partition, rejectionId), [StaffRoles.IntakeDesk], cancellationToken);
        if (!session.Allowed) return session.Refusal!;
        var file = session.Form!.Files["file"];
        await using var content = file?.OpenReadStream();
        var result = await release.AddCorrectionAsync(partition, rejectionId, file?.FileName, content, file?.Length ?? 0, session.User.AuditName, cancellationToken);
        if (result.Accepted) return new RedirectResult($"{IntakeDeskPage.Path}?corrected={Uri.EscapeDataString(rejectionId)}#{IntakeDeskPage.PackageAnchor(rejectionId)}", permanent: false);
        return session.Page(IntakeDeskPage.Title, IntakeDeskPage.Body(await desk.BuildAsync(cancellationToken), session, result), StaffSections.IntakeDesk, 400, hasErrors: true);
    }

    [Function(nameof(ReleaseQuarantinedPackage))]
    public async Task<IActionResult> ReleaseQuarantinedPackage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "staff/intake/{partition}/{rejectionId}/release")] HttpRequest request, string partition, string rejectionId, CancellationToken cancellationToken)
    {
        var session = await auth.RequireFormAsync(request, IntakeDeskPage.ReleasePurpose(partition, rejectionId), [StaffRoles.IntakeDesk], cancellationToken);
        if (!session.Allowed) return session.Refusal!;
        var result = await release.ReleaseAsync(partition, rejectionId, session.User.AuditName, cancellationToken);
        if (result.Accepted) return new RedirectResult($"{IntakeDeskPage.Path}?released={Uri.EscapeDataString(rejectionId)}", permanent: false);
        return session.Page(IntakeDeskPage.Title, IntakeDeskPage.Body(await desk.BuildAsync(cancellationToken), session, result), StaffSections.IntakeDesk, 409, hasErrors: true);
    }
}
