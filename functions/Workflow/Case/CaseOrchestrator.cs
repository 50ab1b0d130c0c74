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
        catch (ReviewEndedException)
        {
            // The treatment was authorised (8 CCR 9792.10.6(a)): ApplyReviewChange closed the case, withdrew the open
            // assignment and served the notices; there is no letter to issue.
            return new CaseOutcome(input.CaseNumber, "EndedTreatmentAuthorised", null);
        }
        catch (TaskFailedException failed)
        {
            var log = context.CreateReplaySafeLogger<CaseOrchestrator>();
            var (step, errorType) = FoldedStepFailedException.Of(failed); // a step folded into another is named itself
            log.LogWarning("Case {CaseNumber}: step {Step} failed ({ErrorType}); the case needs attention", input.CaseNumber, step, errorType);
            await context.CallActivityAsync(nameof(CaseActivities.RecordNeedsAttention), new CaseAttention(input.CaseNumber, input.ManifestBlobName, step,
                errorType ?? "unknown", ActivityRetry.IsTransient(failed.FailureDetails), context.CurrentUtcDateTime), ActivityRetry.Options);
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
        IntakeRegistration? atIntake = null; // from 3.2: the registration and the first offer, made by the records step
        if (resume is null)
        {
            // The case's row exists from the first step (Received, no review clock yet): a case whose workflow stops
            // during intake is still on record, visible and found by reconciliation.
            // From 3.2 the screening opens it and the intake steps register the case; from 3.1 the row records the
            // version as it is created; older versions record it in a step of their own.
            var foldsIntoIntake = CaseWorkflowVersions.AtLeast(context, CaseWorkflowVersions.FewerSteps);
            if (!foldsIntoIntake)
            {
                var opensWithVersion = CaseWorkflowVersions.AtLeast(context, CaseWorkflowVersions.CoarserSteps);
                await context.CallActivityAsync(nameof(CaseActivities.OpenCase), new OpenCaseStep(input.CaseNumber, input.ManifestBlobName, opensWithVersion ? context.Version : null), ActivityRetry.Options);
                if (!opensWithVersion) await CaseWorkflowVersions.RecordAsync(context, input.CaseNumber);
            }

            var (endedAtIntake, records) = await IntakeFlow.RunAsync(context, input, foldsIntoIntake ? context.Version : null);
            if (endedAtIntake is not null)
            {
                await context.CallActivityAsync(nameof(CaseActivities.CloseAtIntake), input.CaseNumber, ActivityRetry.Options);
                return endedAtIntake;
            }

            atIntake = records?.Registration;
        }
        else
        {
            await CaseWorkflowVersions.RecordAsync(context, input.CaseNumber);
        }

        var registered = atIntake?.Case ?? await context.CallActivityAsync<CaseRegistered>(nameof(CaseActivities.RegisterCase), input, ActivityRetry.Options);

        // Never null: when nobody is left the medical director assigns by hand and the orchestration waits for that.
        var (offer, rounds) = resume is null ? await AssignmentFlow.OfferUntilAcceptedAsync(context, registered, madeAtIntake: atIntake) : await CaseResume.ResumeAssignmentAsync(context, registered, resume);

        // A replacement reviewer may take over after a missed reviewer due date. A resumed wait keeps the stored
        // acceptance time (reminder schedule), the awaited revision and the reviewers not to offer again.
        var resumedWait = resume is { Step: ResumeStep.AwaitDetermination } ? resume : null;
        (var submitted, offer) = await DeterminationWait.WaitForDeterminationAsync(context, CaseResume.Registered(registered, resume), offer, rounds,
            resumedWait?.Revision ?? 0, resume?.ExcludedReviewerIds, resumedWait?.ReviewStartedAt);
        // From 3.1 the issuance closes the case once the letter is out (one step instead of two).
        var closesOnIssue = CaseWorkflowVersions.AtLeast(context, CaseWorkflowVersions.CoarserSteps);
        IssueRequest Issue(DeterminationSubmitted s) => new(input.CaseNumber, offer.AssignmentId, s.SubmissionBlobName, s.Revision, closesOnIssue ? offer : null);
        var letter = await context.CallActivityAsync<IssuedLetter>(nameof(IssuanceActivities.IssueDetermination), Issue(submitted), ActivityRetry.Options);
        while (letter.ReturnedForCorrection)
        {
            // The quality check sent the determination back to the reviewer: wait for the corrected revision.
            submitted = (await DeterminationWait.WaitForDeterminationAsync(context, registered, offer, rounds, letter.NextRevision)).Submitted;
            letter = await context.CallActivityAsync<IssuedLetter>(nameof(IssuanceActivities.IssueDetermination), Issue(submitted), ActivityRetry.Options);
        }

        if (!closesOnIssue)
        {
            await context.CallActivityAsync(nameof(AssignmentActivities.CloseCase), offer, ActivityRetry.Options);
        }

        log.LogInformation("Case {CaseNumber} closed", input.CaseNumber);
        return new CaseOutcome(input.CaseNumber, nameof(CaseStatus.Closed), letter.LetterBlobName);
    }
}
