using System.Security.Cryptography;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Imr.Domain.Cases;
using Imr.Domain.Reviewers;
using Imr.Functions.Storage;
using Imr.Functions.Workflow;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Imr.Functions.Services;

/// <summary>
/// Staff's side of the roster: import from CSV or JSON (admin route or a blob in the roster container) with a report of
/// what changed, and the medical director's manual assignment of a case nobody accepted.
/// </summary>
public sealed class RosterAdmin(RosterStore roster, CaseStore cases, DocumentStore documents, ReviewerMatcher matcher, AuditLog audit, CallbackUses uses, AnswerRedelivery delivery, AnswerFaults faults, TimeProvider time, ILogger<RosterAdmin> logger)
{
    public const string ImportRoute = "manage/roster";
    public const string AssignRoute = "manage/cases/{caseNumber}/assign";
    public const string ReportsFolder = "reports/";
    public const int MaxRosterBytes = 4 * 1024 * 1024;
    /// <summary>The single-use row (in the callback uses table, keyed by the round's assignment id) of a manual-assignment round.</summary>
    public const string ManualAssignmentUse = "ManualAssignment";

    /// <summary>The id a manual-assignment round's answer is recorded under (the assignment id the round creates).</summary>
    public static string RoundId(string caseNumber, int round) => CaseNames.AssignmentId(caseNumber, round);

    /// <summary>The stored answer of a round (the claim's result); the sweep re-delivers it to a restarted case.</summary>
    public sealed record ManualChoice(string ReviewerId, string AssignedBy);

    /// <summary>Validates the whole file first; applies it only when every row is valid (a half-applied roster would silently change who may review).</summary>
    public async Task<RosterImportReport> ImportAsync(string fileName, byte[] content, bool apply, CancellationToken ct = default)
    {
        var (reviewers, problems) = RosterImport.Parse(fileName, content);
        var report = RosterImport.Compare(reviewers, problems, await roster.ListAsync(ct));
        if (!report.Applied || !apply)
        {
            report = report with { Applied = false };
            logger.LogWarning("Roster import not applied: {Problems} invalid rows, dry run {DryRun}", problems.Count, !apply);
            return report;
        }

        var byId = reviewers.ToDictionary(r => r.ReviewerId);
        foreach (var change in report.Changes.Where(c => c.Change != "unchanged"))
        {
            await roster.UpsertAsync(byId[change.ReviewerId], ct);
        }

        // Keyed by the file's hash: the same file delivered twice is one audit entry.
        await audit.RecordAsync("roster", $"import-{Convert.ToHexStringLower(SHA256.HashData(content))[..32]}", "Roster imported",
            $"{fileName}: {report.Added} added, {report.Updated} updated, {report.Unchanged} unchanged: " + string.Join("; ", report.Changes.Where(c => c.Change == "updated").Select(c => $"{c.ReviewerId} ({string.Join(", ", c.Fields)})")), ct);
        logger.LogInformation("Roster imported: {Added} added, {Updated} updated, {Unchanged} unchanged", report.Added, report.Updated, report.Unchanged);
        return report;
    }

    /// <summary>A roster file posted to the admin route (the trigger reads the body within <see cref="MaxRosterBytes"/>).</summary>
    public async Task<IActionResult> ImportUploadAsync(byte[] content, bool isJson, bool dryRun, CancellationToken ct)
    {
        var report = await ImportAsync(isJson ? "upload.json" : "upload.csv", content, apply: !dryRun, ct);
        return report.Problems.Count > 0 ? new BadRequestObjectResult(report) : new OkObjectResult(report);
    }

    /// <summary>A roster file dropped in the roster container; the report is written beside it under reports/.</summary>
    public async Task ImportFromBlobAsync(BlobClient blob, CancellationToken ct)
    {
        if (blob.Name.StartsWith(ReportsFolder, StringComparison.Ordinal))
        {
            return; // our own reports
        }

        var content = (await blob.DownloadContentAsync(ct)).Value.Content.ToArray();
        var report = await ImportAsync(blob.Name, content, apply: true, ct);
        var reportBlob = blob.GetParentBlobContainerClient().GetBlobClient($"{ReportsFolder}{blob.Name}.report.json");
        await reportBlob.UploadAsync(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(report, CasePackage.JsonOptions)), overwrite: true, ct);
    }

    /// <summary>The medical director's choice for a case waiting for manual assignment; checked here for a clear answer, and again by the orchestration.</summary>
    /// <param name="reviewerId">The chosen reviewer (form field or JSON property, read by the trigger).</param>
    /// <param name="assignedBy">Who chose (optional).</param>
    public async Task<IActionResult> AssignAsync(string caseNumber, string? reviewerId, string? assignedBy, DurableTaskClient durable, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(reviewerId) || !CaseNumber.TryParse(caseNumber, out var number))
        {
            return new BadRequestObjectResult(new { error = "Give the case number in the route and reviewerId in the body." });
        }

        var caseEntity = await cases.GetAsync(caseNumber, ct);
        if (caseEntity is null) return new NotFoundObjectResult(new { error = $"Case {caseNumber} is not recorded." });
        // The round the orchestration waits for (recorded by the escalation) is answered once: a double click or a retry
        // gets the first answer again instead of raising a second event.
        var round = caseEntity.ManualAssignmentRound;
        var useId = RoundId(caseNumber, round);
        if (round > 0 && await uses.GetAsync(useId, ManualAssignmentUse, ct) is { } answered)
        {
            // Recorded but never raised (the request that recorded it stopped): this request delivers it first.
            return answered.EffectiveState == AnswerStates.Recorded && await DeliverAsync(number, answered, durable, ct) is { } failed
                ? failed
                : RepeatedAnswer(caseNumber, round, answered.Result, reviewerId);
        }

        if (caseEntity.State != CaseStatus.AwaitingManualAssignment || round == 0)
        {
            return new ConflictObjectResult(new { error = $"Case {caseNumber} is not waiting for a manual assignment (status {caseEntity.Status})." });
        }

        var reviewer = await roster.GetAsync(reviewerId, ct);
        if (reviewer is null) return new BadRequestObjectResult(new { error = $"Reviewer {reviewerId} is not on the roster." });
        var package = await documents.ReadAcceptedPackageAsync(caseEntity, ct);
        var blocking = matcher.ManualAssignmentBlocking(package, reviewer);
        if (blocking.Count > 0)
        {
            return new ConflictObjectResult(new { error = $"Reviewer {reviewerId} cannot review this case.", reasons = blocking });
        }

        var instance = await durable.GetInstanceAsync(number.OrchestrationInstanceId, getInputsAndOutputs: false, ct);
        if (!WorkflowStatus.TakesEvents(instance))
        {
            return new ObjectResult(new { error = "The case's workflow is not running; nothing was recorded. Try again shortly." }) { StatusCode = 503 };
        }

        var choice = new ManualChoice(reviewerId, string.IsNullOrWhiteSpace(assignedBy) ? "medical director" : assignedBy.Trim());
        // Recorded (with the round) before the event is raised: a crash after this is completed by a retry or by the sweep.
        var (answer, first) = await uses.RecordAsync(new AnswerRecord
        {
            PartitionKey = useId,
            RowKey = ManualAssignmentUse,
            CaseNumber = caseNumber,
            Answer = AnswerKinds.ManualAssignment,
            Round = round,
            Result = JsonSerializer.Serialize(choice),
            DeliverBy = time.GetUtcNow() + AnswerRedelivery.DeliveryLease,
        }, time.GetUtcNow(), ct);
        if (!first)
        {
            // A concurrent request recorded the round first; if it has not raised it, this one does.
            return answer.EffectiveState == AnswerStates.Recorded && await DeliverAsync(number, answer, durable, ct) is { } failed
                ? failed
                : RepeatedAnswer(caseNumber, round, answer.Result, reviewerId);
        }

        await faults.AtAsync(AnswerStep.Recorded, ct);
        if (await DeliverAsync(number, answer, durable, ct, own: true) is { } notDelivered) return notDelivered;
        logger.LogInformation("Case {CaseNumber}: manual assignment requested for round {Round}", caseNumber, round);
        return new AcceptedResult((string?)null, new { caseNumber, reviewerId, round, status = "assignment requested" });
    }

    /// <summary>Raises the recorded choice (taking the delivery over from a request that stopped); null when done, else the answer to send.</summary>
    private async Task<IActionResult?> DeliverAsync(CaseNumber number, AnswerRecord answer, DurableTaskClient durable, CancellationToken ct, bool own = false)
    {
        if (!own && await delivery.WaitOrTakeOverAsync(answer, ct) is null) return null; // raised meanwhile by its own request
        try
        {
            await delivery.RaiseAsync(durable, answer, ct);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Case {CaseNumber}: manual assignment recorded but not yet delivered", number.Value);
            return new ObjectResult(new { error = "The choice is recorded but could not be passed to the workflow just now; it will be passed on automatically (or repeat the request in a minute)." }) { StatusCode = 503 };
        }
    }

    /// <summary>
    /// The round was answered already: the same choice again gets the first answer (202, no second event); another
    /// choice is refused, because only a refusal by the orchestration (which opens a new round) allows a new choice.
    /// </summary>
    private static IActionResult RepeatedAnswer(string caseNumber, int round, string firstResult, string reviewerId)
    {
        var first = JsonSerializer.Deserialize<ManualChoice>(firstResult)!;
        return first.ReviewerId == reviewerId
            ? new AcceptedResult((string?)null, new { caseNumber, reviewerId = first.ReviewerId, round, status = "assignment requested", repeated = true })
            : new ConflictObjectResult(new
            {
                error = $"Case {caseNumber} was already assigned by hand to reviewer {first.ReviewerId} in round {round}. If the workflow refuses that choice, a new round is opened and announced to the medical director.",
                reviewerId = first.ReviewerId,
                round,
            });
    }
}
