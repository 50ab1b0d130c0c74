using Imr.Domain.Cases;
using Imr.Domain.Deadlines;
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
public sealed class DeadlineSweeper(DeadlineIndex index, CaseStore cases, DocumentStore documents, Escalations escalations, IOptions<ImrOptions> options, TimeProvider time, ILogger<DeadlineSweeper> logger)
{
    public async Task<SweepReport> SweepAsync(DurableTaskClient? durable, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var (checks, read) = await index.ReadDueAsync(now, ct);
        int casesRead = 0, atRisk = 0, overdue = 0, sent = 0;
        var findings = new List<ReconciliationFinding>();
        var reconciled = new HashSet<string>();
        // One escalation per case, at its current level; every due check of the case is then moved out of the way.
        foreach (var due in checks.GroupBy(c => c.CaseNumber))
        {
            var caseNumber = due.Key;
            var c = await cases.GetAsync(caseNumber, ct);
            casesRead++;
            if (c is null || c.Status == nameof(CaseStatus.Closed))
            {
                foreach (var check in due) await index.RemoveCheckAsync(check, ct); // left by a close that did not finish
                continue;
            }

            var dueAt = due.First().CaseDueAt;
            var left = dueAt - now;
            var overdueNow = left <= TimeSpan.Zero;
            if (overdueNow) overdue++; else atRisk++;
            var level = overdueNow ? EscalationLevels.Overdue : EscalationLevels.AtRisk;
            var subject = overdueNow ? $"IMR case {caseNumber} is overdue" : $"IMR case {caseNumber} is at risk";
            if (await escalations.SendOnceAsync(caseNumber, level, subject, $"Case due {dueAt:u}; time left {Format(left)}. Status: {c.Status}.", ct))
            {
                sent++;
            }

            foreach (var check in due) await index.MarkEscalatedAsync(check, ct);
            if (durable is not null && reconciled.Add(caseNumber) && await ReconcileAsync(durable, c, ct) is { } finding)
            {
                findings.Add(finding);
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

    /// <summary>Failed or terminated case orchestrations anywhere (a query of the durable backend's instance store, not of the cases).</summary>
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
            if (await cases.GetAsync(caseNumber, ct) is { } c && await ReconcileAsync(durable, c, ct) is { } finding)
            {
                found.Add(finding);
            }
        }

        return found;
    }

    /// <summary>
    /// Reports an open case whose orchestration is not running and, when <c>Imr:ReconcileRestart</c> is on, restarts it
    /// from its last good state: the stored case record (its received and due dates are kept: registration is
    /// create-only) and the reviewer's recorded answers for the current assignment (acceptance, stored determination),
    /// which are delivered again. Notifications already in the outbox are not sent again (create-once ids).
    /// </summary>
    private async Task<ReconciliationFinding?> ReconcileAsync(DurableTaskClient durable, CaseEntity c, CancellationToken ct)
    {
        if (c.Status == nameof(CaseStatus.Closed)) return null;
        var instanceId = CaseNumber.Parse(c.PartitionKey).OrchestrationInstanceId;
        var instance = await durable.GetInstanceAsync(instanceId, getInputsAndOutputs: false, ct);
        var problem = instance is null ? "Missing"
            : instance.RuntimeStatus is OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated ? instance.RuntimeStatus.ToString()
            : null;
        if (problem is null) return null;

        await escalations.SendOnceAsync(c.PartitionKey, EscalationLevels.Orchestration(problem), $"IMR case {c.PartitionKey}: workflow {problem.ToLowerInvariant()}",
            options.Value.ReconcileRestart ? "The case's workflow stopped; it is restarted from the stored case record." : "The case's workflow stopped; restart it (Imr:ReconcileRestart) or handle the case manually.", ct);
        logger.LogWarning("Case {CaseNumber}: orchestration {Problem}", c.PartitionKey, problem);
        if (!options.Value.ReconcileRestart) return new ReconciliationFinding(c.PartitionKey, problem, false);

        if (instance is not null)
        {
            await durable.PurgeInstanceAsync(instanceId, cancellation: ct);
        }

        await durable.ScheduleNewOrchestrationInstanceAsync(nameof(CaseOrchestrator), new CaseWorkflowInput(c.PartitionKey, c.ManifestBlobName), new StartOrchestrationOptions(instanceId), ct);
        await durable.WaitForInstanceStartAsync(instanceId, ct); // events sent before the start is processed can be dropped
        if (c.CurrentAssignmentId is { } assignmentId && await cases.GetAssignmentAsync(c.PartitionKey, assignmentId, ct) is { } a && a.AcceptedAt is not null && a.Status != "Withdrawn")
        {
            await durable.RaiseEventAsync(instanceId, CaseEvents.ReviewerAccepted, new ReviewerAccepted(assignmentId), ct);
            var submission = $"{c.PartitionKey}/{assignmentId}.json"; // where ReviewerCallbacks stores a determination
            if (await documents.ExistsAsync(StorageNames.SubmissionsContainer, submission, ct))
            {
                await durable.RaiseEventAsync(instanceId, CaseEvents.DeterminationSubmitted, new DeterminationSubmitted(assignmentId, submission), ct);
            }
        }

        logger.LogWarning("Case {CaseNumber}: orchestration restarted", c.PartitionKey);
        return new ReconciliationFinding(c.PartitionKey, problem, true);
    }

    private static string Format(TimeSpan t) => t < TimeSpan.Zero ? $"-{t.Negate():d\\.hh\\:mm}" : t.ToString("d\\.hh\\:mm");
}
