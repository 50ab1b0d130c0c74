using Imr.Domain.Cases;
using Imr.Functions.Storage;
using Imr.Functions.Workflow;

namespace Imr.Functions.Services;

/// <summary>
/// Closing a decided case: the case and its assignment completed, its deadline checks removed, the reviewer released,
/// audited. Idempotent (each write sets the same value again; the audit row is create-once). The one home of the close,
/// run by the CloseCase activity (workflow versions before 3.1) and by the letter's issuance (3.1 on).
/// </summary>
public sealed class CaseClosing(CaseStore cases, DeadlineIndex deadlineIndex, ReviewerLoads loads, AuditLog audit, TimeProvider time)
{
    /// <param name="closedRow">The case's row when the step closed it already in a write of its own (the letter's
    /// issuance records the letter and the close together); null to close it here.</param>
    /// <param name="alsoRecord">Audit rows of the step that closes, recorded with the close's own in one request.</param>
    public async Task CloseAsync(AssignmentOffer offer, CaseEntity? closedRow = null, IReadOnlyList<(string StepId, string What, string Details)>? alsoRecord = null, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var closed = closedRow ?? await cases.UpdateAsync(offer.CaseNumber, c => Close(c, now), ct);
        await cases.UpdateAssignmentAsync(offer.CaseNumber, offer.AssignmentId, a => a.State = AssignmentStatus.Completed, ct);
        await deadlineIndex.RemoveAsync(offer.CaseNumber, closed.CaseDueAt, at: now, ct);
        await loads.CloseAsync(offer.ReviewerId, offer.AssignmentId, ct);
        await audit.RecordAllAsync(offer.CaseNumber, [.. alsoRecord ?? [], ($"{offer.AssignmentId}-completed", "Completed", $"assignment {offer.AssignmentId} completed; reviewer {offer.ReviewerId} released")], ct);
    }

    /// <summary>The close as a change of the case's row: closed, its assignment completed, the first close's time kept.</summary>
    public static void Close(CaseEntity c, DateTimeOffset now)
    {
        c.State = CaseStatus.Closed;
        c.CurrentAssignmentState = AssignmentStatus.Completed;
        c.ClosedAt ??= now;
    }
}
