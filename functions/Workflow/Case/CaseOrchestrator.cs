using Imr.Domain.Cases;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Imr.Functions.Workflow;

/// <summary>
/// One case from intake to issued letter: record → offer to a reviewer → wait for acceptance (timer) →
/// wait for the determination (timer to the case due date) → issue the letter → close.
/// Deterministic: time comes from the context, everything else from activities.
/// </summary>
public sealed class CaseOrchestrator : TaskOrchestrator<CaseWorkflowInput, CaseOutcome>
{
    /// <summary>
    /// Every activity call retries transient failures (<see cref="ActivityRetry"/>). A step that still fails (a permanent
    /// failure, or a transient one that outlasted the retries) ends the run in a defined, visible state: the case is recorded
    /// as NeedsAttention with the reason, is listed on the at-risk report and the medical director is told. The run then
    /// ends (Completed, not Failed): an operator retries the case (POST manage/cases/{case}/retry), or reconciliation
    /// restarts it when the failure was transient. Both restart it at its stored step, through the sweep's one restart path
    /// (which also re-delivers stored answers), rather than the run waiting here for an event it could not act on alone.
    /// </summary>
    public override async Task<CaseOutcome> RunAsync(TaskOrchestrationContext context, CaseWorkflowInput input)
    {
        try
        {
            return await RunCaseAsync(context, input);
        }
        catch (TaskFailedException failed)
        {
            var log = context.CreateReplaySafeLogger<CaseOrchestrator>();
            log.LogWarning("Case {CaseNumber}: step {Step} failed ({ErrorType}); the case needs attention", input.CaseNumber, failed.TaskName, failed.FailureDetails?.ErrorType);
            await context.CallActivityAsync(nameof(CaseActivities.RecordNeedsAttention), new CaseAttention(input.CaseNumber, input.ManifestBlobName, failed.TaskName,
                failed.FailureDetails?.ErrorType ?? "unknown", ActivityRetry.IsTransient(failed.FailureDetails), context.CurrentUtcDateTime), ActivityRetry.Options);
            return new CaseOutcome(input.CaseNumber, nameof(CaseStatus.NeedsAttention), null);
        }
    }

    private static async Task<CaseOutcome> RunCaseAsync(TaskOrchestrationContext context, CaseWorkflowInput input)
    {
        var log = context.CreateReplaySafeLogger<CaseOrchestrator>();
        // Intake: eligibility and the medical records; the review clock (RegisterCase) starts when they are in.
        // A case restarted by the sweep (input.Resume) is past intake and registered: RegisterCase is create-only and
        // returns the stored dates, and the case is picked up at its stored assignment step instead of round 1.
        var resume = input.Resume;
        if (resume is null)
        {
            // The case's row exists from the first step (Received, no review clock yet): a case whose workflow stops
            // during intake is still on record, visible and found by reconciliation.
            await context.CallActivityAsync(nameof(CaseActivities.OpenCase), input, ActivityRetry.Options);
            if (await IntakeWorkflow.RunAsync(context, input) is { } endedAtIntake)
            {
                await context.CallActivityAsync(nameof(CaseActivities.CloseAtIntake), input.CaseNumber, ActivityRetry.Options);
                return endedAtIntake;
            }
        }

        var registered = await context.CallActivityAsync<CaseRegistered>(nameof(CaseActivities.RegisterCase), input, ActivityRetry.Options);

        // Never null: when nobody is left the medical director assigns by hand and the orchestration waits for that.
        var (offer, rounds) = resume is null ? await OfferUntilAcceptedAsync(context, registered) : await CaseResume.ResumeAssignmentAsync(context, registered, resume);

        // A replacement reviewer may take over after a missed reviewer due date. A resumed wait keeps the stored
        // acceptance time (reminder schedule), the awaited revision and the reviewers not to offer again.
        var resumedWait = resume is { Step: ResumeStep.AwaitDetermination } ? resume : null;
        (var submitted, offer) = await DeterminationWait.WaitForDeterminationAsync(context, CaseResume.Registered(registered, resume), offer, rounds,
            resumedWait?.Revision ?? 0, resume?.ExcludedReviewerIds, resumedWait?.ReviewStartedAt);
        var letter = await context.CallActivityAsync<IssuedLetter>(nameof(IssuanceActivities.IssueDetermination), new IssueRequest(input.CaseNumber, offer.AssignmentId, submitted.SubmissionBlobName, submitted.Revision), ActivityRetry.Options);
        while (letter.ReturnedForCorrection)
        {
            // The quality check sent the determination back to the reviewer: wait for the corrected revision.
            submitted = (await DeterminationWait.WaitForDeterminationAsync(context, registered, offer, rounds, letter.NextRevision)).Submitted;
            letter = await context.CallActivityAsync<IssuedLetter>(nameof(IssuanceActivities.IssueDetermination), new IssueRequest(input.CaseNumber, offer.AssignmentId, submitted.SubmissionBlobName, submitted.Revision), ActivityRetry.Options);
        }

        await context.CallActivityAsync(nameof(CaseActivities.CloseCase), new IssueRequest(input.CaseNumber, offer.AssignmentId, submitted.SubmissionBlobName), ActivityRetry.Options);
        await context.CallActivityAsync(nameof(AssignmentActivities.CompleteAssignment), offer, ActivityRetry.Options);
        log.LogInformation("Case {CaseNumber} closed", input.CaseNumber);
        return new CaseOutcome(input.CaseNumber, nameof(CaseStatus.Closed), letter.LetterBlobName);
    }

    /// <summary>
    /// Offers the case to one matched reviewer after another until one accepts. A decline or an offer not accepted
    /// within the acceptance window moves on to the next candidate (who is chosen without the earlier ones). When no
    /// candidate is left, or after MaxOfferRounds, the medical director is asked and the orchestration waits — durably,
    /// without a deadline — for the reviewer chosen by hand (admin route), who needs no acceptance.
    /// </summary>
    /// <param name="excludedReviewers">Reviewers not to offer again (a reassignment excludes the reviewers who missed the due date).</param>
    /// <param name="roundsUsed">Rounds used before (a reassignment continues after them, so assignment ids stay unique).</param>
    /// <returns>The accepted (or hand-assigned) offer and the last round used.</returns>
    internal static async Task<(AssignmentOffer Offer, int LastRound)> OfferUntilAcceptedAsync(TaskOrchestrationContext context, CaseRegistered registered, IEnumerable<string>? excludedReviewers = null, int roundsUsed = 0)
    {
        var excluded = new List<string>(excludedReviewers ?? []);
        var round = roundsUsed;
        // Event waiters live across rounds and across offer loops (a reassignment runs this loop again) and are never
        // cancelled: an answer is matched to its offer by assignment id, and an event is never handed to a waiter that
        // was given up (the SDK gives an event to the newest waiter, or to an abandoned one when no newer one exists).
        var waiters = OfferAnswerWaiters.Of(context);
        while (round < roundsUsed + registered.MaxOfferRounds)
        {
            round++;
            var offer = await context.CallActivityAsync<AssignmentOffer?>(nameof(AssignmentActivities.OfferAssignment), new AssignmentRequest(registered.CaseNumber, round, excluded), ActivityRetry.Options);
            if (offer is null)
            {
                break;
            }

            using var timeout = new CancellationTokenSource();
            var timer = context.CreateTimer(context.CurrentUtcDateTime + registered.AcceptanceWindow, timeout.Token);
            bool? answer = null; // true accepted, false declined, null timed out
            while (true)
            {
                var accepted = waiters.Accepted ??= context.WaitForExternalEvent<ReviewerAccepted>(CaseEvents.ReviewerAccepted);
                var declined = waiters.Declined ??= context.WaitForExternalEvent<ReviewerDeclined>(AssignmentEvents.ReviewerDeclined);
                var first = await Task.WhenAny(timer, accepted, declined);
                if (first == timer) break;
                if (first == accepted)
                {
                    var forThisOffer = accepted.Result.AssignmentId == offer.AssignmentId;
                    waiters.Accepted = null;
                    if (forThisOffer) { answer = true; break; }
                }
                else
                {
                    var forThisOffer = declined.Result.AssignmentId == offer.AssignmentId;
                    waiters.Declined = null;
                    if (forThisOffer) { answer = false; break; }
                }
            }

            if (answer is not null)
            {
                timeout.Cancel();
            }

            if (answer == true)
            {
                await context.CallActivityAsync(nameof(AssignmentActivities.RecordAcceptance), offer, ActivityRetry.Options);
                return (offer, round);
            }

            await context.CallActivityAsync(nameof(AssignmentActivities.EndOffer), new OfferDeclinedOrExpired(offer.CaseNumber, offer.AssignmentId, offer.ReviewerId, Declined: answer == false), ActivityRetry.Options);
            excluded.Add(offer.ReviewerId);
        }

        string? refused = null;
        while (true)
        {
            // A reassignment's escalation is its own notice (the first one's id would be deduplicated away), and so is
            // each new round after a refused choice. The round is recorded on the case: the admin route answers it once.
            var awaitedRound = round + 1;
            var level = (roundsUsed == 0 ? "MedicalDirector" : $"MedicalDirector-after-R{roundsUsed}") + (refused is null ? "" : $"-R{awaitedRound}");
            await context.CallActivityAsync(nameof(AssignmentActivities.EscalateForManualAssignment), new CaseEscalation(registered.CaseNumber, level,
                refused is null
                    ? $"No eligible reviewer accepted the case after {round - roundsUsed} offer round(s). Assign a reviewer by hand."
                    : $"The reviewer chosen by hand ({refused}) cannot review this case (the reasons are in the audit trail). Assign another reviewer.")
            { AwaitedRound = awaitedRound }, ActivityRetry.Options);
            ManualAssignment manual;
            do
            {
                // A choice for another round (stale, or from before a reassignment) is dropped.
                manual = await context.WaitForExternalEvent<ManualAssignment>(AssignmentEvents.ManualAssignment);
            }
            while (manual.Round != awaitedRound);

            round = awaitedRound;
            var assigned = await context.CallActivityAsync<AssignmentOffer?>(nameof(AssignmentActivities.AssignManually), new ManualAssignmentRequest(registered.CaseNumber, round, manual.ReviewerId, manual.AssignedBy), ActivityRetry.Options);
            if (assigned is not null)
            {
                await context.CallActivityAsync(nameof(AssignmentActivities.RecordAcceptance), assigned, ActivityRetry.Options);
                return (assigned, round);
            }

            refused = manual.ReviewerId;
            // The chosen reviewer turned out to be ineligible (recorded with the reasons): a new round, for another choice.
        }
    }
}
