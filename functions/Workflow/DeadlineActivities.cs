using Imr.Domain.Eligibility;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Workflow;

/// <summary>Activities of the review deadlines: the reminder schedule, reminders, and the missed-reviewer-due escalation. Idempotent by notification id.</summary>
public sealed class DeadlineActivities(CaseStore cases, RosterStore roster, Outbox outbox, Escalations escalations, IOptions<ImrOptions> options, ILogger<DeadlineActivities> logger)
{
    /// <summary>The reminder points of the case's program's policy (the orchestrator reads no configuration itself).</summary>
    [Function(nameof(ScheduleReview))]
    public async Task<ReviewSchedule> ScheduleReview([ActivityTrigger] ReviewScheduleRequest request)
    {
        var program = request.Program ?? (await cases.GetAsync(request.CaseNumber))?.Program;
        return new(options.Value.PolicyFor(program).RemindersFor(request.ReviewStart, request.ReviewerDueAt).Select(r => new ReminderAt(r.Name, r.At)).ToList());
    }

    [Function(nameof(RemindReviewer))]
    public async Task RemindReviewer([ActivityTrigger] ReviewerReminder reminder)
    {
        var reviewer = await roster.GetAsync(reminder.ReviewerId) ?? throw new InvalidOperationException("Reviewer left the roster.");
        await outbox.EnqueueAsync(new Notification(
            $"{reminder.AssignmentId}-reminder-{reminder.Name}",
            reminder.CaseNumber,
            reviewer.Email,
            ReviewerNotices.Reminder(reminder.CaseNumber, reminder.ReviewerDueAt)));
        logger.LogInformation("Reminder {Reminder} sent for assignment {AssignmentId}", reminder.Name, reminder.AssignmentId);
    }

    /// <summary>
    /// The reviewer's due date passed: the medical director is told and the case record carries the replacement's due
    /// date (the case's own due date does not move). The orchestrator withdraws the assignment (EndAssignment) and
    /// offers the case again through its offer loop.
    /// </summary>
    [Function(nameof(EscalateMissedReviewerDue))]
    public async Task EscalateMissedReviewerDue([ActivityTrigger] MissedReviewerDue missed)
    {
        await cases.UpdateAsync(missed.CaseNumber, c => c.ReviewerDueAt = missed.ReplacementDueAt);
        var (subject, body) = MedicalDirectorNotices.ReviewerMissedDue(missed.CaseNumber, missed.AssignmentId, missed.ReviewerId);
        await escalations.SendOnceAsync(
            missed.CaseNumber,
            EscalationLevels.ReviewerMissedDue(missed.AssignmentId),
            subject,
            body);
    }
}
