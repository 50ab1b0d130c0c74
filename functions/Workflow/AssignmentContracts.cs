namespace Imr.Functions.Workflow;

// Assignment of a reviewer: events and activity inputs. Ids and short reasons only, never clinical text.

/// <summary>Events of the assignment part of the case orchestration (besides <see cref="CaseEvents.ReviewerAccepted"/>).</summary>
public static class AssignmentEvents
{
    public const string ReviewerDeclined = nameof(ReviewerDeclined);
    /// <summary>The medical director chose a reviewer by hand (admin route) after nobody was left.</summary>
    public const string ManualAssignment = nameof(ManualAssignment);
    /// <summary>The medical director reassigned an overdue case from the console (workflow version 2.1 on).</summary>
    public const string OverdueReassignment = nameof(OverdueReassignment);
}

/// <param name="FromAssignmentId">The assignment being replaced: an event for any other (stale, repeated) changes nothing.</param>
public sealed record OverdueReassignment(string FromAssignmentId, string ReviewerId, string AssignedBy);

/// <summary>The reviewer declined; the reason (and a declared conflict) is stored on the assignment by the callback route.</summary>
public sealed record ReviewerDeclined(string AssignmentId);

/// <param name="Round">The manual-assignment round the choice answers (the escalation records it on the case); the
/// orchestration ignores a choice for any other round, so a stale or repeated event can never assign a case later.</param>
public sealed record ManualAssignment(string ReviewerId, string AssignedBy, int Round);

public sealed record ManualAssignmentRequest(string CaseNumber, int Round, string ReviewerId, string AssignedBy);

/// <summary>How an offer ended when it was not accepted.</summary>
public sealed record OfferDeclinedOrExpired(string CaseNumber, string AssignmentId, string ReviewerId, bool Declined);
