using System.Globalization;
using Imr.Domain.Cases;
using Imr.Functions.Services;
using Imr.Functions.Web;
using Imr.Functions.Web.Staff;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Imr.Functions.Triggers;

/// <summary>
/// The letter correction form of the staff console (role IntakeDesk: the desk that serves letters on the parties corrects
/// them; the medical director and viewers read). Anonymous at the Functions level: the staff identity guards it and is
/// named in the audit. The keyed route manage/cases/{case}/letters/corrections stays for machine callers.
/// </summary>
public sealed class StaffLetterCorrectionTrigger(StaffLetterCorrections corrections, StaffAuth auth)
{
    [Function(nameof(ShowLetterCorrection))]
    public async Task<IActionResult> ShowLetterCorrection(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "staff/cases/{caseNumber}/letter-correction")] HttpRequest request, string caseNumber, CancellationToken cancellationToken)
    {
        var session = auth.Require(request, StaffRoles.IntakeDesk);
        if (!session.Allowed) return session.Refusal!;
        if (!CaseNumber.TryParse(caseNumber, out var number) || await corrections.CurrentAsync(number.Value, cancellationToken) is not { } current)
        {
            return Html.Message("No letter to correct", $"Case {caseNumber} has no issued letter.", 404);
        }

        return LetterCorrectionPage.Render(number.Value, current.Version, current.Package, LetterCorrectionPage.Prefill(current.Determination), session);
    }

    [Function(nameof(CorrectLetterFromConsole))]
    public async Task<IActionResult> CorrectLetterFromConsole(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "staff/cases/{caseNumber}/letter-correction")] HttpRequest request, string caseNumber, CancellationToken cancellationToken)
    {
        var session = await auth.RequireFormAsync(request, LetterCorrectionPage.Purpose(caseNumber), [StaffRoles.IntakeDesk], cancellationToken);
        if (!session.Allowed) return session.Refusal!;
        if (!CaseNumber.TryParse(caseNumber, out var number) || await corrections.CurrentAsync(number.Value, cancellationToken) is not { } current)
        {
            return Html.Message("No letter to correct", $"Case {caseNumber} has no issued letter.", 404);
        }

        var form = new FormState(session.Form!.Select(f => KeyValuePair.Create(f.Key, f.Value.ToString())));
        var reason = form[LetterCorrectionPage.ReasonField].Trim();
        if (reason.Length == 0) form.Fail(LetterCorrectionPage.ReasonField, "Say why the letter is corrected.");
        else if (reason.Length > 2000) form.Fail(LetterCorrectionPage.ReasonField, "Keep the reason under 2,000 characters.");
        var basedOn = int.TryParse(form[LetterCorrectionPage.BasedOnField], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : current.Version;
        var determination = ReviewerForms.ReadDetermination(form, current.Package);
        if (determination is null || !form.IsValid)
        {
            return LetterCorrectionPage.Render(number.Value, current.Version, current.Package, form, session, 400);
        }

        var result = await corrections.CorrectAsync(number.Value, new LetterCorrectionRequest(basedOn, reason, determination), session.User.AuditName, cancellationToken);
        switch (result.Status)
        {
            case CorrectionStatus.Issued or CorrectionStatus.AlreadyIssued:
                // Post/redirect/get: the case page shows the new version; a reload does not post again (and a repeat issues nothing).
                return new RedirectResult($"{StaffCasesPage.CaseLink(number.Value)}?corrected={result.Letter!.Version}", permanent: false);
            case CorrectionStatus.Conflict:
                form.Fail(LetterCorrectionPage.BasedOnField, $"Version {result.Letter?.Version} was issued since this form was opened; nothing was changed. Open the form again to correct the latest version.");
                return LetterCorrectionPage.Render(number.Value, current.Version, current.Package, form, session, 409);
            default:
                foreach (var r in result.Reasons) form.Fail(ReviewerForms.Summary, r);
                return LetterCorrectionPage.Render(number.Value, current.Version, current.Package, form, session, result.Status == CorrectionStatus.NotFound ? 404 : 400);
        }
    }
}
