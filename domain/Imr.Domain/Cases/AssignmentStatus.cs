namespace Imr.Domain.Cases;

/// <summary>Where one offer of a case to a reviewer stands; stored as text in the assignment row.</summary>
public enum AssignmentStatus
{
    Offered,
    Accepted,
    Declined,
    TimedOut,
    Withdrawn,
    Completed,
}

/// <summary>
/// The moves an assignment may make: an offer is accepted, declined or times out; an accepted assignment is completed (the
/// letter is issued) or withdrawn (its reviewer missed the due date); the ends are final. Anything else is a late or
/// repeated step and changes nothing: e.g. an acceptance recorded again after the assignment was completed.
/// </summary>
public static class AssignmentStatusTransitions
{
    public static bool Allows(AssignmentStatus from, AssignmentStatus to) =>
        from == to || from switch
        {
            AssignmentStatus.Offered => to is AssignmentStatus.Accepted or AssignmentStatus.Declined or AssignmentStatus.TimedOut or AssignmentStatus.Withdrawn,
            AssignmentStatus.Accepted => to is AssignmentStatus.Completed or AssignmentStatus.Withdrawn,
            _ => false,
        };

    /// <summary>Declined, timed out or withdrawn: the assignment ended without a determination and its links lead to the "superseded" page.</summary>
    public static bool HasEnded(AssignmentStatus status) => status is AssignmentStatus.Declined or AssignmentStatus.TimedOut or AssignmentStatus.Withdrawn;

    /// <summary>True for an assignment that can no longer change.</summary>
    public static bool IsFinal(AssignmentStatus status) => status is AssignmentStatus.Declined or AssignmentStatus.TimedOut or AssignmentStatus.Withdrawn or AssignmentStatus.Completed;

    /// <summary>The same for stored text; a status this version does not know is not blocked.</summary>
    public static bool Allows(string? from, string? to) =>
        !Enum.TryParse<AssignmentStatus>(from, out var f) || !Enum.TryParse<AssignmentStatus>(to, out var t) || Allows(f, t);
}
