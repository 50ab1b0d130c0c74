using Imr.Functions.Services;
using Microsoft.Azure.Functions.Worker;

namespace Imr.Functions.Workflow;

/// <summary>Issuing the Final Determination Letter (see LetterIssuer): idempotent, because the backend may run it twice.</summary>
public sealed class IssuanceActivities(LetterIssuer issuer, CaseClosing closing, TimeProvider time)
{
    /// <summary>
    /// Issues the letter; from workflow version 3.1 (<see cref="IssueRequest.CloseWith"/>) also closes the case once the
    /// letter is out, in the same step: a retry issues nothing twice (the issuer finds the letter) and closes again. The
    /// letter and the close go on the case's row in one write, after the notices.
    /// </summary>
    [Function(nameof(IssueDetermination))]
    public async Task<IssuedLetter> IssueDetermination([ActivityTrigger] IssueRequest request)
    {
        if (request.CloseWith is not { } offer)
        {
            return await issuer.IssueAsync(request);
        }

        var now = time.GetUtcNow();
        var (letter, closedRow) = await issuer.IssueAsync(request, c => CaseClosing.Close(c, now));
        if (!letter.ReturnedForCorrection)
        {
            await closing.CloseAsync(offer, closedRow);
        }

        return letter;
    }
}
