using Imr.Functions.Services;
using Imr.Functions.Web;
using Imr.Functions.Web.Staff;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Imr.Functions.Triggers;

/// <summary>
/// A case's status as JSON for upstream systems (function key), and the staff console's case list and case page (staff
/// identity, every read audited with the reader).
/// </summary>
public sealed class CaseStatusTrigger(CaseStatusQuery query, StaffCases staffCases, StaffAuth auth)
{
    [Function(nameof(GetCaseStatus))]
    public async Task<IActionResult> GetCaseStatus(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "cases/{caseNumber}")] HttpRequest request, string caseNumber, CancellationToken cancellationToken)
    {
        var view = await query.GetAsync(caseNumber, cancellationToken);
        return view is null ? new NotFoundObjectResult(new { error = $"No case {caseNumber}." }) : new OkObjectResult(view);
    }

    /// <summary>The old status page's address: the page is now the staff console's, behind a staff sign-in.</summary>
    [Function(nameof(ShowCaseStatus))]
    public IActionResult ShowCaseStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "cases/{caseNumber}/page")] HttpRequest request, string caseNumber) =>
        new RedirectResult(StaffCasesPage.CaseLink(caseNumber));

    [Function(nameof(ListCases))]
    public async Task<IActionResult> ListCases(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "staff/cases")] HttpRequest request, CancellationToken cancellationToken)
    {
        var session = auth.Require(request, StaffRoles.All);
        if (!session.Allowed) return session.Refusal!;
        return StaffCasesPage.Render(await staffCases.SearchAsync(StaffCasesPage.Parse(request.Query), cancellationToken), session);
    }

    [Function(nameof(ShowCase))]
    public async Task<IActionResult> ShowCase(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "staff/cases/{caseNumber}")] HttpRequest request, string caseNumber, CancellationToken cancellationToken)
    {
        var session = auth.Require(request, StaffRoles.All);
        if (!session.Allowed) return session.Refusal!;
        var view = await staffCases.ReadAsync(caseNumber, session.User, cancellationToken);
        return view is null ? session.Page("Case not found", $"<p role=\"status\">No case {Html.E(caseNumber)}.</p>", StaffSections.Cases, 404) : CaseStatusPage.Render(view, session);
    }
}
