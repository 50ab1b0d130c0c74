using Imr.Domain.Cases;
using Imr.Domain.Eligibility;
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
    CaseRecordStore records,
    DeadlineIndex deadlineIndex,
    Escalations escalations,
    AuditLog audit,
    IOptions<ImrOptions> options,
    TimeProvider time,
    ILogger<CaseActivities> logger)
{
    /// <summary>
    /// The case's row from the orchestration's first step: Received, without a review clock (RegisterCase sets it once
    /// the records are in). Create-only. From workflow 3.1 the row records the version too (a row that exists already, after
    /// a restart during intake, gets it if it lacks it); older versions send none and record it in a step of their own.
    /// </summary>
    [Function(nameof(OpenCase))]
    public async Task OpenCase([ActivityTrigger] OpenCaseStep step)
    {
        var row = await cases.AddOnceAsync(new CaseEntity { PartitionKey = step.CaseNumber, Status = nameof(CaseStatus.Received), ManifestBlobName = step.ManifestBlobName, WorkflowVersion = step.WorkflowVersion });
        if (step.WorkflowVersion is { } version && row.WorkflowVersion != version)
        {
            await cases.UpdateAsync(step.CaseNumber, c => c.WorkflowVersion = version);
        }
    }

    /// <summary>The case ended at intake (not eligible, or combined into another case): its row is closed, without a review clock.</summary>
    [Function(nameof(CloseAtIntake))]
    public async Task CloseAtIntake([ActivityTrigger] string caseNumber)
    {
        var now = time.GetUtcNow();
        await cases.UpdateAsync(caseNumber, c =>
        {
            c.Status = nameof(CaseStatus.Closed);
            c.ClosedAt ??= now;
        });
    }

    /// <summary>
    /// A step failed for good (or outlasted its retries): the case is recorded as NeedsAttention with the reason (the
    /// step and the kind of failure), put on the attention list of the at-risk report, audited, and the medical director
    /// is told once per failure. A closed case keeps its status (only the mail and the audit row). Creates the case's row
    /// when the failure came before it existed.
    /// </summary>
    [Function(nameof(RecordNeedsAttention))]
    public async Task RecordNeedsAttention([ActivityTrigger] CaseAttention attention)
    {
        await cases.AddOnceAsync(new CaseEntity { PartitionKey = attention.CaseNumber, Status = nameof(CaseStatus.Received), ManifestBlobName = attention.ManifestBlobName });
        var reason = MedicalDirectorNotices.AttentionReason(attention.Step, attention.ErrorType, attention.Transient, ActivityRetry.MaxAttempts);
        var (c, applied) = await cases.ChangeAsync(attention.CaseNumber, c =>
        {
            if (c.AttentionSince == attention.At) return; // this failure is recorded already (a repeated run)
            if (c.State != CaseStatus.NeedsAttention) c.StatusBeforeAttention = c.Status;
            c.State = CaseStatus.NeedsAttention;
            c.AttentionReason = reason;
            c.AttentionSince = attention.At;
            c.AttentionTransient = attention.Transient;
            c.AttentionCount++;
        });
        if (applied)
        {
            await cases.MarkNeedsAttentionAsync(attention.CaseNumber, reason, attention.At);
        }

        var count = Math.Max(c.AttentionCount, 1);
        var (subject, body) = MedicalDirectorNotices.NeedsAttention(attention.CaseNumber, reason);
        await escalations.SendOnceAsync(attention.CaseNumber, $"NeedsAttention-{count}", subject, body);
        await audit.RecordAsync(attention.CaseNumber, $"attention-{count}", "Needs attention", reason);
        logger.LogWarning("Case {CaseNumber} needs attention: step {Step} failed ({ErrorType})", attention.CaseNumber, attention.Step, attention.ErrorType);
    }

    public static string RetryRoute(string caseNumber) => $"/api/manage/cases/{caseNumber}/retry";

    [Function(nameof(RegisterCase))]
    public async Task<CaseRegistered> RegisterCase([ActivityTrigger] CaseWorkflowInput input)
    {
        // The row (from the first step) names the record's version; the record has the package and the manifest's hash.
        var row = await cases.GetAsync(input.CaseNumber);
        var record = row is null ? await records.ReadLatestAsync(input.CaseNumber, input.ManifestBlobName) : await records.ReadAsync(row);
        var package = record.Package;
        // The case's own program selects its policy: one app serves cases of several programs.
        var policy = options.Value.PolicyFor(package.Program.ToString());
        var deadlines = policy.For(time.GetUtcNow(), package);
        var entity = new CaseEntity
        {
            PartitionKey = input.CaseNumber,
            Status = nameof(CaseStatus.Received),
            Expedited = package.Expedited,
            Program = package.Program.ToString(),
            ManifestBlobName = input.ManifestBlobName,
            ManifestSha256 = record.ManifestSha256,
            RecordVersion = record.Version,
            ReceivedAt = deadlines.ReceivedAt,
            CaseDueAt = deadlines.CaseDueAt,
            ReviewerDueAt = deadlines.ReviewerDueAt,
        };
        var stored = row ?? await cases.AddOnceAsync(entity);
        var isNew = ReferenceEquals(stored, entity);
        if (!isNew && !CaseEntity.IsRegistered(stored))
        {
            // The row opened at the first step: the review clock starts now, once (a repeated run finds it set).
            var (registered, applied) = await cases.ChangeAsync(input.CaseNumber, c =>
            {
                if (CaseEntity.IsRegistered(c)) return;
                c.Expedited = entity.Expedited;
                c.Program = entity.Program;
                c.ManifestBlobName = entity.ManifestBlobName;
                c.ManifestSha256 = entity.ManifestSha256;
                c.ReceivedAt = entity.ReceivedAt;
                c.CaseDueAt = entity.CaseDueAt;
                c.ReviewerDueAt = entity.ReviewerDueAt;
            });
            isNew = applied && registered.CaseDueAt == entity.CaseDueAt;
            stored = registered;
        }

        // A retried activity or a run resumed by the sweep finds the stored case: its checks are not put back once
        // escalated, and only a new case arms the recurring reconcile check.
        await deadlineIndex.EnsureAsync(input.CaseNumber, stored.CaseDueAt, isNew ? time.GetUtcNow() + options.Value.ReconcileInterval : null);
        logger.LogInformation("Case {CaseNumber} recorded", input.CaseNumber);
        return new CaseRegistered(input.CaseNumber, stored.CaseDueAt, stored.ReviewerDueAt, policy.ScaledAcceptanceWindow, options.Value.MaxOfferRounds) { Program = stored.Program };
    }

    [Function(nameof(MarkOverdue))]
    public async Task MarkOverdue([ActivityTrigger] string caseNumber)
    {
        var (_, applied) = await cases.ChangeAsync(caseNumber, c =>
        {
            c.Overdue = true;
            c.State = CaseStatus.Overdue;
        });
        if (!applied)
        {
            logger.LogInformation("Case {CaseNumber}: overdue not recorded, the case has moved on", caseNumber);
            return; // closed meanwhile (a late, repeated run)
        }

        // Same notification id as the sweep's overdue escalation: the medical director hears of it once.
        var (subject, body) = MedicalDirectorNotices.Overdue(caseNumber);
        await escalations.SendOnceAsync(caseNumber, EscalationLevels.Overdue, subject, body); // with the work queue's link
        logger.LogWarning("Case {CaseNumber} is overdue", caseNumber);
    }
}
