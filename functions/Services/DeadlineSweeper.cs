using System.Globalization;
using System.Text.Json;
using Imr.Domain.Cases;
using Imr.Functions.Storage;
using Imr.Functions.Workflow;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Services;

/// <summary>A case whose orchestration is not running although the case is open.</summary>
public sealed record ReconciliationFinding(string CaseNumber, string Problem, bool Restarted);

/// <param name="EntriesRead">Rows the deadline-index query returned: only due checks are ever read.</param>
/// <param name="CasesRead">Case records read (one point read per due check).</param>
public sealed record SweepReport(int EntriesRead, int CasesRead, int AtRisk, int Overdue, int EscalationsSent, IReadOnlyList<ReconciliationFinding> Reconciliation);

/// <summary>
/// The scheduled sweep: reads the due checks of the deadline index (never every case), escalates each case at most
/// once per level, and reconciles orchestrations that failed, were terminated or are missing.
/// </summary>
public sealed class DeadlineSweeper(DeadlineIndex index, CaseStore cases, DocumentStore documents, CallbackUses callbackUses, AnswerRedelivery answers, Escalations escalations, AuditLog audit, IOptions<ImrOptions> options, TimeProvider time, ILogger<DeadlineSweeper> logger)
{
    public async Task<SweepReport> SweepAsync(DurableTaskClient? durable, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var (checks, read) = await index.ReadDueAsync(now, ct);
        int casesRead = 0, atRisk = 0, overdue = 0, sent = 0;
        var findings = new List<ReconciliationFinding>();
        var reconciled = new HashSet<string>();
        if (durable is not null) await answers.DeliverPendingAsync(durable, ct); // recorded answers not yet acted on (pending index)
        // One escalation per case, at its current level; every due check of the case is then moved out of the way.
        // A due reconcile check only looks at the case's orchestration, and is re-armed for the next interval.
        foreach (var due in checks.GroupBy(c => c.CaseNumber))
        {
            var caseNumber = due.Key;
            var c = await cases.GetAsync(caseNumber, ct);
            casesRead++;
            if (c is null || c.State == CaseStatus.Closed)
            {
                if (durable is not null && c is not null && reconciled.Add(caseNumber) && await RepairClosedAsync(durable, c, now, ct) is { } repaired)
                {
                    findings.Add(repaired);
                }

                foreach (var check in due) await index.RemoveCheckAsync(check, ct); // left by a close (a reconcile check always is)
                continue;
            }

            var deadlineChecks = due.Where(d => d.Level != DeadlineIndex.ReconcileCheck).ToList();
            if (deadlineChecks.Count > 0)
            {
                var dueAt = deadlineChecks[0].CaseDueAt;
                var left = dueAt - now;
                var overdueNow = left <= TimeSpan.Zero;
                if (overdueNow) overdue++; else atRisk++;
                var level = overdueNow ? EscalationLevels.Overdue : EscalationLevels.AtRisk;
                var subject = overdueNow ? $"IMR case {caseNumber} is overdue" : $"IMR case {caseNumber} is at risk";
                if (await escalations.SendOnceAsync(caseNumber, level, subject, $"Case due {dueAt:u}; time left {Format(left)}. Status: {c.Status}.", ct))
                {
                    sent++;
                }

                foreach (var check in deadlineChecks) await index.MarkEscalatedAsync(check, ct);
            }

            if (durable is not null) await answers.DeliverForCaseAsync(durable, c, ct); // answers of a running case it never got
            if (durable is not null && reconciled.Add(caseNumber) && await ReconcileAsync(durable, c, ct) is { } finding)
            {
                findings.Add(finding);
            }

            foreach (var check in due.Where(d => d.Level == DeadlineIndex.ReconcileCheck))
            {
                if (options.Value.ReconcileInterval > TimeSpan.Zero) await index.RearmAsync(check, now + options.Value.ReconcileInterval, ct);
                else await index.RemoveCheckAsync(check, ct);
            }
        }

        if (durable is not null)
        {
            findings.AddRange(await ReconcileStoppedAsync(durable, reconciled, ct));
        }

        var report = new SweepReport(read, casesRead, atRisk, overdue, sent, findings);
        logger.LogInformation("Deadline sweep read {Read} index entries and {Cases} cases: {AtRisk} at risk, {Overdue} overdue, {Sent} escalations sent, {Reconciled} orchestrations reconciled",
            report.EntriesRead, report.CasesRead, report.AtRisk, report.Overdue, report.EscalationsSent, findings.Count);
        return report;
    }

    /// <summary>
    /// Failed or terminated case orchestrations anywhere (a query of the durable backend's instance store, not of the
    /// cases). One that stopped before its case had a row (an orchestration started before rows were opened at the first
    /// step, or one whose first step failed) gets its row from the orchestration's input (case number and manifest), so it
    /// is reported, visible and restarted from intake instead of vanishing.
    /// </summary>
    private async Task<IReadOnlyList<ReconciliationFinding>> ReconcileStoppedAsync(DurableTaskClient durable, HashSet<string> done, CancellationToken ct)
    {
        var found = new List<ReconciliationFinding>();
        var query = new OrchestrationQuery { InstanceIdPrefix = "case-", Statuses = [OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated] };
        var stopped = new List<string>();
        await foreach (var instance in durable.GetAllInstancesAsync(query).WithCancellation(ct))
        {
            stopped.Add(instance.InstanceId["case-".Length..]);
        }

        foreach (var caseNumber in stopped.Where(done.Add))
        {
            var c = await cases.GetAsync(caseNumber, ct) ?? await RecordFromInputAsync(durable, caseNumber, ct);
            if (c is not null && await ReconcileAsync(durable, c, ct) is { } finding)
            {
                found.Add(finding);
            }
        }

        return found;
    }

    /// <summary>Writes the Received row of a case whose stopped orchestration never wrote one, from the orchestration's input.</summary>
    private async Task<CaseEntity?> RecordFromInputAsync(DurableTaskClient durable, string caseNumber, CancellationToken ct)
    {
        if (!CaseNumber.TryParse(caseNumber, out var parsed)) return null;
        var instance = await durable.GetInstanceAsync(parsed.OrchestrationInstanceId, getInputsAndOutputs: true, ct);
        if (instance?.ReadInputAs<CaseWorkflowInput>() is not { ManifestBlobName.Length: > 0 } input) return null;
        var c = await cases.AddOnceAsync(new CaseEntity { PartitionKey = parsed.Value, Status = nameof(CaseStatus.Received), ManifestBlobName = input.ManifestBlobName }, ct);
        await audit.RecordAsync(parsed.Value, $"reconcile-{time.GetUtcNow().UtcTicks:D19}-row", "Case record restored",
            $"the workflow {instance.RuntimeStatus.ToString().ToLowerInvariant()} before the case had a record; recorded from the workflow's input", ct);
        return c;
    }

    /// <summary>
    /// Compares an open case with its orchestration and repairs a mismatch: an orchestration that failed, was terminated
    /// or is missing, or that completed while the case is still open, is reported to the medical director and (with
    /// <c>Imr:ReconcileRestart</c>, on by default) restarted from the case's last good state. A case that needs attention
    /// after a transient failure outlasted its retries is restarted the same way; one that failed for good waits for an
    /// operator's retry (<see cref="RetryAsync"/>). Every repair is audited on the case.
    /// </summary>
    private async Task<ReconciliationFinding?> ReconcileAsync(DurableTaskClient durable, CaseEntity c, CancellationToken ct)
    {
        if (c.State == CaseStatus.Closed) return null;
        var instanceId = CaseNumber.Parse(c.PartitionKey).OrchestrationInstanceId;
        var instance = await durable.GetInstanceAsync(instanceId, getInputsAndOutputs: false, ct);
        var needsAttention = c.State == CaseStatus.NeedsAttention;
        var problem = instance is null ? "Missing"
            : instance.RuntimeStatus is OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated ? instance.RuntimeStatus.ToString()
            : instance.RuntimeStatus != OrchestrationRuntimeStatus.Completed ? null
            : !needsAttention ? "CompletedWhileOpen"
            : c.AttentionTransient ? "TransientFailure"
            : null; // failed for good: recorded, escalated and listed; an operator retries it
        if (problem is null) return null;

        await escalations.SendOnceAsync(c.PartitionKey, EscalationLevels.Orchestration(problem), $"IMR case {c.PartitionKey}: workflow {Describe(problem)}",
            options.Value.ReconcileRestart ? "The case's workflow stopped; it is restarted from its last good state (the stored case and assignment records)." : "The case's workflow stopped; restart it (Imr:ReconcileRestart) or handle the case manually.", ct);
        logger.LogWarning("Case {CaseNumber}: orchestration {Problem}", c.PartitionKey, problem);
        if (!options.Value.ReconcileRestart)
        {
            await audit.RecordAsync(c.PartitionKey, $"reconcile-{time.GetUtcNow().UtcTicks:D19}", "Workflow stopped", $"found {Describe(problem)}; reported (automatic restart is off)", ct);
            return new ReconciliationFinding(c.PartitionKey, problem, false);
        }

        var restarted = await RestartAsync(durable, c, instance is not null, $"found {Describe(problem)}", ct);
        return new ReconciliationFinding(c.PartitionKey, problem, restarted);
    }

    /// <summary>
    /// An operator's retry of a case that needs attention (the cause was corrected): the case is restarted at its stored
    /// step as reconciliation would. False when the case does not need attention or its workflow is still running.
    /// </summary>
    public async Task<bool> RetryAsync(DurableTaskClient durable, string caseNumber, string requestedBy, CancellationToken ct = default)
    {
        if (await cases.GetAsync(caseNumber, ct) is not { } c || c.State != CaseStatus.NeedsAttention) return false;
        var instance = await durable.GetInstanceAsync(CaseNumber.Parse(c.PartitionKey).OrchestrationInstanceId, getInputsAndOutputs: false, ct);
        if (instance is { RuntimeStatus: OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Suspended }) return false;
        return await RestartAsync(durable, c, instance is not null, $"retry requested by {requestedBy}", ct);
    }

    /// <summary>
    /// A closed case whose orchestration still runs after the grace time (a run restarted from a stale state, or one that
    /// lost its way): the case is decided, so the run is terminated, and the repair audited.
    /// </summary>
    private async Task<ReconciliationFinding?> RepairClosedAsync(DurableTaskClient durable, CaseEntity c, DateTimeOffset now, CancellationToken ct)
    {
        if (c.ClosedAt is not { } closedAt || now - closedAt < options.Value.ReconcileGrace) return null;
        var instanceId = CaseNumber.Parse(c.PartitionKey).OrchestrationInstanceId;
        var instance = await durable.GetInstanceAsync(instanceId, getInputsAndOutputs: false, ct);
        if (instance is not { RuntimeStatus: OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Suspended }) return null;
        await durable.TerminateInstanceAsync(instanceId, new TerminateInstanceOptions { Output = "The case is closed." }, ct);
        await audit.RecordAsync(c.PartitionKey, $"reconcile-{now.UtcTicks:D19}", "Workflow stopped", $"the case is closed but its workflow was {instance.RuntimeStatus.ToString().ToLowerInvariant()}; the workflow was terminated", ct);
        logger.LogWarning("Case {CaseNumber}: closed, orchestration still running; terminated", c.PartitionKey);
        return new ReconciliationFinding(c.PartitionKey, "RunningWhileClosed", false);
    }

    /// <summary>
    /// Restarts a case from its last good state: a registered case at its <see cref="ResumePoint"/> read from the case record
    /// and its assignment rows, so the new run skips intake (registration keeps the case's dates) and picks the case up at
    /// the current assignment, not at round 1; a case stopped before registration from intake (its steps are idempotent).
    /// A determination or manual choice already stored for the awaited step is delivered again. Notifications already in
    /// the outbox are not sent again (create-once ids). A case that needed attention gets its earlier status back.
    /// </summary>
    private async Task<bool> RestartAsync(DurableTaskClient durable, CaseEntity c, bool exists, string why, CancellationToken ct)
    {
        var instanceId = CaseNumber.Parse(c.PartitionKey).OrchestrationInstanceId;
        ResumePoint? resume = null;
        if (CaseEntity.IsRegistered(c))
        {
            resume = await ResumePointOfAsync(c, ct);
            if (resume is null) return false;
        }

        if (c.State == CaseStatus.NeedsAttention)
        {
            await cases.UpdateAsync(c.PartitionKey, e =>
            {
                e.State = Enum.TryParse<CaseStatus>(e.StatusBeforeAttention, out var before) ? before : CaseStatus.Received;
                e.AttentionReason = null;
                e.AttentionTransient = false;
            }, ct);
            await cases.ClearNeedsAttentionAsync(c.PartitionKey, ct);
        }

        if (exists)
        {
            await durable.PurgeInstanceAsync(instanceId, cancellation: ct);
        }

        await durable.ScheduleNewOrchestrationInstanceAsync(nameof(CaseOrchestrator), new CaseWorkflowInput(c.PartitionKey, c.ManifestBlobName, resume), new StartOrchestrationOptions(instanceId), ct);
        await durable.WaitForInstanceStartAsync(instanceId, ct); // events sent before the start is processed can be dropped
        if (resume is { Step: ResumeStep.AwaitDetermination, AssignmentId: { } assignmentId })
        {
            var submission = $"{c.PartitionKey}/{assignmentId}{ReviewerCallbacks.RevisionSuffix(resume.Revision)}.json"; // where ReviewerCallbacks stores it
            if (await documents.ExistsAsync(StorageNames.SubmissionsContainer, submission, ct))
            {
                await durable.RaiseEventAsync(instanceId, CaseEvents.DeterminationSubmitted, new DeterminationSubmitted(assignmentId, submission, resume.Revision), ct);
            }
        }

        else if (resume is { Step: ResumeStep.AwaitManualAssignment })
        {
            // A choice the medical director made for the awaited round (claimed by the route) that the stopped run never got.
            var awaited = resume.Round + 1;
            if (await callbackUses.FirstResultAsync(CaseNames.AssignmentId(c.PartitionKey, awaited), RosterAdmin.ManualAssignmentUse, ct) is { } stored
                && JsonSerializer.Deserialize<RosterAdmin.ManualChoice>(stored) is { } choice)
            {
                await durable.RaiseEventAsync(instanceId, AssignmentEvents.ManualAssignment, new ManualAssignment(choice.ReviewerId, choice.AssignedBy, awaited), ct);
            }
        }

        var at = resume is null ? "intake" : $"{resume.Step} (round {resume.Round})";
        await audit.RecordAsync(c.PartitionKey, $"reconcile-{time.GetUtcNow().UtcTicks:D19}", "Workflow restarted", $"{why}; restarted at {at}", ct);
        logger.LogWarning("Case {CaseNumber}: orchestration restarted at {Step}", c.PartitionKey, at);
        return true;
    }

    private static string Describe(string problem) => problem switch
    {
        "CompletedWhileOpen" => "completed while the case is open",
        "TransientFailure" => "stopped on a failure that outlasted its retries",
        _ => problem.ToLowerInvariant(),
    };

    /// <summary>The case's last good state: its record, its assignment rows and whether the open offer's answer link was used.</summary>
    public async Task<ResumePoint?> ResumePointOfAsync(CaseEntity c, CancellationToken ct = default)
    {
        var assignments = await cases.ListAssignmentsAsync(c.PartitionKey, ct);
        var open = assignments.OrderBy(a => a.Round).LastOrDefault();
        var answered = open is not null && await callbackUses.FirstResultAsync(open.RowKey, ReviewerCallbacks.OfferAnswer, ct) is not null;
        return ResumePoint.From(c, assignments, options.Value.DeadlinePolicy.ScaledAcceptanceWindow, answered);
    }

    private static string Format(TimeSpan t) => t < TimeSpan.Zero ? $"-{t.Negate():d\\.hh\\:mm}" : t.ToString("d\\.hh\\:mm", CultureInfo.InvariantCulture);
}
