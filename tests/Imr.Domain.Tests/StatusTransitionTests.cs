using Imr.Domain.Cases;

namespace Imr.Domain.Tests;

/// <summary>Case and assignment statuses only move forward: a late or repeated step can never take a case back.</summary>
public class StatusTransitionTests
{
    [Theory]
    [InlineData(CaseStatus.Received, CaseStatus.AwaitingAcceptance)]
    [InlineData(CaseStatus.AwaitingAcceptance, CaseStatus.InReview)]
    [InlineData(CaseStatus.InReview, CaseStatus.Overdue)]
    [InlineData(CaseStatus.InReview, CaseStatus.AwaitingAcceptance)] // reassignment after a missed reviewer due date
    [InlineData(CaseStatus.Overdue, CaseStatus.AwaitingManualAssignment)]
    [InlineData(CaseStatus.AwaitingManualAssignment, CaseStatus.InReview)]
    [InlineData(CaseStatus.InReview, CaseStatus.Closed)]
    [InlineData(CaseStatus.InReview, CaseStatus.NeedsAttention)]
    [InlineData(CaseStatus.NeedsAttention, CaseStatus.InReview)] // an operator's retry gives the earlier status back
    [InlineData(CaseStatus.NeedsAttention, CaseStatus.Received)]
    [InlineData(CaseStatus.Closed, CaseStatus.Closed)] // a repeated close is idempotent
    public void Forward_moves_are_allowed(CaseStatus from, CaseStatus to) => Assert.True(CaseStatusTransitions.Allows(from, to));

    [Theory]
    [InlineData(CaseStatus.Closed, CaseStatus.InReview)] // RecordAcceptance run again after the letter was issued
    [InlineData(CaseStatus.Closed, CaseStatus.AwaitingAcceptance)]
    [InlineData(CaseStatus.Closed, CaseStatus.Overdue)]
    [InlineData(CaseStatus.Closed, CaseStatus.NeedsAttention)]
    [InlineData(CaseStatus.InReview, CaseStatus.Received)]
    [InlineData(CaseStatus.AwaitingAcceptance, CaseStatus.Received)]
    public void Backward_moves_are_refused(CaseStatus from, CaseStatus to) => Assert.False(CaseStatusTransitions.Allows(from, to));

    [Fact]
    public void Stored_text_uses_the_same_table_and_unknown_statuses_are_not_blocked()
    {
        Assert.False(CaseStatusTransitions.Allows("Closed", "InReview"));
        Assert.True(CaseStatusTransitions.Allows("InReview", "Closed"));
        Assert.True(CaseStatusTransitions.Allows("SomethingNewer", "InReview"));
    }

    [Theory]
    [InlineData(AssignmentStatus.Offered, AssignmentStatus.Accepted, true)]
    [InlineData(AssignmentStatus.Offered, AssignmentStatus.Declined, true)]
    [InlineData(AssignmentStatus.Offered, AssignmentStatus.TimedOut, true)]
    [InlineData(AssignmentStatus.Accepted, AssignmentStatus.Accepted, true)] // acceptance recorded again on a resume: idempotent
    [InlineData(AssignmentStatus.Accepted, AssignmentStatus.Completed, true)]
    [InlineData(AssignmentStatus.Accepted, AssignmentStatus.Withdrawn, true)]
    [InlineData(AssignmentStatus.Completed, AssignmentStatus.Accepted, false)] // the stale RecordAcceptance of issue 12
    [InlineData(AssignmentStatus.Withdrawn, AssignmentStatus.Accepted, false)]
    [InlineData(AssignmentStatus.TimedOut, AssignmentStatus.Accepted, false)]
    [InlineData(AssignmentStatus.Declined, AssignmentStatus.TimedOut, false)]
    [InlineData(AssignmentStatus.Accepted, AssignmentStatus.Offered, false)]
    public void Assignments_move_only_forward(AssignmentStatus from, AssignmentStatus to, bool allowed) =>
        Assert.Equal(allowed, AssignmentStatusTransitions.Allows(from, to));

    [Theory]
    [InlineData(AssignmentStatus.Offered, false)]
    [InlineData(AssignmentStatus.Accepted, false)]
    [InlineData(AssignmentStatus.Completed, false)] // the case was decided with it: its links show their first result, not "superseded"
    [InlineData(AssignmentStatus.Declined, true)]
    [InlineData(AssignmentStatus.TimedOut, true)]
    [InlineData(AssignmentStatus.Withdrawn, true)]
    public void An_assignment_has_ended_when_it_was_declined_timed_out_or_withdrawn(AssignmentStatus status, bool ended) =>
        Assert.Equal(ended, AssignmentStatusTransitions.HasEnded(status));
}
