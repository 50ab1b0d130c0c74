using Imr.Domain.Cases;
using Imr.Domain.Eligibility;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Imr.Functions.Workflow;

/// <summary>
/// The case orchestration's activities. Each is idempotent (create-only writes, deterministic ids), because the
/// durable backend may run an activity more than once.
/// </summary>
public sealed class CaseActivities(
    CaseStore cases,
    CaseRegistration registration,
    Escalations escalations,
    AuditLog audit,
    TimeProvider time,
    ILogger<CaseActivities> logger)
{
    /// <summary>The case's row from the orchestration's first step (<see cref="CaseRegistration.OpenAsync"/>); from 3.2 ScreenEligibility opens it.</summary>
    [Function(nameof(OpenCase))]
    public Task OpenCase([ActivityTrigger] OpenCaseStep step) => registration.OpenAsync(step.CaseNumber, step.ManifestBlobName, step.WorkflowVersion);

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

    /// <summary>The review clock starts (<see cref="CaseRegistration.RegisterAsync(string, string, CancellationToken)"/>); from 3.2 the records step registers the case.</summary>
    [Function(nameof(RegisterCase))]
    public Task<CaseRegistered> RegisterCase([ActivityTrigger] CaseWorkflowInput input) => registration.RegisterAsync(input.CaseNumber, input.ManifestBlobName);

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
