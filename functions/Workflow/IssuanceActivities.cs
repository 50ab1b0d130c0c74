using Imr.Domain.Callbacks;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Microsoft.Azure.Functions.Worker;

namespace Imr.Functions.Workflow;

/// <summary>Issuing the Final Determination Letter (see LetterIssuer): idempotent, because the backend may run it twice.</summary>
public sealed class IssuanceActivities(LetterIssuer issuer, CaseClosing closing, AuditLog audit, TimeProvider time)
{
    /// <summary>
    /// Issues the letter; from workflow version 3.1 (<see cref="IssueRequest.CloseWith"/>) also closes the case once the
    /// letter is out, in the same step: a retry issues nothing twice (the issuer finds the letter) and closes again. The
    /// letter and the close go on the case's row in one write, after the notices.
    /// </summary>
    [Function(nameof(IssueDetermination))]
    public async Task<IssuedLetter> IssueDetermination([ActivityTrigger] IssueRequest request)
    {
        // The reviewer's answer is on the trail once the case acts on it: with the close's own row when the step closes.
        var answered = ReviewerCallbacks.AnsweredRow(request.AssignmentId, CallbackAction.SubmitDetermination);
        var now = time.GetUtcNow();
        var (letter, closedRow) = await issuer.IssueAsync(request, request.CloseWith is null ? null : c => CaseClosing.Close(c, now));
        if (request.CloseWith is { } offer && !letter.ReturnedForCorrection)
        {
            await closing.CloseAsync(offer, closedRow, [answered]);
        }
        else
        {
            await audit.RecordAllAsync(request.CaseNumber, [answered]);
        }

        return letter;
    }
}
