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
    public async Task CloseAsync(AssignmentOffer offer, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var closed = await cases.UpdateAsync(offer.CaseNumber, c =>
        {
            c.State = CaseStatus.Closed;
            c.CurrentAssignmentState = AssignmentStatus.Completed;
            c.ClosedAt ??= now;
        }, ct);
        await cases.UpdateAssignmentAsync(offer.CaseNumber, offer.AssignmentId, a => a.State = AssignmentStatus.Completed, ct);
        await deadlineIndex.RemoveAsync(offer.CaseNumber, closed.CaseDueAt, at: now, ct);
        await loads.CloseAsync(offer.ReviewerId, offer.AssignmentId, ct);
        await audit.RecordAsync(offer.CaseNumber, $"{offer.AssignmentId}-completed", "Completed", $"assignment {offer.AssignmentId} completed; reviewer {offer.ReviewerId} released", ct);
    }
}
