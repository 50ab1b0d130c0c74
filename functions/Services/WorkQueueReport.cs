using System.Text.Json;
using Imr.Domain.Cases;
using Imr.Domain.Reviewers;
using Imr.Functions.Storage;
using Imr.Functions.Workflow;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Abstractions;
using Microsoft.DurableTask.Client;

namespace Imr.Functions.Services;

/// <summary>
/// One candidate for a case in the work queue: the matcher's verdict and reasons, and whether the medical director may
/// assign the reviewer by hand (<see cref="ManualAssignmentRules"/>: capacity and an earlier decline may be overridden,
/// a conflict, a license or a specialty may not).
/// </summary>
public sealed record QueueCandidate(string ReviewerId, string Name, MatchVerdict Verdict, string Reason, int OpenAssignments, IReadOnlyList<string> Blocking)
{
    public bool Assignable => Blocking.Count == 0;
}

/// <summary>A case waiting for the medical director, with its round and every candidate on the roster.</summary>
public sealed record QueueCase(string CaseNumber, int Round, DateTimeOffset CaseDueAt, bool Expedited, IReadOnlyList<QueueCandidate> Candidates);

/// <summary>
/// An overdue case: its due date, its current reviewer and assignment, and the candidates to reassign it to (the
/// matcher's verdicts, without the current reviewer). <see cref="Reassignable"/>: the case's workflow takes a
/// reassignment (version 2.1 on) and has a current assignment.
/// </summary>
public sealed record OverdueCase(string CaseNumber, DateTimeOffset CaseDueAt, string? ReviewerId, string? AssignmentStatus)
{
    public string? AssignmentId { get; init; }
    public bool Reassignable { get; init; }
    public IReadOnlyList<QueueCandidate> Candidates { get; init; } = [];
}

public sealed record WorkQueueView(DateTimeOffset GeneratedAt, IReadOnlyList<QueueCase> AwaitingAssignment, IReadOnlyList<OverdueCase> Overdue);

/// <summary>What an assignment from the queue came to: accepted (or the same choice again), or refused with the reasons.</summary>
public sealed record QueueAssignResult(bool Accepted, string Message, IReadOnlyList<string> Reasons)
{
    /// <summary>The same request again (a double click): nothing was changed this time.</summary>
    public bool Repeated { get; init; }
}

/// <summary>
/// The medical director's work queue: cases awaiting a manual assignment with the matcher's verdict on every reviewer,
/// and overdue cases. Assigning goes through <see cref="RosterAdmin.AssignAsync"/>, the one home of the manual-assignment
/// rules (one answer per round, blocking reasons, the workflow must be running), with the signed-in person as assignedBy.
/// </summary>
public sealed class WorkQueueReport(CaseStore cases, DocumentStore documents, RosterStore roster, ReviewerLoads loads, ReviewerMatcher matcher, RosterAdmin admin, AuditLog audit, TimeProvider time)
{
    public async Task<WorkQueueView> BuildAsync(CancellationToken ct = default)
    {
        var open = await cases.ReadNotClosedAsync(ct);
        var waiting = open.Where(c => c.Status == nameof(CaseStatus.AwaitingManualAssignment)).Select(c => c.CaseNumber).Order(StringComparer.Ordinal).ToList();
        var late = open.Where(c => c.Status == nameof(CaseStatus.Overdue)).OrderBy(c => c.CaseDueAt).ToList();
        var queue = new List<QueueCase>();
        var overdue = new List<OverdueCase>();
        if (waiting.Count == 0 && late.Count == 0) return new WorkQueueView(time.GetUtcNow(), queue, overdue);

        var reviewers = await roster.ListAsync(ct);
        var allLoads = await loads.AllAsync(ct);
        foreach (var caseNumber in waiting)
        {
            if (await cases.GetAsync(caseNumber, ct) is not { } row || row.State != CaseStatus.AwaitingManualAssignment) continue;
            queue.Add(new QueueCase(caseNumber, row.ManualAssignmentRound, row.CaseDueAt, row.Expedited, await CandidatesAsync(row, reviewers, allLoads, leaveOut: null, ct)));
        }

        foreach (var (caseNumber, _, dueAt) in late)
        {
            var row = await cases.GetAsync(caseNumber, ct);
            var reassignable = row is { State: CaseStatus.Overdue, CurrentAssignmentId: not null } && TakesReassignment(row);
            overdue.Add(new OverdueCase(caseNumber, dueAt, row?.CurrentReviewerId, row?.AssignmentStatus)
            {
                AssignmentId = row?.CurrentAssignmentId,
                Reassignable = reassignable,
                Candidates = reassignable ? await CandidatesAsync(row!, reviewers, allLoads, leaveOut: row!.CurrentReviewerId, ct) : [],
            });
        }

        return new WorkQueueView(time.GetUtcNow(), queue.OrderBy(q => q.CaseDueAt).ToList(), overdue);
    }

    /// <summary>
    /// Every reviewer with the matcher's verdict on the case, and what (if anything) stops an assignment by hand. The same
    /// exclusions as the automatic rounds (reviewers who declined or let an offer time out); <paramref name="leaveOut"/>,
    /// the late reviewer of an overdue case, is not listed (a reassignment is to someone else).
    /// </summary>
    private async Task<IReadOnlyList<QueueCandidate>> CandidatesAsync(CaseEntity row, IReadOnlyList<Reviewer> reviewers, IReadOnlyDictionary<string, ReviewerLoad> allLoads, string? leaveOut, CancellationToken ct)
    {
        var package = await documents.ReadAcceptedPackageAsync(row, ct);
        var excluded = (await cases.ListAssignmentsAsync(row.PartitionKey, ct))
            .Where(a => a.State is AssignmentStatus.Declined or AssignmentStatus.TimedOut).Select(a => a.ReviewerId).ToHashSet(StringComparer.Ordinal);
        var match = matcher.Match(package, reviewers, excluded, allLoads);
        var byId = reviewers.ToDictionary(r => r.ReviewerId, StringComparer.Ordinal);
        return match.Verdicts
            .Where(v => v.ReviewerId != leaveOut)
            .Select(v => new QueueCandidate(v.ReviewerId, byId.TryGetValue(v.ReviewerId, out var r) ? r.Name : v.ReviewerId, v.Verdict, v.Reason, v.OpenAssignments,
                r is null ? ["not on the roster"] : matcher.ManualAssignmentBlocking(package, r)))
            .OrderBy(c => c.Assignable ? 0 : 1).ThenBy(c => c.Verdict).ThenBy(c => c.OpenAssignments).ThenBy(c => c.ReviewerId, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Whether the case's workflow takes a reassignment from the console (version 2.1 on; older cases run to their end as they started).</summary>
    public static bool TakesReassignment(CaseEntity row) =>
        row.WorkflowVersion is { Length: > 0 } v && TaskOrchestrationVersioningUtils.CompareVersions(v, CaseWorkflowVersions.OverdueReassignment) >= 0;

    /// <summary>The audit step of a reassignment: one per replaced assignment, so a double click is recorded once.</summary>
    public static string ReassignStep(string fromAssignmentId) => $"reassign-{fromAssignmentId}";

    /// <summary>
    /// Reassigns an overdue case to another reviewer (the medical director, from the queue): checked here for the page's
    /// words, then raised as the workflow's <see cref="AssignmentEvents.OverdueReassignment"/> event naming the assignment
    /// it replaces. The workflow applies it once: a second post (a double click) names an assignment that is no longer
    /// current and changes nothing; the manual-assignment activity checks the reviewer again and audits who assigned.
    /// </summary>
    public async Task<QueueAssignResult> ReassignAsync(string caseNumber, string? fromAssignmentId, string? reviewerId, string assignedBy, DurableTaskClient durable, CancellationToken ct = default)
    {
        if (!CaseNumber.TryParse(caseNumber, out var number)) return new(false, "Not a case number.", []);
        if (string.IsNullOrWhiteSpace(reviewerId)) return new(false, "Choose a reviewer.", []);
        if (await cases.GetAsync(caseNumber, ct) is not { } row) return new(false, $"Case {caseNumber} is not recorded.", []);
        if (string.IsNullOrEmpty(fromAssignmentId) || row.CurrentAssignmentId != fromAssignmentId)
        {
            var requested = !string.IsNullOrEmpty(fromAssignmentId) && (await audit.ForCaseAsync(caseNumber, ct)).Any(a => a.StepId == ReassignStep(fromAssignmentId));
            return requested
                ? new(true, $"Case {caseNumber} was reassigned already (assignment {fromAssignmentId}); nothing was changed again.", []) { Repeated = true }
                : new(false, $"Case {caseNumber} has another assignment than the page showed; nothing was changed. Reload the queue.", []);
        }

        if (row.State != CaseStatus.Overdue) return new(false, $"Case {caseNumber} is not overdue (status {row.Status}); nothing was changed.", []);
        if (!TakesReassignment(row))
        {
            return new(false, $"Case {caseNumber} runs on workflow version {row.WorkflowVersion ?? "1.0"}, which cannot be reassigned from the console; nothing was changed.", []);
        }

        if (reviewerId == row.CurrentReviewerId) return new(false, $"Reviewer {reviewerId} already has case {caseNumber}.", []);
        if (await roster.GetAsync(reviewerId, ct) is not { } reviewer) return new(false, $"Reviewer {reviewerId} is not on the roster.", []);
        var blocking = matcher.ManualAssignmentBlocking(await documents.ReadAcceptedPackageAsync(row, ct), reviewer);
        if (blocking.Count > 0) return new(false, $"Reviewer {reviewerId} cannot review this case.", blocking);
        if (!WorkflowStatus.TakesEvents(await durable.GetInstanceAsync(number.OrchestrationInstanceId, getInputsAndOutputs: false, ct)))
        {
            return new(false, "The case's workflow is not running; nothing was changed. Try again shortly.", []);
        }

        await audit.RecordAsync(caseNumber, ReassignStep(fromAssignmentId), "Reassignment requested", $"overdue assignment {fromAssignmentId} to reviewer {reviewerId} by {assignedBy}", ct);
        await durable.RaiseEventAsync(number.OrchestrationInstanceId, AssignmentEvents.OverdueReassignment, new OverdueReassignment(fromAssignmentId, reviewerId, assignedBy), ct);
        return new(true, $"Case {caseNumber} reassigned to reviewer {reviewerId}: the late reviewer's assignment is withdrawn and the new reviewer gets the case now.", []);
    }

    /// <summary>Assigns through the manual-assignment route's service and says what came of it in words.</summary>
    public async Task<QueueAssignResult> AssignAsync(string caseNumber, string? reviewerId, string assignedBy, DurableTaskClient durable, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(reviewerId)) return new(false, "Choose a reviewer.", []);
        var result = await admin.AssignAsync(caseNumber, reviewerId, assignedBy, durable, ct);
        if (result is AcceptedResult) return new(true, $"Case {caseNumber} assigned to reviewer {reviewerId}: the offer goes out now.", []);
        var (error, reasons) = Describe((result as ObjectResult)?.Value);
        return new(false, error ?? $"Case {caseNumber} could not be assigned.", reasons);
    }

    // The service answers machine callers in JSON ({ error, reasons }): the page shows the same words.
    private static (string? Error, IReadOnlyList<string> Reasons) Describe(object? value)
    {
        if (value is null) return (null, []);
        var json = JsonSerializer.SerializeToElement(value);
        var error = json.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        var reasons = json.TryGetProperty("reasons", out var r) && r.ValueKind == JsonValueKind.Array ? r.EnumerateArray().Select(x => x.ToString()).ToList() : [];
        return (error, reasons);
    }
}
