namespace Imr.Domain.Callbacks;

/// <summary>What a reviewer's link leads to; each outcome other than <see cref="Usable"/> has its own page and changes nothing.</summary>
public enum LinkOutcome
{
    Usable,
    /// <summary>Damaged, forged, signed with an unknown key, or for another page or assignment.</summary>
    Tampered,
    Expired,
    /// <summary>The case was reassigned (or the offer withdrawn): the link's assignment is no longer the case's current one.</summary>
    Superseded,
    /// <summary>The single-use action was already taken; the page shows the first result.</summary>
    Reused,
}

/// <summary>The stored facts a link is judged against, read by the service from Table storage.</summary>
public sealed record AssignmentFacts(string AssignmentId, string ReviewerId, bool IsCurrent, bool Ended);

/// <summary>Decides what a link may do, from its verified token and the assignment's stored state. Pure, so every case is unit-tested.</summary>
public static class CallbackLinkRules
{
    public static LinkOutcome Judge(TokenVerification verification, AssignmentFacts? assignment, bool alreadyUsed)
    {
        switch (verification.Problem)
        {
            case TokenProblem.None:
                break;
            case TokenProblem.Expired:
                // Only a genuine (signature-checked) token can be "expired"; its claims are trustworthy.
                return LinkOutcome.Expired;
            default:
                return LinkOutcome.Tampered;
        }

        var claims = verification.Claims!;
        if (assignment is null || assignment.AssignmentId != claims.AssignmentId || assignment.ReviewerId != claims.ReviewerId)
        {
            return LinkOutcome.Tampered;
        }

        // A used link stays "reused" (showing its first result) even once the assignment moved on.
        if (alreadyUsed) return LinkOutcome.Reused;
        if (!assignment.IsCurrent || assignment.Ended) return LinkOutcome.Superseded;
        return LinkOutcome.Usable;
    }
}
