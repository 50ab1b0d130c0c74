namespace Imr.Domain.Cases;

/// <summary>Where a case stands; stored as text in the case record.</summary>
public enum CaseStatus
{
    Received,
    AwaitingAcceptance,
    InReview,
    Overdue,
    AwaitingManualAssignment,
    Closed,
}
