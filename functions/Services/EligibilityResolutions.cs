using System.Text.Json;
using Imr.Domain.Cases;
using Imr.Domain.Eligibility;
using Imr.Functions.Storage;
using Imr.Functions.Workflow;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Imr.Functions.Services;

/// <summary>What a resolution came to: an HTTP-style status, a message for the sender, and the stored reason's id when sent.</summary>
public sealed record EligibilityResolutionOutcome(int Status, string Message, string? ReasonId);

/// <summary>Staff resolve a deferred eligibility question (e.g. liability was decided); the case's orchestration waits for this.</summary>
public sealed class EligibilityResolutions(IntakeStore store, AuditLog audit, ILogger<EligibilityResolutions> logger)
{
    public async Task<IActionResult> ResolveAsync(string caseNumberText, HttpRequest request, DurableTaskClient durable, CancellationToken ct)
    {
        if (!CaseNumber.TryParse(caseNumberText, out var caseNumber))
        {
            return new BadRequestObjectResult(new { error = "Not a case number." });
        }

        ResolutionRequest? resolution;
        try
        {
            resolution = await JsonSerializer.DeserializeAsync<ResolutionRequest>(request.Body, CasePackage.JsonOptions, ct);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or BadHttpRequestException or IOException && !ct.IsCancellationRequested)
        {
            // Malformed JSON, invalid UTF-16 in a string, a body over the server's limit or cut short: the sender's error (400).
            resolution = null;
        }

        if (resolution is null || resolution.Outcome is not (nameof(EligibilityOutcome.Eligible) or nameof(EligibilityOutcome.Ineligible)) || string.IsNullOrWhiteSpace(resolution.Reason))
        {
            return new BadRequestObjectResult(new { error = "Send JSON {\"outcome\": \"Eligible\" | \"Ineligible\", \"reason\": \"…\"}." });
        }

        var outcome = await ResolveAsync(caseNumber, resolution.Outcome, resolution.Reason, durable, ct);
        return outcome.Status switch
        {
            StatusCodes.Status202Accepted => new AcceptedResult($"cases/{caseNumber}", new { caseNumber = caseNumber.Value, outcome = resolution.Outcome }),
            StatusCodes.Status404NotFound => new NotFoundObjectResult(new { error = outcome.Message }),
            StatusCodes.Status409Conflict => new ConflictObjectResult(new { error = outcome.Message }),
            _ => new ObjectResult(new { error = outcome.Message }) { StatusCode = outcome.Status },
        };
    }

    /// <summary>
    /// The one home of the resolution rules, for the keyed JSON route and the intake desk's form: the case must be deferred
    /// and its workflow running; the reason is stored in the case's audit partition and only its id enters durable history.
    /// </summary>
    public async Task<EligibilityResolutionOutcome> ResolveAsync(CaseNumber caseNumber, string outcome, string reason, DurableTaskClient durable, CancellationToken ct)
    {
        var record = await store.GetAsync(caseNumber.Value, ct);
        if (record is null)
        {
            return new(StatusCodes.Status404NotFound, $"No case {caseNumber}.", null);
        }

        if (record.Stage != IntakeStages.Deferred)
        {
            // A repeat after the case moved on changes nothing.
            return new(StatusCodes.Status409Conflict, $"Case {caseNumber} is not deferred (stage {record.Stage}); nothing was recorded.", null);
        }

        var instance = await durable.GetInstanceAsync(caseNumber.OrchestrationInstanceId, getInputsAndOutputs: false, ct);
        if (!WorkflowStatus.TakesEvents(instance))
        {
            return new(StatusCodes.Status503ServiceUnavailable, "The case is not ready; nothing was recorded, try again.", null);
        }

        // The reason is staff free text: stored in the case's audit partition, the event (durable history) carries its id.
        // No "What": the row is the stored value, not a trail entry (the resolution's own audit entry shows the reason).
        var reasonId = $"eligibility-resolution-{Guid.NewGuid():N}";
        await audit.RecordAsync(caseNumber.Value, reasonId, "", reason.Trim(), ct);
        await durable.RaiseEventAsync(caseNumber.OrchestrationInstanceId, IntakeEvents.EligibilityResolved, new EligibilityResolution(outcome, reasonId), ct);
        logger.LogInformation("Case {CaseNumber}: eligibility resolution sent", caseNumber);
        return new(StatusCodes.Status202Accepted, $"Case {caseNumber}: resolution sent.", reasonId);
    }

    /// <summary>The route's JSON body.</summary>
    private sealed record ResolutionRequest(string Outcome, string Reason);
}
