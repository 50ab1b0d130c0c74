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
                    return await CaseOrchestrator.OfferUntilAcceptedAsync(context, registered, excluded, resume.Round - 1);
                }

                await context.CallActivityAsync(nameof(AssignmentActivities.EndOffer), new OfferDeclinedOrExpired(caseNumber, open.AssignmentId, open.ReviewerId, Declined: resume.Answered == false), ActivityRetry.Options);
                excluded.Add(open.ReviewerId);
                return await CaseOrchestrator.OfferUntilAcceptedAsync(context, registered, excluded, resume.Round);
            }

            case ResumeStep.AwaitManualAssignment:
                return await WaitForManualAssignmentAsync(context, caseNumber, resume.Round);

            default:
                return await CaseOrchestrator.OfferUntilAcceptedAsync(context, registered, excluded, resume.Round);
        }
    }

    /// <summary>The case as the determination wait of a resumed run sees it: after a reassignment the reviewer is due with the case.</summary>
    internal static CaseRegistered Registered(CaseRegistered registered, ResumePoint? resume) =>
        resume is { Reassigned: true } ? registered with { ReviewerDueAt = registered.CaseDueAt } : registered;

    /// <summary>
    /// The medical director was asked before the restart (for round <paramref name="round"/> + 1, recorded on the case;
    /// not asked again): wait for the choice for that round, as the offer loop's manual step does. A choice the route
    /// recorded while the orchestration was down is delivered again by the sweep. A refused choice opens a new round
    /// with its own escalation.
    /// </summary>
    private static async Task<(AssignmentOffer Offer, int LastRound)> WaitForManualAssignmentAsync(TaskOrchestrationContext context, string caseNumber, int round)
    {
        while (true)
        {
            var awaitedRound = round + 1;
            ManualAssignment manual;
            do
            {
                manual = await context.WaitForExternalEvent<ManualAssignment>(AssignmentEvents.ManualAssignment);
            }
            while (manual.Round != awaitedRound);

            round = awaitedRound;
            var assigned = await context.CallActivityAsync<AssignmentOffer?>(nameof(AssignmentActivities.AssignManually), new ManualAssignmentRequest(caseNumber, round, manual.ReviewerId, manual.AssignedBy), ActivityRetry.Options);
            if (assigned is not null)
            {
                await context.CallActivityAsync(nameof(AssignmentActivities.RecordAcceptance), assigned, ActivityRetry.Options);
                return (assigned, round);
            }

            await context.CallActivityAsync(nameof(AssignmentActivities.EscalateForManualAssignment), new CaseEscalation(caseNumber, $"MedicalDirector-R{round + 1}",
                $"The reviewer chosen by hand ({manual.ReviewerId}) cannot review this case (the reasons are in the audit trail). Assign another reviewer.")
            { AwaitedRound = round + 1 }, ActivityRetry.Options);
        }
    }
}
