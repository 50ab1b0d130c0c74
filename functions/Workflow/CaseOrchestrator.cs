using Imr.Domain.Cases;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Imr.Functions.Workflow;

/// <summary>
/// One case from intake to issued letter: record → offer to a reviewer → wait for acceptance (timer) →
/// wait for the determination (timer to the case due date) → issue the letter → close.
/// Deterministic: time comes from the context, everything else from activities.
/// </summary>
public sealed partial class CaseOrchestrator : TaskOrchestrator<CaseWorkflowInput, CaseOutcome>
{
    public override async Task<CaseOutcome> RunAsync(TaskOrchestrationContext context, CaseWorkflowInput input)
    {
        var log = context.CreateReplaySafeLogger<CaseOrchestrator>();
        // Intake: eligibility and the medical records; the review clock (RegisterCase) starts when they are in.
        if (await IntakeWorkflow.RunAsync(context, input) is { } endedAtIntake)
        {
            return endedAtIntake;
        }

        var registered = await context.CallActivityAsync<CaseRegistered>(nameof(CaseActivities.RegisterCase), input);

        var offer = await OfferUntilAcceptedAsync(context, registered);
        if (offer is null)
        {
            await context.CallActivityAsync(nameof(CaseActivities.EscalateCase), new CaseEscalation(input.CaseNumber, "MedicalDirector", "No eligible reviewer accepted the case."));
            log.LogWarning("Case {CaseNumber} has no reviewer; escalated for manual assignment", input.CaseNumber);
            return new CaseOutcome(input.CaseNumber, nameof(CaseStatus.AwaitingManualAssignment), null);
        }

        var review = await WaitForDeterminationAsync(context, registered, offer);
        if (review is null)
        {
            return new CaseOutcome(input.CaseNumber, nameof(CaseStatus.AwaitingManualAssignment), null);
        }

        var (submitted, reviewed) = review.Value;
        offer = reviewed; // a replacement reviewer may have taken over after a missed reviewer due date
        var letter = await context.CallActivityAsync<IssuedLetter>(nameof(IssuanceActivities.IssueDetermination), new IssueRequest(input.CaseNumber, offer.AssignmentId, submitted.SubmissionBlobName, submitted.Revision));
        while (letter.ReturnedForCorrection)
        {
            // The quality check sent the determination back to the reviewer: wait for the corrected revision.
            submitted = (await WaitForDeterminationAsync(context, registered, offer, letter.NextRevision))!.Value.Submitted;
            letter = await context.CallActivityAsync<IssuedLetter>(nameof(IssuanceActivities.IssueDetermination), new IssueRequest(input.CaseNumber, offer.AssignmentId, submitted.SubmissionBlobName, submitted.Revision));
        }

        await context.CallActivityAsync(nameof(CaseActivities.CloseCase), new IssueRequest(input.CaseNumber, offer.AssignmentId, submitted.SubmissionBlobName));
        log.LogInformation("Case {CaseNumber} closed", input.CaseNumber);
        return new CaseOutcome(input.CaseNumber, nameof(CaseStatus.Closed), letter.LetterBlobName);
    }

    /// <param name="excludedReviewers">Reviewers not to offer again (a reassignment excludes the reviewer who missed the due date).</param>
    /// <param name="firstRound">First round number; a reassignment continues after the rounds used before, so assignment ids stay unique.</param>
    private static async Task<AssignmentOffer?> OfferUntilAcceptedAsync(TaskOrchestrationContext context, CaseRegistered registered, IEnumerable<string>? excludedReviewers = null, int firstRound = 1)
    {
        var excluded = new List<string>(excludedReviewers ?? []);
        for (var round = firstRound; round < firstRound + registered.MaxOfferRounds; round++)
        {
            var offer = await context.CallActivityAsync<AssignmentOffer?>(nameof(CaseActivities.OfferAssignment), new AssignmentRequest(registered.CaseNumber, round, excluded));
            if (offer is null)
            {
                return null;
            }

            if (await WaitForAcceptanceAsync(context, offer, context.CurrentUtcDateTime + registered.AcceptanceWindow))
            {
                await context.CallActivityAsync(nameof(CaseActivities.RecordAcceptance), offer);
                return offer;
            }

            await context.CallActivityAsync(nameof(CaseActivities.EndAssignment), new AssignmentEnded(offer.CaseNumber, offer.AssignmentId, "Not accepted within the acceptance window."));
            excluded.Add(offer.ReviewerId);
        }

        return null;
    }

    private static async Task<bool> WaitForAcceptanceAsync(TaskOrchestrationContext context, AssignmentOffer offer, DateTime deadline)
    {
        // Events for an earlier assignment of this case are ignored; only this offer's acceptance counts.
        while (context.CurrentUtcDateTime < deadline)
        {
            try
            {
                var accepted = await context.WaitForExternalEvent<ReviewerAccepted>(CaseEvents.ReviewerAccepted, deadline - context.CurrentUtcDateTime);
                if (accepted.AssignmentId == offer.AssignmentId)
                {
                    return true;
                }
            }
            catch (TaskCanceledException)
            {
                return false;
            }
        }

        return false;
    }
}
