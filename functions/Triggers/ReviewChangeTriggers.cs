using System.Text.Json;
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
/// Conversion to expedited (8 CCR 9792.10.4(c)) and the end of the review on authorisation (8 CCR 9792.10.6(a)): keyed
/// routes for the claims administrator's system (a function key guards them in Azure) and CSRF-checked staff forms on
/// the case page (IntakeDesk or MedicalDirector, audited with the person's name). Both call <see cref="ReviewChangeRequests"/>.
/// </summary>
public sealed class ReviewChangeTriggers(ReviewChangeRequests requests, StaffAuth auth)
{
    private static readonly string[] Actors = [StaffRoles.IntakeDesk, StaffRoles.MedicalDirector];

    [Function(nameof(ConvertToExpedited))]
    public async Task<IActionResult> ConvertToExpedited(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "manage/cases/{caseNumber}/expedite")] HttpRequest request, string caseNumber, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var body = await ReadAsync(request, cancellationToken);
        if (body is null) return new BadRequestObjectResult(new { error = "The body is not JSON of the form {\"requestedBy\": \"...\"}." });
        return Answer(await requests.ConvertToExpeditedAsync(caseNumber, Caller(body), durable, cancellationToken), caseNumber);
    }

    [Function(nameof(ReportTreatmentAuthorised))]
    public async Task<IActionResult> ReportTreatmentAuthorised(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "manage/cases/{caseNumber}/authorised")] HttpRequest request, string caseNumber, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var body = await ReadAsync(request, cancellationToken);
        if (body is null) return new BadRequestObjectResult(new { error = "The body is not JSON of the form {\"requestedBy\": \"...\", \"items\": [\"...\"]}." });
        return Answer(await requests.TreatmentAuthorisedAsync(caseNumber, body.Items, Caller(body), durable, cancellationToken), caseNumber);
    }

    [Function(nameof(ConvertToExpeditedByStaff))]
    public async Task<IActionResult> ConvertToExpeditedByStaff(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "staff/cases/{caseNumber}/expedite")] HttpRequest request, string caseNumber, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var session = await auth.RequireFormAsync(request, ReviewChangeForms.ExpeditePurpose(caseNumber), Actors, cancellationToken);
        if (!session.Allowed) return session.Refusal!;
        return Staff(session, caseNumber, await requests.ConvertToExpeditedAsync(caseNumber, session.User!.AuditName, durable, cancellationToken));
    }

    [Function(nameof(ReportTreatmentAuthorisedByStaff))]
    public async Task<IActionResult> ReportTreatmentAuthorisedByStaff(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "staff/cases/{caseNumber}/authorised")] HttpRequest request, string caseNumber, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var session = await auth.RequireFormAsync(request, ReviewChangeForms.AuthorisedPurpose(caseNumber), Actors, cancellationToken);
        if (!session.Allowed) return session.Refusal!;
        return Staff(session, caseNumber, await requests.TreatmentAuthorisedAsync(caseNumber, null, session.User!.AuditName, durable, cancellationToken));
    }

    /// <summary>Post/redirect/get on success (a reload does not post again); the refusal's reason on a page otherwise.</summary>
    private static IActionResult Staff(StaffSession session, string caseNumber, ReviewChangeResult result) =>
        result.Status is StatusCodes.Status202Accepted or StatusCodes.Status200OK
            ? new RedirectResult($"/api/staff/cases/{Uri.EscapeDataString(caseNumber)}", permanent: false)
            : session.Page($"Case {caseNumber}", ReviewChangeForms.Refused(caseNumber, result.Message), StaffSections.Cases, result.Status, hasErrors: true);

    private static ObjectResult Answer(ReviewChangeResult result, string caseNumber) =>
        new(result.Status < 300 ? new { caseNumber, message = result.Message } : new { error = result.Message }) { StatusCode = result.Status };

    /// <summary>The caller's name for the audit: the system as it names itself, marked as a keyed call.</summary>
    private static string Caller(ChangeRequest body) =>
        $"{(string.IsNullOrWhiteSpace(body.RequestedBy) ? "unnamed system" : body.RequestedBy.Trim()[..Math.Min(body.RequestedBy.Trim().Length, 80)])} (keyed route)";

    /// <summary>An empty body is an empty request; a body that is not the request's JSON is null.</summary>
    private static async Task<ChangeRequest?> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            using var reader = new StreamReader(request.Body);
            var text = await reader.ReadToEndAsync(ct);
            return string.IsNullOrWhiteSpace(text) ? new ChangeRequest(null, null) : JsonSerializer.Deserialize<ChangeRequest>(text, CasePackage.JsonOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The keyed routes' JSON body: who asks (for the audit) and, for an authorisation, the items (default: all).</summary>
    public sealed record ChangeRequest(string? RequestedBy, IReadOnlyList<string>? Items);
}
