using System.Text.Json;
using Imr.Domain.Cases;
using Imr.Domain.Reviewers;
using Imr.Functions.Storage;
using Microsoft.AspNetCore.Mvc;
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

/// <summary>An overdue case: its due date and its current reviewer.</summary>
public sealed record OverdueCase(string CaseNumber, DateTimeOffset CaseDueAt, string? ReviewerId, string? AssignmentStatus);

public sealed record WorkQueueView(DateTimeOffset GeneratedAt, IReadOnlyList<QueueCase> AwaitingAssignment, IReadOnlyList<OverdueCase> Overdue);

/// <summary>What an assignment from the queue came to: accepted (or the same choice again), or refused with the reasons.</summary>
public sealed record QueueAssignResult(bool Accepted, string Message, IReadOnlyList<string> Reasons);

/// <summary>
/// The medical director's work queue: cases awaiting a manual assignment with the matcher's verdict on every reviewer,
/// and overdue cases. Assigning goes through <see cref="RosterAdmin.AssignAsync"/>, the one home of the manual-assignment
/// rules (one answer per round, blocking reasons, the workflow must be running), with the signed-in person as assignedBy.
/// </summary>
public sealed class WorkQueueReport(CaseStore cases, DocumentStore documents, RosterStore roster, ReviewerLoads loads, ReviewerMatcher matcher, RosterAdmin admin, TimeProvider time)
{
    public async Task<WorkQueueView> BuildAsync(CancellationToken ct = default)
    {
        var open = await cases.ReadNotClosedAsync(ct);
        var waiting = open.Where(c => c.Status == nameof(CaseStatus.AwaitingManualAssignment)).Select(c => c.CaseNumber).Order(StringComparer.Ordinal).ToList();
        var queue = new List<QueueCase>();
        if (waiting.Count > 0)
        {
            var reviewers = await roster.ListAsync(ct);
            var allLoads = await loads.AllAsync(ct);
            foreach (var caseNumber in waiting)
            {
                if (await cases.GetAsync(caseNumber, ct) is not { } row || row.State != CaseStatus.AwaitingManualAssignment) continue;
                var package = await documents.ReadAcceptedPackageAsync(row, ct);
                // The same exclusions as the automatic rounds: reviewers who declined or let an offer time out on this case.
                var excluded = (await cases.ListAssignmentsAsync(caseNumber, ct))
                    .Where(a => a.State is AssignmentStatus.Declined or AssignmentStatus.TimedOut).Select(a => a.ReviewerId).ToHashSet(StringComparer.Ordinal);
                var match = matcher.Match(package, reviewers, excluded, allLoads);
                var byId = reviewers.ToDictionary(r => r.ReviewerId, StringComparer.Ordinal);
                var candidates = match.Verdicts
                    .Select(v => new QueueCandidate(v.ReviewerId, byId.TryGetValue(v.ReviewerId, out var r) ? r.Name : v.ReviewerId, v.Verdict, v.Reason, v.OpenAssignments,
                        r is null ? ["not on the roster"] : matcher.ManualAssignmentBlocking(package, r)))
                    .OrderBy(c => c.Assignable ? 0 : 1).ThenBy(c => c.Verdict).ThenBy(c => c.OpenAssignments).ThenBy(c => c.ReviewerId, StringComparer.Ordinal)
                    .ToList();
                queue.Add(new QueueCase(caseNumber, row.ManualAssignmentRound, row.CaseDueAt, row.Expedited, candidates));
            }
        }

        var overdue = new List<OverdueCase>();
        foreach (var (caseNumber, _, dueAt) in open.Where(c => c.Status == nameof(CaseStatus.Overdue)).OrderBy(c => c.CaseDueAt))
        {
            var row = await cases.GetAsync(caseNumber, ct);
            overdue.Add(new OverdueCase(caseNumber, dueAt, row?.CurrentReviewerId, row?.AssignmentStatus));
        }

        return new WorkQueueView(time.GetUtcNow(), queue.OrderBy(q => q.CaseDueAt).ToList(), overdue);
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
