using Imr.Functions.Services;
using Microsoft.Azure.Functions.Worker;

namespace Imr.Functions.Workflow;

/// <summary>Issuing the Final Determination Letter (see LetterIssuer): idempotent, because the backend may run it twice.</summary>
public sealed class IssuanceActivities(LetterIssuer issuer, CaseClosing closing)
{
    /// <summary>
    /// Issues the letter; from workflow version 3.1 (<see cref="IssueRequest.CloseWith"/>) also closes the case once the
    /// letter is out, in the same step: a retry issues nothing twice (the issuer finds the letter) and closes again.
    /// </summary>
    [Function(nameof(IssueDetermination))]
    public async Task<IssuedLetter> IssueDetermination([ActivityTrigger] IssueRequest request)
    {
        var letter = await issuer.IssueAsync(request);
        if (request.CloseWith is { } offer && !letter.ReturnedForCorrection)
        {
            await closing.CloseAsync(offer);
        }

        return letter;
    }
}
