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
    public override async Task<CaseOutcome> RunAsync(TaskOrchestrationContext context, CaseWorkflowInput input)
    {
        var log = context.CreateReplaySafeLogger<CaseOrchestrator>();
        // Intake: eligibility and the medical records; the review clock (RegisterCase) starts when they are in.
        // A case restarted by the sweep (input.Resume) is past intake and registered: RegisterCase is create-only and
        // returns the stored dates, and the case is picked up at its stored assignment step instead of round 1.
        var resume = input.Resume;
        if (resume is null && await IntakeWorkflow.RunAsync(context, input) is { } endedAtIntake)
        {
            return endedAtIntake;
        }

        var registered = await context.CallActivityAsync<CaseRegistered>(nameof(CaseActivities.RegisterCase), input);

        // Never null: when nobody is left the medical director assigns by hand and the orchestration waits for that.
        var (offer, rounds) = resume is null ? await OfferUntilAcceptedAsync(context, registered) : await CaseResume.ResumeAssignmentAsync(context, registered, resume);

        // A replacement reviewer may take over after a missed reviewer due date. A resumed wait keeps the stored
        // acceptance time (reminder schedule), the awaited revision and the reviewers not to offer again.
        var resumedWait = resume is { Step: ResumeStep.AwaitDetermination } ? resume : null;
        (var submitted, offer) = await DeterminationWait.WaitForDeterminationAsync(context, CaseResume.Registered(registered, resume), offer, rounds,
            resumedWait?.Revision ?? 0, resume?.ExcludedReviewerIds, resumedWait?.ReviewStartedAt);
        var letter = await context.CallActivityAsync<IssuedLetter>(nameof(IssuanceActivities.IssueDetermination), new IssueRequest(input.CaseNumber, offer.AssignmentId, submitted.SubmissionBlobName, submitted.Revision));
        while (letter.ReturnedForCorrection)
        {
            // The quality check sent the determination back to the reviewer: wait for the corrected revision.
            submitted = (await DeterminationWait.WaitForDeterminationAsync(context, registered, offer, rounds, letter.NextRevision)).Submitted;
            letter = await context.CallActivityAsync<IssuedLetter>(nameof(IssuanceActivities.IssueDetermination), new IssueRequest(input.CaseNumber, offer.AssignmentId, submitted.SubmissionBlobName, submitted.Revision));
        }

        await context.CallActivityAsync(nameof(CaseActivities.CloseCase), new IssueRequest(input.CaseNumber, offer.AssignmentId, submitted.SubmissionBlobName));
        await context.CallActivityAsync(nameof(AssignmentActivities.CompleteAssignment), offer);
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
        // Event waiters live across rounds and are never cancelled: an answer is matched to its offer by assignment id,
        // and an event is never handed to a waiter that was given up.
        Task<ReviewerAccepted>? accepted = null;
        Task<ReviewerDeclined>? declined = null;
        while (round < roundsUsed + registered.MaxOfferRounds)
        {
            round++;
            var offer = await context.CallActivityAsync<AssignmentOffer?>(nameof(AssignmentActivities.OfferAssignment), new AssignmentRequest(registered.CaseNumber, round, excluded));
            if (offer is null)
            {
                break;
            }

            using var timeout = new CancellationTokenSource();
            var timer = context.CreateTimer(context.CurrentUtcDateTime + registered.AcceptanceWindow, timeout.Token);
            bool? answer = null; // true accepted, false declined, null timed out
            while (true)
            {
                accepted ??= context.WaitForExternalEvent<ReviewerAccepted>(CaseEvents.ReviewerAccepted);
                declined ??= context.WaitForExternalEvent<ReviewerDeclined>(AssignmentEvents.ReviewerDeclined);
                var first = await Task.WhenAny(timer, accepted, declined);
                if (first == timer) break;
                if (first == accepted)
                {
                    var forThisOffer = accepted.Result.AssignmentId == offer.AssignmentId;
                    accepted = null;
                    if (forThisOffer) { answer = true; break; }
                }
                else
                {
                    var forThisOffer = declined.Result.AssignmentId == offer.AssignmentId;
                    declined = null;
                    if (forThisOffer) { answer = false; break; }
                }
            }

            if (answer is not null)
            {
                timeout.Cancel();
            }

            if (answer == true)
            {
                await context.CallActivityAsync(nameof(AssignmentActivities.RecordAcceptance), offer);
                return (offer, round);
            }

            await context.CallActivityAsync(nameof(AssignmentActivities.EndOffer), new OfferDeclinedOrExpired(offer.CaseNumber, offer.AssignmentId, offer.ReviewerId, Declined: answer == false));
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
            { AwaitedRound = awaitedRound });
            ManualAssignment manual;
            do
            {
                // A choice for another round (stale, or from before a reassignment) is dropped.
                manual = await context.WaitForExternalEvent<ManualAssignment>(AssignmentEvents.ManualAssignment);
            }
            while (manual.Round != awaitedRound);

            round = awaitedRound;
            var assigned = await context.CallActivityAsync<AssignmentOffer?>(nameof(AssignmentActivities.AssignManually), new ManualAssignmentRequest(registered.CaseNumber, round, manual.ReviewerId, manual.AssignedBy));
            if (assigned is not null)
            {
                await context.CallActivityAsync(nameof(AssignmentActivities.RecordAcceptance), assigned);
                return (assigned, round);
            }

            refused = manual.ReviewerId;
            // The chosen reviewer turned out to be ineligible (recorded with the reasons): a new round, for another choice.
        }
    }
}
