using System.Text;
using Imr.Domain.Cases;
using Imr.Domain.Eligibility;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Workflow;

/// <summary>
/// Activities of the intake steps (eligibility, medical records). Idempotent: audit rows are keyed by the orchestration's
/// own time and event, records and letters are written create-only or as the same final state.
/// </summary>
public sealed class IntakeActivities(
    IntakeStore store,
    CaseStore cases,
    CaseIntake intake,
    DocumentStore documents,
    Outbox outbox,
    IOptions<ImrOptions> imr,
    IOptions<IntakeOptions> options,
    ILogger<IntakeActivities> logger)
{
    [Function(nameof(ScreenEligibility))]
    public async Task<EligibilityScreened> ScreenEligibility([ActivityTrigger] IntakeStep step)
    {
        var package = await LoadAsync(step.ManifestBlobName);
        var mine = ApplicationFingerprint.Of(package);
        var record = await store.IndexApplicationOnceAsync(mine, step.At);

        // Only applications on file before this one count, so two simultaneous duplicates do not disqualify each other.
        var prior = new List<PriorApplication>();
        foreach (var a in await store.ApplicationsOfWorkerAsync(mine.WorkerKey))
        {
            var earlier = a.ReceivedAt < record.ReceivedAt || (a.ReceivedAt == record.ReceivedAt && string.CompareOrdinal(a.RowKey, record.RowKey) < 0);
            if (a.RowKey == mine.CaseNumber || a.Status != "Open" || !earlier)
            {
                continue;
            }

            var decided = (await cases.GetAsync(a.RowKey))?.Status == nameof(CaseStatus.Closed);
            prior.Add(new PriorApplication(a.Fingerprint, decided));
        }

        var decision = EligibilityScreening.Screen(package, prior, options.Value.Rules);
        await RecordAsync(step.CaseNumber, mine.WorkerKey, step.At, decision.Outcome.ToString(), decision.Reasons, decision.DuplicateOf);
        logger.LogInformation("Case {CaseNumber} screened: {Outcome}", step.CaseNumber, decision.Outcome);
        return new EligibilityScreened(decision.Outcome.ToString(), decision.Reasons, decision.DuplicateOf, decision.CombineWith);
    }

    [Function(nameof(ResolveEligibility))]
    public async Task<EligibilityScreened> ResolveEligibility([ActivityTrigger] ResolutionStep step)
    {
        var package = await LoadAsync(step.ManifestBlobName);
        var outcome = step.Resolution.Outcome == nameof(EligibilityOutcome.Ineligible) ? nameof(EligibilityOutcome.Ineligible) : nameof(EligibilityOutcome.Eligible);
        IReadOnlyList<string> reasons = [$"Resolved by staff: {step.Resolution.Reason}"];
        await RecordAsync(step.CaseNumber, ApplicationFingerprint.Of(package).WorkerKey, step.At, outcome, reasons, null);
        return new EligibilityScreened(outcome, reasons, null, null);
    }

    [Function(nameof(IssueIneligibilityNotice))]
    public async Task<string> IssueIneligibilityNotice([ActivityTrigger] IneligibilityStep step)
    {
        var package = await LoadAsync(step.ManifestBlobName);
        var blobName = $"{step.CaseNumber}/ineligibility-notice.txt";
        var notice = new IneligibilityNotice(imr.Value.OrganizationName, step.CaseNumber, package.ApplicationDate, DateOnly.FromDateTime(step.At.UtcDateTime), step.Reasons, step.DuplicateOf);
        var text = IneligibilityNoticeRenderer.Render(notice);
        // Create-only: a retried activity finds the notice already issued and issues nothing twice.
        await documents.CreateOnceAsync(StorageNames.DeterminationsContainer, blobName, BinaryData.FromBytes(Encoding.UTF8.GetBytes(text)), "text/plain; charset=utf-8");
        await outbox.EnqueueAsync(new Notification("ineligibility-notice", step.CaseNumber, package.SubmitterEmail ?? options.Value.IntakeDeskEmail,
            $"IMR case {step.CaseNumber}: not eligible for Independent Medical Review", text));
        await store.UpdateAsync(step.CaseNumber, i =>
        {
            i.Stage = IntakeStages.Ineligible;
            i.NoticeBlobName = blobName;
        });
        await store.AppendAuditAsync(step.CaseNumber, step.At, "Closed", "ineligibility notice issued");
        return blobName;
    }

    [Function(nameof(CombineApplication))]
    public async Task CombineApplication([ActivityTrigger] IneligibilityStep step)
    {
        // Reuses the step record: DuplicateOf carries the case this application joins.
        var target = step.DuplicateOf ?? throw new ArgumentException("No case to combine with.");
        var package = await LoadAsync(step.ManifestBlobName);
        await store.SetApplicationStatusAsync(ApplicationFingerprint.Of(package).WorkerKey, step.CaseNumber, "Combined");
        await store.UpdateAsync(step.CaseNumber, i =>
        {
            i.Stage = IntakeStages.Combined;
            i.CombinedWith = target;
        });
        await store.AppendAuditAsync(step.CaseNumber, step.At, IntakeStages.Combined, $"combined into case {target}");
        await store.AppendAuditAsync(target, step.At, "ApplicationCombined", $"application {step.CaseNumber} combined into this case");
    }

    [Function(nameof(RequestRecords))]
    public async Task<RecordsStatus> RequestRecords([ActivityTrigger] IntakeStep step)
    {
        var package = await LoadAsync(step.ManifestBlobName);
        var allowed = imr.Value.DeadlinePolicy.Scale(options.Value.RecordsPolicy.Allowed(package.Expedited, package.NoticeOfAssignmentBy));
        var due = step.At + allowed;
        var missing = await intake.MissingDocumentsAsync(step.CaseNumber, package, step.At);
        await store.UpdateAsync(step.CaseNumber, i =>
        {
            i.Stage = missing.Count == 0 ? IntakeStages.RecordsReceived : IntakeStages.AwaitingRecords;
            i.RecordsDueAt = due;
            i.MissingDocuments = string.Join(", ", missing);
        });
        await store.AppendAuditAsync(step.CaseNumber, step.At.AddTicks(2), missing.Count == 0 ? IntakeStages.RecordsReceived : IntakeStages.AwaitingRecords,
            missing.Count == 0 ? "all listed documents present" : $"{missing.Count} listed document(s) awaited until {due:u} ({(package.Expedited ? "expedited" : package.NoticeOfAssignmentBy == NoticeMethod.Mail ? "mailed notice" : "electronic notice")})");
        return new RecordsStatus(due, missing);
    }

    [Function(nameof(CheckRecords))]
    public async Task<RecordsStatus> CheckRecords([ActivityTrigger] RecordsCheck check)
    {
        var package = await LoadAsync(check.ManifestBlobName);
        var missing = await intake.MissingDocumentsAsync(check.CaseNumber, package, check.At);
        var stage = missing.Count == 0 ? IntakeStages.RecordsReceived : check.Final ? IntakeStages.RecordsLate : IntakeStages.AwaitingRecords;
        await store.UpdateAsync(check.CaseNumber, i =>
        {
            i.Stage = stage;
            i.MissingDocuments = string.Join(", ", missing);
        });
        if (stage != IntakeStages.AwaitingRecords)
        {
            await store.AppendAuditAsync(check.CaseNumber, check.At.AddTicks(2), stage,
                missing.Count == 0 ? "all listed documents received" : $"{missing.Count} listed document(s) missing at the deadline; the review proceeds with what was received");
            logger.LogInformation("Case {CaseNumber}: {Stage}", check.CaseNumber, stage);
        }

        return new RecordsStatus(check.DueAt, missing);
    }

    private async Task RecordAsync(string caseNumber, string workerKey, DateTimeOffset at, string outcome, IReadOnlyList<string> reasons, string? duplicateOf)
    {
        if (outcome == nameof(EligibilityOutcome.Ineligible))
        {
            // An ineligible application is not "on file" for later duplicate checks.
            await store.SetApplicationStatusAsync(workerKey, caseNumber, "Ineligible");
        }

        await store.UpdateAsync(caseNumber, i =>
        {
            i.Stage = outcome;
            i.Eligibility = outcome;
            i.EligibilityReasons = IntakeStore.Json(reasons);
            i.DuplicateOf = duplicateOf;
        });
        await store.AppendAuditAsync(caseNumber, at.AddTicks(1), outcome, reasons.Count == 0 ? null : string.Join(" ", reasons));
    }

    private async Task<CasePackage> LoadAsync(string manifestBlobName)
    {
        return await documents.ReadAcceptedPackageAsync(manifestBlobName);
    }
}
