using Imr.Functions.Services;
using Microsoft.Azure.Functions.Worker;

namespace Imr.Functions.Workflow;

/// <summary>Issuing the Final Determination Letter (see LetterIssuer): idempotent, because the backend may run it twice.</summary>
public sealed class IssuanceActivities(LetterIssuer issuer)
{
    [Function(nameof(IssueDetermination))]
    public Task<IssuedLetter> IssueDetermination([ActivityTrigger] IssueRequest request) => issuer.IssueAsync(request);
}
