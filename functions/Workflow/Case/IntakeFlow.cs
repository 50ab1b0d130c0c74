using Imr.Domain.Eligibility;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Imr.Functions.Workflow;

/// <summary>
/// The case orchestration's steps before review: eligibility screening (a deferred case waits durably for staff to resolve it),
/// then waiting durably for the medical records until their deadline. Runs inside the case orchestration (same instance, so
/// intake events reach it by the case's instance id). Deterministic: time from the context only.
/// </summary>
public static class IntakeFlow
{
    /// <summary>
    /// The outcome of a case that ends at intake, or (Ended null) the case goes on to review. With
    /// <paramref name="foldingVersion"/> (from workflow 3.2: its version) the steps fold in those after them
    /// (<see cref="IntakeStep.FoldsLaterSteps"/>): the screening opens the case's row and, for an eligible case, requests
    /// the records, and the records step registers the case and makes its first offer (in the returned records status);
    /// otherwise the orchestrator runs the opening, the registration and the first offer itself.
    /// </summary>
    public static async Task<(CaseOutcome? Ended, RecordsStatus? Records)> RunAsync(TaskOrchestrationContext context, CaseWorkflowInput input, string? foldingVersion)
    {
        var log = context.CreateReplaySafeLogger(nameof(IntakeFlow));
        var folds = foldingVersion is not null;
        IntakeStep Step() => new(input.CaseNumber, input.ManifestBlobName, context.CurrentUtcDateTime) { FoldsLaterSteps = folds };

        var screened = await context.CallActivityAsync<EligibilityScreened>(nameof(IntakeActivities.ScreenEligibility), Step() with { OpensWithVersion = foldingVersion }, ActivityRetry.Options);
        while (screened.Outcome == nameof(EligibilityOutcome.Deferred))
        {
            var resolution = await context.WaitForExternalEvent<EligibilityResolution>(IntakeEvents.EligibilityResolved);
            screened = await context.CallActivityAsync<EligibilityScreened>(nameof(IntakeActivities.ResolveEligibility), new ResolutionStep(input.CaseNumber, input.ManifestBlobName, context.CurrentUtcDateTime, resolution), ActivityRetry.Options);
        }

        if (screened.Outcome == nameof(EligibilityOutcome.Ineligible))
        {
            var notice = await context.CallActivityAsync<string>(nameof(IntakeActivities.IssueIneligibilityNotice),
                new IneligibilityStep(input.CaseNumber, input.ManifestBlobName, context.CurrentUtcDateTime, screened.Reasons, screened.DuplicateOf), ActivityRetry.Options);
            log.LogInformation("Case {CaseNumber} is not eligible; notice issued and case closed", input.CaseNumber);
            return (new CaseOutcome(input.CaseNumber, "Closed", notice), null);
        }

        // Combined: the application's items and documents join the open case (the case's package reader merges them), and
        // this orchestration ends. No event goes to the case's orchestration: the package it reads already includes them.
        if (screened.CombineWith is { } target
            && await context.CallActivityAsync<bool>(nameof(IntakeActivities.CombineApplication), new CombineStep(input.CaseNumber, input.ManifestBlobName, context.CurrentUtcDateTime, target), ActivityRetry.Options))
        {
            log.LogInformation("Case {CaseNumber} combined into case {Target}", input.CaseNumber, target);
            return (new CaseOutcome(input.CaseNumber, "Combined", null), null);
        }

        // From 3.2 the screening of an eligible case has requested the records already.
        var records = screened.Records ?? await context.CallActivityAsync<RecordsStatus>(nameof(IntakeActivities.RequestRecords), Step(), ActivityRetry.Options);
        while (records.Missing.Count > 0)
        {
            var remaining = records.DueAt.UtcDateTime - context.CurrentUtcDateTime;
            var final = remaining <= TimeSpan.Zero;
            if (!final)
            {
                try
                {
                    await context.WaitForExternalEvent<RecordsArrived>(IntakeEvents.RecordsReceived, remaining);
                }
                catch (TaskCanceledException)
                {
                    final = true; // the deadline passed: proceed with what was received
                }
            }

            records = await context.CallActivityAsync<RecordsStatus>(nameof(IntakeActivities.CheckRecords), new RecordsCheck(input.CaseNumber, input.ManifestBlobName, context.CurrentUtcDateTime, records.DueAt, final) { FoldsLaterSteps = folds }, ActivityRetry.Options);
            if (final)
            {
                break;
            }
        }

        return (null, records);
    }
}
