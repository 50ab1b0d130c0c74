using Imr.Functions.Storage;
using Imr.Functions.Web;
using Imr.Functions.Web.Staff;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Services;

/// <summary>
/// Absolute links to staff console pages for mails to staff: the page that resolves what the mail is about, never a
/// route to POST to. No key and no token in them: the staff sign-in guards every page. One setting names the console's
/// address (<see cref="StaffOptions.ConsoleBaseUrl"/>; by default the address of the app's own public routes).
/// </summary>
public sealed class ConsoleLinks(IOptions<StaffOptions> staff, IOptions<CallbackOptions> callback)
{
    /// <summary>Scheme, host and port (and a path prefix, if the console sits under one) with no trailing slash.</summary>
    public string BaseUrl => staff.Value.ConsoleBaseUrl is { Length: > 0 } configured
        ? configured.TrimEnd('/')
        : new Uri(callback.Value.PublicBaseUrl).GetLeftPart(UriPartial.Authority);

    /// <summary>An absolute link to a console path ("/api/staff/…").</summary>
    public string To(string path) => BaseUrl + path;

    public string CasePage(string caseNumber) => To(StaffCasesPage.CaseLink(caseNumber));

    /// <summary>The work queue at the case's section (awaiting a manual assignment, or overdue).</summary>
    public string WorkQueue(string caseNumber) => To($"{QueuePage.Path}#{QueuePage.Anchor(caseNumber)}");

    /// <summary>The intake desk, at the case's eligibility question or a quarantined package.</summary>
    public string IntakeDesk(string anchor) => To($"{IntakeDeskPage.Path}#{Uri.EscapeDataString(anchor)}");

    /// <summary>
    /// The page that resolves an escalation: an overdue case or one waiting for a reviewer is reassigned or assigned on
    /// the work queue; everything else (at risk, needs attention, a stopped workflow, a missed reviewer due date, an
    /// answer not applied) is read and acted on from the case page.
    /// </summary>
    public string ForEscalation(string caseNumber, string level) =>
        level == EscalationLevels.Overdue || level.StartsWith("MedicalDirector", StringComparison.Ordinal) ? WorkQueue(caseNumber) : CasePage(caseNumber);
}
