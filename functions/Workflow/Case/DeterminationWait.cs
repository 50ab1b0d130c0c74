using Imr.Domain.Deadlines;
using Microsoft.DurableTask;

namespace Imr.Functions.Workflow;

/// <summary>
/// The wait for the determination, on durable timers: reminders, the reviewer's due date, the case's due date.
/// Part of CaseOrchestrator's code, but not a partial of it: the DurableTask analyzer (0.2.0) analyzes a partial
/// orchestrator's methods with the semantic model of whichever of its files it visits first, and then fails the
/// build at random (AD0001 "Syntax node is not within syntax tree"). A static helper class is analyzed correctly.
/// </summary>
internal static class DeterminationWait
{
    private enum PointKind { Reminder, ReviewerDue, CaseDue }

    private sealed record WaitPoint(PointKind Kind, DateTime At, string Name);

    /// <summary>
    /// Waits for the accepted reviewer's determination. Reminders go out at the policy's points; the reviewer due date
    /// passing withdraws the assignment, tells the medical director and offers the case again (the offer loop, with the
    /// late reviewers excluded, and when nobody accepts the medical director assigns by hand); the case due date passing
    /// marks the case overdue and escalates it once, and the wait goes on, because a late determination is still valid.
    /// A wait for a corrected revision (<paramref name="revision"/> &gt; 0, after the quality check returned the
    /// determination) has only the case's due date: no reminders, and no reassignment of the reviewer correcting it.
    /// Each timer is cancelled as soon as the determination wins. A single event waiter serves the whole wait, because
    /// the SDK hands an event to the newest waiter even if that waiter was cancelled.
    /// </summary>
    /// <param name="roundsUsed">Offer rounds used so far; a reassignment's offers continue after them.</param>
    /// <param name="excludedReviewers">Reviewers a reassignment never offers to (a resumed case's ended assignments).</param>
    /// <param name="reviewStartedAt">When the reviewer's time began, if before now (a resumed case keeps its reminder schedule).</param>
    internal static async Task<(DeterminationSubmitted Submitted, AssignmentOffer Offer)> WaitForDeterminationAsync(TaskOrchestrationContext context, CaseRegistered registered, AssignmentOffer offer, int roundsUsed, int revision = 0,
        IEnumerable<string>? excludedReviewers = null, DateTimeOffset? reviewStartedAt = null)
    {
        var changes = ReviewChangeWait.Of(context);
        registered = changes?.Current(registered) ?? registered; // a conversion during the offers: its deadlines
        var current = offer;
        var reviewerDue = registered.ReviewerDueAt;
        var overdue = false;
        var excluded = new List<string>(excludedReviewers ?? []);
        var eventTask = context.WaitForExternalEvent<DeterminationSubmitted>(CaseEvents.DeterminationSubmitted);
        // From version 2.1: the medical director's reassignment of the overdue case (one waiter for the whole wait, as above).
        var reassignTask = OverdueReassignmentStep.Waiter(context, revision);
        // Only the current assignment's determination counts, and during a correction only the corrected revision.
        bool Counts(DeterminationSubmitted s) => s.AssignmentId == current.AssignmentId && s.Revision >= revision;

        while (true)
        {
            var reminders = await RemindersAsync(context, registered, current, reviewStartedAt ?? context.CurrentUtcDateTime, reviewerDue);
            reviewStartedAt = null; // a replacement reviewer's time starts now
            List<WaitPoint> points = revision > 0 ? [] : reminders.Select(r => new WaitPoint(PointKind.Reminder, r.At.UtcDateTime, r.Name)).ToList();
            // A reviewer due date at (or after) the case's is covered by the overdue escalation: no reassignment then.
            if (revision == 0 && reviewerDue < registered.CaseDueAt) points.Add(new WaitPoint(PointKind.ReviewerDue, reviewerDue.UtcDateTime, "reviewer-due"));
            if (!overdue) points.Add(new WaitPoint(PointKind.CaseDue, registered.CaseDueAt.UtcDateTime, "case-due"));
            points = points.OrderBy(p => p.At).ThenBy(p => p.Kind).ToList();

            var missed = false;
            var rescheduled = false;
            AssignmentOffer? reassigned = null;
            foreach (var point in points)
            {
                // Wait for this point unless the right determination comes first; a determination for another assignment is ignored.
                while (point.At > context.CurrentUtcDateTime)
                {
                    using var cts = new CancellationTokenSource();
                    var timer = context.CreateTimer(point.At, cts.Token);
                    var change = changes?.Next(context);
                    var first = await Task.WhenAny(Pending(eventTask, timer, reassignTask, change));
                    if (first == timer)
                    {
                        break;
                    }

                    cts.Cancel();
                    if (first == change)
                    {
                        // Converted to expedited: the schedule starts again from the new deadlines (an authorisation ends the run).
                        (registered, reviewerDue) = await RescheduleAsync(context, changes!, registered, revision);
                        rescheduled = true;
                        break;
                    }

                    if (reassignTask is not null && first == reassignTask)
                    {
                        (reassigned, roundsUsed) = await OverdueReassignmentStep.ApplyAsync(context, registered.CaseNumber, current, overdue, roundsUsed, reassignTask.Result);
                        reassignTask = OverdueReassignmentStep.Waiter(context, revision);
                        if (reassigned is not null) break;
                        continue;
                    }

                    var submitted = await eventTask;
                    if (Counts(submitted))
                    {
                        return (submitted, current);
                    }

                    eventTask = context.WaitForExternalEvent<DeterminationSubmitted>(CaseEvents.DeterminationSubmitted);
                }

                if (rescheduled || reassigned is not null) break;

                if (eventTask.IsCompletedSuccessfully && Counts(eventTask.Result))
                {
                    return (eventTask.Result, current); // arrived together with the timer: the determination wins
                }

                switch (point.Kind)
                {
                    case PointKind.Reminder:
                        await context.CallActivityAsync(nameof(DeadlineActivities.RemindReviewer), new ReviewerReminder(registered.CaseNumber, current.AssignmentId, current.ReviewerId, point.Name, reviewerDue), ActivityRetry.Options);
                        break;
                    case PointKind.CaseDue:
                        await context.CallActivityAsync(nameof(CaseActivities.MarkOverdue), registered.CaseNumber, ActivityRetry.Options);
                        overdue = true;
                        break;
                    case PointKind.ReviewerDue:
                        missed = true;
                        break;
                }

                if (missed) break;
            }

            if (rescheduled) continue;

            if (!missed && reassigned is null)
            {
                // Every timer has fired: only the determination (or a review change, or from version 2.1 a reassignment) is left to wait for.
                while (reassigned is null)
                {
                    var change = changes?.Next(context);
                    var first = await Task.WhenAny(Pending(eventTask, reassignTask, change));
                    if (first == change)
                    {
                        (registered, reviewerDue) = await RescheduleAsync(context, changes!, registered, revision);
                        rescheduled = true;
                        break;
                    }

                    if (reassignTask is not null && first == reassignTask)
                    {
                        (reassigned, roundsUsed) = await OverdueReassignmentStep.ApplyAsync(context, registered.CaseNumber, current, overdue, roundsUsed, reassignTask.Result);
                        reassignTask = OverdueReassignmentStep.Waiter(context, revision);
                        continue;
                    }

                    var submitted = await eventTask;
                    if (Counts(submitted))
                    {
                        return (submitted, current);
                    }

                    eventTask = context.WaitForExternalEvent<DeterminationSubmitted>(CaseEvents.DeterminationSubmitted);
                }
            }

            if (rescheduled) continue;

            if (reassigned is not null)
            {
                // Reassigned by hand while overdue: the new reviewer has until the case's due date (passed); the late one is excluded.
                excluded.Add(current.ReviewerId);
                current = reassigned;
                reviewerDue = registered.CaseDueAt;
                continue;
            }

            // The reviewer's due date passed: withdraw (the reviewer's links stop working, the reviewer's load is released),
            // escalate, offer to the next eligible reviewer.
            await context.CallActivityAsync(nameof(AssignmentActivities.EndAssignment), new AssignmentEnded(registered.CaseNumber, current.AssignmentId, "The reviewer due date passed without a determination."), ActivityRetry.Options);
            await context.CallActivityAsync(nameof(DeadlineActivities.EscalateMissedReviewerDue), new MissedReviewerDue(registered.CaseNumber, current.AssignmentId, current.ReviewerId, registered.CaseDueAt), ActivityRetry.Options);
            excluded.Add(current.ReviewerId);
            (current, roundsUsed) = await AssignmentFlow.OfferUntilAcceptedAsync(context, registered, excluded, roundsUsed);
            registered = changes?.Current(registered) ?? registered; // converted while the case was offered again
            reviewerDue = registered.CaseDueAt; // the replacement has until the case's own due date, which does not move
            if (!overdue && context.CurrentUtcDateTime >= registered.CaseDueAt)
            {
                await context.CallActivityAsync(nameof(CaseActivities.MarkOverdue), registered.CaseNumber, ActivityRetry.Options);
                overdue = true;
            }
        }
    }

    /// <summary>The tasks the wait is waiting on (the versioned waiters are null on older instances).</summary>
    /// <summary>
    /// A reviewer's reminders. From workflow 3.2 the registration carries the program's reminder points (in the history),
    /// so they are computed here, deterministically; older versions ask the ScheduleReview activity.
    /// </summary>
    private static async Task<IReadOnlyList<ReminderAt>> RemindersAsync(TaskOrchestrationContext context, CaseRegistered registered, AssignmentOffer current, DateTimeOffset reviewStart, DateTimeOffset reviewerDue)
    {
        if (CaseWorkflowVersions.AtLeast(context, CaseWorkflowVersions.FewerSteps) && registered.Reminders is { } points)
        {
            return ReminderPoint.Schedule(points, reviewStart, reviewerDue).Select(r => new ReminderAt(r.Name, r.At)).ToList();
        }

        var schedule = await context.CallActivityAsync<ReviewSchedule>(nameof(DeadlineActivities.ScheduleReview), new ReviewScheduleRequest(registered.CaseNumber, current.AssignmentId, reviewStart, reviewerDue, registered.Program), ActivityRetry.Options);
        return schedule.Reminders;
    }

    private static Task[] Pending(params Task?[] tasks) => tasks.OfType<Task>().ToArray();

    /// <summary>Applies a review change during the wait: the new case and reviewer due dates (a correction keeps the case's only).</summary>
    private static async Task<(CaseRegistered Registered, DateTimeOffset ReviewerDue)> RescheduleAsync(TaskOrchestrationContext context, ReviewChangeWait changes, CaseRegistered registered, int revision)
    {
        var applied = await changes.ApplyAsync(context, registered.CaseNumber);
        var updated = registered with { CaseDueAt = applied.CaseDueAt, ReviewerDueAt = applied.ReviewerDueAt };
        return (updated, revision > 0 ? updated.CaseDueAt : applied.ReviewerDueAt);
    }
}
