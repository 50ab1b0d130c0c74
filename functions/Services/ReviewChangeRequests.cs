using Imr.Domain.Cases;
using Imr.Domain.Programs;
using Imr.Functions.Storage;
using Imr.Functions.Workflow;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Imr.Functions.Services;

/// <summary>The answer to a review-change request: the HTTP status, a message for people, and whether an event was raised.</summary>
public sealed record ReviewChangeResult(int Status, string Message)
{
    public bool Raised => Status == StatusCodes.Status202Accepted;
}

/// <summary>
/// The one path of the two review changes, for the keyed route (the claims administrator's system) and the staff form:
/// conversion to expedited (8 CCR 9792.10.4(c)) and authorisation of every disputed item (8 CCR 9792.10.6(a)). Checks
/// the case can take the change, audits who asked (create-once per kind), and raises <see cref="ReviewChangeEvents.ReviewChanged"/>
/// to the case orchestration, which applies it with an idempotent activity. A change already made answers 200 and
/// changes nothing; a closed case, a case still at intake or on an older workflow version answers 409.
/// </summary>
public sealed class ReviewChangeRequests(CaseStore cases, CaseRecordStore records, AuditLog audit, TimeProvider time, ILogger<ReviewChangeRequests> logger)
{
    /// <summary>Asks for conversion to an expedited review.</summary>
    public Task<ReviewChangeResult> ConvertToExpeditedAsync(string caseNumberText, string requestedBy, DurableTaskClient durable, CancellationToken ct = default) =>
        RequestAsync(caseNumberText, ReviewChangeKinds.ConvertToExpedited, null, requestedBy, durable, ct);

    /// <summary>Reports that the disputed treatment was authorised: <paramref name="itemIds"/> null or empty means every item.</summary>
    public Task<ReviewChangeResult> TreatmentAuthorisedAsync(string caseNumberText, IReadOnlyList<string>? itemIds, string requestedBy, DurableTaskClient durable, CancellationToken ct = default) =>
        RequestAsync(caseNumberText, ReviewChangeKinds.TreatmentAuthorised, itemIds, requestedBy, durable, ct);

    private async Task<ReviewChangeResult> RequestAsync(string caseNumberText, string kind, IReadOnlyList<string>? itemIds, string requestedBy, DurableTaskClient durable, CancellationToken ct)
    {
        if (!CaseNumber.TryParse(caseNumberText, out var parsed))
        {
            return new(StatusCodes.Status400BadRequest, "Not a case number.");
        }

        var caseNumber = parsed.Value;
        var row = await cases.GetAsync(caseNumber, ct);
        if (row is null)
        {
            return new(StatusCodes.Status404NotFound, $"No case {caseNumber}.");
        }

        var authorise = kind == ReviewChangeKinds.TreatmentAuthorised;
        if (row.State == CaseStatus.Closed)
        {
            return authorise && row.EndedReason == ReviewChangeActivities.TreatmentAuthorisedReason
                ? new(StatusCodes.Status200OK, $"Case {caseNumber}: the review already ended because the treatment was authorised; nothing changed.")
                : new(StatusCodes.Status409Conflict, $"Case {caseNumber} is closed; nothing was changed.");
        }

        if (!CaseEntity.IsRegistered(row) || row.State == CaseStatus.Received)
        {
            return new(StatusCodes.Status409Conflict, $"Case {caseNumber} is still at intake (eligibility or medical records); the change can be made once its review has begun. Nothing was changed.");
        }

        if (row.State == CaseStatus.NeedsAttention)
        {
            return new(StatusCodes.Status409Conflict, $"Case {caseNumber} needs attention; retry the case first. Nothing was changed.");
        }

        if (row.WorkflowVersion is null || Microsoft.DurableTask.Abstractions.TaskOrchestrationVersioningUtils.CompareVersions(row.WorkflowVersion, CaseWorkflowVersions.ReviewChanges) < 0)
        {
            return new(StatusCodes.Status409Conflict, $"Case {caseNumber} runs on workflow version {row.WorkflowVersion ?? CaseWorkflowVersions.First}, which takes no review changes; change its deadlines or close it by hand. Nothing was changed.");
        }

        if (!authorise && row.Expedited)
        {
            return new(StatusCodes.Status200OK, $"Case {caseNumber} is already an expedited review; nothing changed.");
        }

        if (authorise)
        {
            var package = (await records.ReadAsync(row, ct)).Package;
            AuthorisationOutcome outcome;
            try
            {
                outcome = TreatmentAuthorised.Apply(package, itemIds is { Count: > 0 } ? itemIds : package.DisputedItems.Select(i => i.ItemId));
            }
            catch (ArgumentException e)
            {
                return new(StatusCodes.Status400BadRequest, e.Message);
            }

            if (outcome.Effect != AuthorisationEffect.ReviewEnds)
            {
                // A partial authorisation narrows the review; the workflow does not take that yet (docs/programs.md).
                return new(StatusCodes.Status422UnprocessableEntity,
                    $"Only an authorisation of every disputed item ends the review; still disputed: {string.Join(", ", outcome.StillDisputed)}. Nothing was changed.");
            }
        }

        var instance = await durable.GetInstanceAsync(parsed.OrchestrationInstanceId, getInputsAndOutputs: false, ct);
        if (!WorkflowStatus.TakesEvents(instance))
        {
            return new(StatusCodes.Status409Conflict, $"The workflow of case {caseNumber} is not running; nothing was changed. Retry the case, then ask again.");
        }

        // Audited once per kind with the asker's identity (a second request finds the row); the event carries the same name.
        var step = authorise ? "review-change-authorised-requested" : "review-change-expedited-requested";
        await audit.RecordAsync(caseNumber, step, authorise ? "Treatment authorised (reported)" : "Conversion to expedited asked", $"by {requestedBy}", ct);
        await durable.RaiseEventAsync(parsed.OrchestrationInstanceId, ReviewChangeEvents.ReviewChanged, new ReviewChange(kind, time.GetUtcNow(), requestedBy), ct);
        logger.LogInformation("Case {CaseNumber}: review change {Kind} sent", caseNumber, kind);
        return new(StatusCodes.Status202Accepted, authorise
            ? $"Case {caseNumber}: the authorisation was sent; the review ends and the parties are told."
            : $"Case {caseNumber}: the conversion to expedited was sent; the deadlines are recomputed.");
    }
}
