using Microsoft.DurableTask;

namespace Imr.Functions.Workflow;

/// <summary>
/// Picks up a case restarted by the sweep's reconciliation at its <see cref="ResumePoint"/> instead of replaying intake
/// and the offer rounds from round 1 (the first run's offers and answers are gone with its history). Every activity it
/// repeats is idempotent: deterministic assignment ids, create-once outbox ids and escalation ledger, so nothing is
/// mailed or escalated twice. A static helper, not a partial of CaseOrchestrator (see DeterminationWait for why).
/// </summary>
internal static class CaseResume
{
    /// <summary>The accepted (or hand-assigned) offer to wait on for the determination, and the last round used.</summary>
    internal static async Task<(AssignmentOffer Offer, int LastRound)> ResumeAssignmentAsync(TaskOrchestrationContext context, CaseRegistered registered, ResumePoint resume)
    {
        var caseNumber = registered.CaseNumber;
        var excluded = resume.ExcludedReviewerIds.ToList();
        if (resume.WithdrawnAssignmentId is { } withdrawn)
        {
            // The first run may have stopped between the withdrawal and its escalation; the ledger sends it at most once.
            await context.CallActivityAsync(nameof(DeadlineActivities.EscalateMissedReviewerDue), new MissedReviewerDue(caseNumber, withdrawn, resume.WithdrawnReviewerId!, registered.CaseDueAt), ActivityRetry.Options);
        }

        switch (resume.Step)
        {
            case ResumeStep.AwaitDetermination:
                {
                    var accepted = new AssignmentOffer(caseNumber, resume.AssignmentId!, resume.ReviewerId!);
                    // Repeated: the determination link may not have been sent when the first run stopped (create-once otherwise).
                    await context.CallActivityAsync(nameof(AssignmentActivities.RecordAcceptance), accepted, ActivityRetry.Options);
                    return (accepted, resume.Round);
                }

            case ResumeStep.AwaitAnswer:
                {
                    var open = new AssignmentOffer(caseNumber, resume.AssignmentId!, resume.ReviewerId!);
                    if (resume.Answered == true)
                    {
                        await context.CallActivityAsync(nameof(AssignmentActivities.RecordAcceptance), open, ActivityRetry.Options);
                        return (open, resume.Round);
                    }

                    if (resume.Answered is null && resume.AnswerBy > context.CurrentUtcDateTime)
                    {
                        // Still within its window: the same offer again (same assignment id, so the same links and no second mail).
                        return await AssignmentFlow.OfferUntilAcceptedAsync(context, registered, excluded, resume.Round - 1);
                    }

                    await context.CallActivityAsync(nameof(AssignmentActivities.EndOffer), new OfferDeclinedOrExpired(caseNumber, open.AssignmentId, open.ReviewerId, Declined: resume.Answered == false), ActivityRetry.Options);
                    excluded.Add(open.ReviewerId);
                    return await AssignmentFlow.OfferUntilAcceptedAsync(context, registered, excluded, resume.Round);
                }

            case ResumeStep.AwaitManualAssignment:
                // Asked before the restart (for round + 1, recorded on the case): not asked again, only waited for.
                return await AssignmentFlow.ManualAssignmentAsync(context, caseNumber, resume.Round, "MedicalDirector", ask: null);

            default:
                return await AssignmentFlow.OfferUntilAcceptedAsync(context, registered, excluded, resume.Round);
        }
    }

    /// <summary>The case as the determination wait of a resumed run sees it: after a reassignment the reviewer is due with the case.</summary>
    internal static CaseRegistered Registered(CaseRegistered registered, ResumePoint? resume) =>
        resume is { Reassigned: true } ? registered with { ReviewerDueAt = registered.CaseDueAt } : registered;
}
