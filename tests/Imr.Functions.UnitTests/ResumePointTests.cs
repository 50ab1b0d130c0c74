using Imr.Functions.Storage;
using Imr.Functions.Workflow;

namespace Imr.Functions.UnitTests;

/// <summary>Where a restarted case is picked up, read from its stored case record and assignment rows (no storage needed).</summary>
public sealed class ResumePointTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 4, 16, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromHours(24);

    private static CaseEntity Case(string status) => new() { PartitionKey = "C1", Status = status };

    private static AssignmentEntity Assignment(int round, string reviewer, string status, DateTimeOffset? acceptedAt = null, string? declineReason = null, string? assignedBy = null) =>
        new() { PartitionKey = "C1", RowKey = $"C1-A{round}", Round = round, ReviewerId = reviewer, Status = status, OfferedAt = T0.AddHours(round), AcceptedAt = acceptedAt, DeclineReason = declineReason, AssignedBy = assignedBy };

    [Fact]
    public void An_accepted_assignment_after_a_declined_one_resumes_at_the_determination_wait_with_the_decliner_excluded()
    {
        var point = ResumePoint.From(Case("InReview"), [Assignment(2, "rev-b", "Accepted", T0.AddHours(3)), Assignment(1, "rev-a", "Declined")], Window, offerAnswered: true)!;

        Assert.Equal((ResumeStep.AwaitDetermination, 2, "C1-A2", "rev-b", T0.AddHours(3)), (point.Step, point.Round, point.AssignmentId, point.ReviewerId, point.ReviewStartedAt));
        Assert.Equal(["rev-a"], point.ExcludedReviewerIds);
        Assert.False(point.Reassigned);
    }

    [Fact]
    public void An_open_offer_resumes_at_its_answer_with_its_window_or_the_answer_recorded_while_the_orchestration_was_down()
    {
        var unanswered = ResumePoint.From(Case("AwaitingAcceptance"), [Assignment(1, "rev-a", "Offered")], Window, offerAnswered: false)!;
        var accepted = ResumePoint.From(Case("AwaitingAcceptance"), [Assignment(1, "rev-a", "Offered")], Window, offerAnswered: true)!;
        var declined = ResumePoint.From(Case("AwaitingAcceptance"), [Assignment(1, "rev-a", "Offered", declineReason: "away")], Window, offerAnswered: true)!;

        Assert.Equal((ResumeStep.AwaitAnswer, 1, T0.AddHours(25), (bool?)null), (unanswered.Step, unanswered.Round, unanswered.AnswerBy, unanswered.Answered));
        Assert.True(accepted.Answered);
        Assert.False(declined.Answered);
    }

    [Fact]
    public void A_hand_assignment_not_yet_recorded_as_accepted_resumes_at_the_determination_wait()
    {
        var point = ResumePoint.From(Case("AwaitingManualAssignment"), [Assignment(1, "rev-a", "TimedOut"), Assignment(2, "rev-c", "Offered", assignedBy: "Dr. MD")], Window, offerAnswered: false)!;

        Assert.Equal((ResumeStep.AwaitDetermination, 2, "rev-c"), (point.Step, point.Round, point.ReviewerId));
    }

    [Fact]
    public void Without_an_open_assignment_the_case_waits_for_the_medical_director_or_is_offered_in_the_next_round()
    {
        var manual = ResumePoint.From(Case("AwaitingManualAssignment"), [Assignment(1, "rev-a", "Declined"), Assignment(2, "rev-b", "TimedOut")], Window, offerAnswered: false)!;
        var next = ResumePoint.From(Case("InReview"), [Assignment(1, "rev-a", "Withdrawn", T0)], Window, offerAnswered: false)!;
        var fresh = ResumePoint.From(Case("Received"), [], Window, offerAnswered: false)!;

        var afterRefusals = ResumePoint.From(new CaseEntity { PartitionKey = "C1", Status = "AwaitingManualAssignment", ManualAssignmentRound = 4 }, [Assignment(1, "rev-a", "Declined"), Assignment(2, "rev-b", "TimedOut")], Window, offerAnswered: false)!;

        Assert.Equal((ResumeStep.AwaitManualAssignment, 2), (manual.Step, manual.Round));
        Assert.Equal(3, afterRefusals.Round); // refused choices used round 3 without a row: the medical director answers round 4
        Assert.Equal(["rev-a", "rev-b"], manual.ExcludedReviewerIds);
        Assert.Equal((ResumeStep.OfferNextRound, 1, true, "C1-A1"), (next.Step, next.Round, next.Reassigned, next.WithdrawnAssignmentId));
        Assert.Equal((ResumeStep.OfferNextRound, 0), (fresh.Step, fresh.Round));
        Assert.Null(ResumePoint.From(Case("Closed"), [], Window, offerAnswered: false));
    }
}
