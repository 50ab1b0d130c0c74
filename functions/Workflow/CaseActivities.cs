using Imr.Domain.Callbacks;
using Imr.Domain.Cases;
using Imr.Domain.Reviewers;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Workflow;

/// <summary>
/// The case orchestration's activities. Each is idempotent (create-only writes, deterministic ids), because the
/// durable backend may run an activity more than once.
/// </summary>
public sealed class CaseActivities(
    CaseStore cases,
    DocumentStore documents,
    Outbox outbox,
    DeadlineIndex deadlineIndex,
    IOptions<ImrOptions> options,
    TimeProvider time,
    ILogger<CaseActivities> logger)
{
    [Function(nameof(RegisterCase))]
    public async Task<CaseRegistered> RegisterCase([ActivityTrigger] CaseWorkflowInput input)
    {
        var manifest = await documents.ReadAsync(StorageNames.CaseFilesContainer, input.ManifestBlobName);
        var package = await documents.ReadAcceptedPackageAsync(input.ManifestBlobName);
        // The case's own program selects its policy: one app serves cases of several programs.
        var policy = options.Value.PolicyFor(package.Program.ToString());
        var deadlines = policy.For(time.GetUtcNow(), package.Expedited);
        var entity = new CaseEntity
        {
            PartitionKey = input.CaseNumber,
            Status = nameof(CaseStatus.Received),
            Expedited = package.Expedited,
            Program = package.Program.ToString(),
            ManifestBlobName = input.ManifestBlobName,
            ManifestSha256 = DocumentStore.Sha256Hex(manifest),
            ReceivedAt = deadlines.ReceivedAt,
            CaseDueAt = deadlines.CaseDueAt,
            ReviewerDueAt = deadlines.ReviewerDueAt,
        };
        var stored = await cases.AddOnceAsync(entity);
        // A retried activity or a run resumed by the sweep finds the stored case: its checks are not put back once
        // escalated, and only a new case arms the recurring reconcile check.
        var isNew = ReferenceEquals(stored, entity);
        await deadlineIndex.EnsureAsync(input.CaseNumber, stored.CaseDueAt, isNew ? time.GetUtcNow() + options.Value.ReconcileInterval : null);
        logger.LogInformation("Case {CaseNumber} recorded", input.CaseNumber);
        return new CaseRegistered(input.CaseNumber, stored.CaseDueAt, stored.ReviewerDueAt, policy.ScaledAcceptanceWindow, options.Value.MaxOfferRounds);
    }

    [Function(nameof(MarkOverdue))]
    public async Task MarkOverdue([ActivityTrigger] string caseNumber)
    {
        await cases.UpdateAsync(caseNumber, c =>
        {
            c.Overdue = true;
            c.Status = nameof(CaseStatus.Overdue);
        });
        // Same notification id as the sweep's overdue escalation: the medical director hears of it once.
        await outbox.EnqueueAsync(new Notification(Escalations.NotificationId(EscalationLevels.Overdue), caseNumber, options.Value.MedicalDirectorEmail, $"IMR case {caseNumber} is overdue", "The case has passed its due date without a determination. The review continues."));
        logger.LogWarning("Case {CaseNumber} is overdue", caseNumber);
    }

    [Function(nameof(EscalateCase))]
    public async Task EscalateCase([ActivityTrigger] CaseEscalation escalation)
    {
        await cases.UpdateAsync(escalation.CaseNumber, c => c.Status = nameof(CaseStatus.AwaitingManualAssignment));
        await outbox.EnqueueAsync(new Notification($"escalation-{escalation.Level}", escalation.CaseNumber, options.Value.MedicalDirectorEmail, $"IMR case {escalation.CaseNumber} needs a reviewer", escalation.Reason));
    }

    [Function(nameof(CloseCase))]
    public async Task CloseCase([ActivityTrigger] IssueRequest request)
    {
        var now = time.GetUtcNow();
        var closed = await cases.UpdateAsync(request.CaseNumber, c =>
        {
            c.Status = nameof(CaseStatus.Closed);
            c.AssignmentStatus = "Completed";
            c.ClosedAt ??= now;
        });
        await cases.UpdateAssignmentAsync(request.CaseNumber, request.AssignmentId, a => a.Status = "Completed");
        await deadlineIndex.RemoveAsync(request.CaseNumber, closed.CaseDueAt);
    }

    private async Task<CasePackage> LoadPackageAsync(CaseEntity caseEntity)
    {
        return await documents.ReadAcceptedPackageAsync(caseEntity.ManifestBlobName);
    }
}
