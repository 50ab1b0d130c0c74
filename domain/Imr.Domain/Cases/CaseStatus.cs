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
    /// <summary>A workflow step failed for a reason retrying cannot cure: the medical director was told; an operator retries the case.</summary>
    NeedsAttention,
}

/// <summary>
/// The moves a case's status may make. A write that is not one of them is a late or repeated step (e.g. an activity run a
/// second time after the case moved on) and changes nothing. Staying put is always allowed (a repeated step is idempotent).
/// </summary>
public static class CaseStatusTransitions
{
    private static readonly CaseStatus[] Working = [CaseStatus.AwaitingAcceptance, CaseStatus.InReview, CaseStatus.Overdue, CaseStatus.AwaitingManualAssignment];

    /// <summary>
    /// Received → any; offered, in review, overdue and awaiting a manual assignment → one another (reassignments go back
    /// to offers), Closed or NeedsAttention; NeedsAttention → wherever the retried step takes it; Closed is final.
    /// </summary>
    public static bool Allows(CaseStatus from, CaseStatus to) =>
        from == to || from switch
        {
            CaseStatus.Received or CaseStatus.NeedsAttention => true,
            CaseStatus.Closed => false,
            _ => to != CaseStatus.Received && (Working.Contains(to) || to is CaseStatus.Closed or CaseStatus.NeedsAttention),
        };

    /// <summary>The same for stored text; a status this version does not know is not blocked.</summary>
    public static bool Allows(string? from, string? to) =>
        !Enum.TryParse<CaseStatus>(from, out var f) || !Enum.TryParse<CaseStatus>(to, out var t) || Allows(f, t);
}
