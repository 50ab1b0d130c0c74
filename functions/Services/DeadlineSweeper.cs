using System.Text.Json;
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
public sealed class DeadlineSweeper(DeadlineIndex index, CaseStore cases, DocumentStore documents, CallbackUses callbackUses, AnswerRedelivery answers, Escalations escalations, IOptions<ImrOptions> options, TimeProvider time, ILogger<DeadlineSweeper> logger)
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
            if (c is null || c.Status == nameof(CaseStatus.Closed))
            {
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
    /// from its last good state: a <see cref="ResumePoint"/> read from the case record and its assignment rows, so the
    /// new run skips intake (registration is create-only and keeps the case's dates) and picks the case up at the
    /// current assignment, not at round 1. A determination already stored for the awaited assignment and revision is
    /// delivered again. Notifications already in the outbox are not sent again (create-once ids).
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
            options.Value.ReconcileRestart ? "The case's workflow stopped; it is restarted from its last good state (the stored case and assignment records)." : "The case's workflow stopped; restart it (Imr:ReconcileRestart) or handle the case manually.", ct);
        logger.LogWarning("Case {CaseNumber}: orchestration {Problem}", c.PartitionKey, problem);
        if (!options.Value.ReconcileRestart) return new ReconciliationFinding(c.PartitionKey, problem, false);

        var resume = await ResumePointOfAsync(c, ct);
        if (resume is null) return new ReconciliationFinding(c.PartitionKey, problem, false);
        if (instance is not null)
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

        else if (resume.Step == ResumeStep.AwaitManualAssignment)
        {
            // A choice the medical director made for the awaited round (claimed by the route) that the stopped run never got.
            var awaited = resume.Round + 1;
            if (await callbackUses.FirstResultAsync($"{c.PartitionKey}-A{awaited}", RosterAdmin.ManualAssignmentUse, ct) is { } stored
                && JsonSerializer.Deserialize<RosterAdmin.ManualChoice>(stored) is { } choice)
            {
                await durable.RaiseEventAsync(instanceId, AssignmentEvents.ManualAssignment, new ManualAssignment(choice.ReviewerId, choice.AssignedBy, awaited), ct);
            }
        }

        logger.LogWarning("Case {CaseNumber}: orchestration restarted at {Step} (round {Round})", c.PartitionKey, resume.Step, resume.Round);
        return new ReconciliationFinding(c.PartitionKey, problem, true);
    }

    /// <summary>The case's last good state: its record, its assignment rows and whether the open offer's answer link was used.</summary>
    public async Task<ResumePoint?> ResumePointOfAsync(CaseEntity c, CancellationToken ct = default)
    {
        var assignments = await cases.ListAssignmentsAsync(c.PartitionKey, ct);
        var open = assignments.OrderBy(a => a.Round).LastOrDefault();
        var answered = open is not null && await callbackUses.FirstResultAsync(open.RowKey, ReviewerCallbacks.OfferAnswer, ct) is not null;
        return ResumePoint.From(c, assignments, options.Value.DeadlinePolicy.ScaledAcceptanceWindow, answered);
    }

    private static string Format(TimeSpan t) => t < TimeSpan.Zero ? $"-{t.Negate():d\\.hh\\:mm}" : t.ToString("d\\.hh\\:mm");
}
