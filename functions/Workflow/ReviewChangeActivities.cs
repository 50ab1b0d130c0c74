using Imr.Domain.Cases;
using Imr.Domain.Deadlines;
using Imr.Domain.Eligibility;
using Imr.Domain.Letters;
using Imr.Domain.Programs;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Workflow;

/// <summary>
/// Applies a review change inside the case orchestration (so it never races the orchestration's own steps). Idempotent:
/// a conversion finds the case expedited and changes nothing; an authorisation finds the case closed and changes nothing;
/// notices have deterministic ids (create-once outbox, create-once mailings), audit rows deterministic step ids.
/// </summary>
public sealed class ReviewChangeActivities(
    CaseStore cases,
    CaseRecordStore records,
    RosterStore roster,
    ReviewerLoads loads,
    DeadlineIndex deadlineIndex,
    Outbox outbox,
    AuditLog audit,
    WordingTemplateStore wording,
    PostalMail postal,
    IOptions<ImrOptions> options,
    TimeProvider time,
    ILogger<ReviewChangeActivities> logger)
{
    /// <summary>The reason recorded on a case whose review ended because the treatment was authorised.</summary>
    public const string TreatmentAuthorisedReason = ReviewChangeKinds.TreatmentAuthorised;

    /// <summary>The notification id of a party's review-ended notice (the letter's role slug).</summary>
    public static string ReviewEndedNoticeId(string role) => "review-ended-" + LetterIssuer.NoticeId(1, role)["letter-v1-".Length..];

    /// <summary>The notification id of a party's review-expedited notice.</summary>
    public static string ReviewExpeditedNoticeId(string role) => "review-expedited-" + LetterIssuer.NoticeId(1, role)["letter-v1-".Length..];

    [Function(nameof(ApplyReviewChange))]
    public async Task<ReviewChangeApplied> ApplyReviewChange([ActivityTrigger] ReviewChangeStep step) =>
        step.Change.Kind == ReviewChangeKinds.TreatmentAuthorised ? await EndReviewAsync(step) : await ConvertAsync(step);

    /// <summary>
    /// 8 CCR 9792.10.4(c): the deadlines of an expedited review counted from the conversion, never later than the
    /// original ones (<see cref="DeadlinePolicy.ConvertToExpedited"/>). The case row and the sweep's due-date check
    /// follow; the reviewer who accepted the case is told the new due date, and the parties are notified.
    /// </summary>
    private async Task<ReviewChangeApplied> ConvertAsync(ReviewChangeStep step)
    {
        var row = await cases.GetAsync(step.CaseNumber) ?? throw new InvalidOperationException("Case not recorded.");
        if (row.State == CaseStatus.Closed || row.Expedited)
        {
            return new ReviewChangeApplied(row.State == CaseStatus.Closed, row.CaseDueAt, row.ReviewerDueAt);
        }

        var before = new CaseDeadlines(row.ReceivedAt, row.CaseDueAt, row.ReviewerDueAt);
        var after = options.Value.PolicyFor(row.Program).ConvertToExpedited(before, step.Change.RequestedAt);
        var (changed, applied) = await cases.ChangeAsync(row, c =>
        {
            if (c.Expedited) return; // converted meanwhile (a repeated run): its dates stand
            c.Expedited = true;
            c.CaseDueAt = after.CaseDueAt;
            c.ReviewerDueAt = after.ReviewerDueAt;
        });
        if (!applied || changed.State == CaseStatus.Closed)
        {
            return new ReviewChangeApplied(changed.State == CaseStatus.Closed, changed.CaseDueAt, changed.ReviewerDueAt);
        }

        if (changed.CaseDueAt != before.CaseDueAt)
        {
            // The sweep's at-risk and overdue checks move to the new due date (Ensure is create-once, Remove idempotent).
            await deadlineIndex.EnsureAsync(step.CaseNumber, changed.CaseDueAt, null);
            await deadlineIndex.RemoveAsync(step.CaseNumber, before.CaseDueAt);
        }

        if (changed.CurrentAssignmentId is { } assignmentId && changed.CurrentReviewerId is { } reviewerId
            && changed.CurrentAssignmentState is AssignmentStatus.Accepted or AssignmentStatus.Offered)
        {
            var reviewer = await roster.GetAsync(reviewerId);
            if (reviewer is not null)
            {
                await outbox.EnqueueAsync(new Notification($"{assignmentId}-expedited", step.CaseNumber, reviewer.Email,
                    ReviewerNotices.ConvertedToExpedited(step.CaseNumber, changed.ReviewerDueAt, reviewer.TimeZone)));
            }
        }

        // 8 CCR 9792.10.4(c): the parties are notified immediately (the letter's parties; by post without e-mail).
        var record = await records.ReadAsync(changed);
        var package = record.Package;
        var notice = new ReviewExpeditedNotice(options.Value.OrganizationName, step.CaseNumber, DateOnly.FromDateTime(step.Change.RequestedAt.UtcDateTime), changed.CaseDueAt)
        {
            Program = package.Program.ToString(),
            ClaimNumber = package.ClaimNumber,
            OrganizationAddress = options.Value.OrganizationAddressLines,
        };
        var words = await wording.CurrentAsync();
        foreach (var (role, name) in ServedParties.OfLetter(package))
        {
            if (role == AddresseeRoles.AdministrativeDirector) continue;
            var email = record.Contacts.EmailOf(role);
            var body = ReviewExpeditedNoticeRenderer.Render(notice with { Addressee = role }, words);
            var id = ReviewExpeditedNoticeId(role);
            await outbox.EnqueueAsync(new Notification(id, step.CaseNumber, email ?? name, ReviewExpeditedNoticeRenderer.Subject(step.CaseNumber), body) { ToName = name });
            if (email is null) await postal.FileAsync(step.CaseNumber, id, role, name, record.Addresses.AddressOf(role), step.Change.RequestedAt, "Notice: review expedited", null, body);
        }

        await audit.RecordAsync(step.CaseNumber, "review-change-expedited", "Converted to expedited",
            $"8 CCR 9792.10.4(c), asked by {step.Change.RequestedBy}: case due {before.CaseDueAt:u} → {changed.CaseDueAt:u}, reviewer due {before.ReviewerDueAt:u} → {changed.ReviewerDueAt:u}");
        logger.LogInformation("Case {CaseNumber} converted to expedited", step.CaseNumber);
        return new ReviewChangeApplied(false, changed.CaseDueAt, changed.ReviewerDueAt);
    }

    /// <summary>
    /// 8 CCR 9792.10.6(a): every disputed item was authorised, so nothing is left to decide. The case closes with the
    /// reason recorded (no letter); the open offer or assignment is withdrawn (its links answer "superseded" from now
    /// on) and its reviewer released and told; every party of the letter gets the program's review-ended notice (by post
    /// when it has no e-mail); the sweep's checks are removed.
    /// </summary>
    private async Task<ReviewChangeApplied> EndReviewAsync(ReviewChangeStep step)
    {
        var now = time.GetUtcNow();
        var row = await cases.GetAsync(step.CaseNumber) ?? throw new InvalidOperationException("Case not recorded.");
        if (row.State == CaseStatus.Closed && row.EndedReason != TreatmentAuthorisedReason)
        {
            return new ReviewChangeApplied(true, row.CaseDueAt, row.ReviewerDueAt); // closed by its letter first: nothing to end
        }

        var openAssignmentId = row.CurrentAssignmentState is AssignmentStatus.Offered or AssignmentStatus.Accepted ? row.CurrentAssignmentId : null;
        var (closed, _) = await cases.ChangeAsync(row, c =>
        {
            c.State = CaseStatus.Closed;
            c.EndedReason = TreatmentAuthorisedReason;
            c.ClosedAt ??= now;
            if (openAssignmentId is not null && c.CurrentAssignmentId == openAssignmentId) c.CurrentAssignmentState = AssignmentStatus.Withdrawn;
        });
        if (closed.EndedReason != TreatmentAuthorisedReason)
        {
            return new ReviewChangeApplied(true, closed.CaseDueAt, closed.ReviewerDueAt);
        }

        // A repeated run finds the case closed by this step: the assignment id it withdrew is on the row as Withdrawn.
        openAssignmentId ??= closed.CurrentAssignmentState == AssignmentStatus.Withdrawn ? closed.CurrentAssignmentId : null;
        if (openAssignmentId is not null && await cases.GetAssignmentAsync(step.CaseNumber, openAssignmentId) is { } assignment)
        {
            await cases.UpdateAssignmentAsync(assignment, a =>
            {
                if (AssignmentStatusTransitions.IsFinal(a.State)) return;
                a.State = AssignmentStatus.Withdrawn;
                a.EndedReason = "The disputed treatment was authorised; the review ended.";
            });
            await loads.CloseAsync(assignment.ReviewerId, openAssignmentId);
            if (await roster.GetAsync(assignment.ReviewerId) is { } reviewer)
            {
                await outbox.EnqueueAsync(new Notification($"{openAssignmentId}-review-ended", step.CaseNumber, reviewer.Email, ReviewerNotices.ReviewEnded(step.CaseNumber)));
            }
        }

        await deadlineIndex.RemoveAsync(step.CaseNumber, closed.CaseDueAt, at: now);

        var record = await records.ReadAsync(closed);
        var package = record.Package;
        var notice = new ReviewEndedNotice(options.Value.OrganizationName, step.CaseNumber, DateOnly.FromDateTime(step.Change.RequestedAt.UtcDateTime),
            package.DisputedItems.Select(i => $"{i.ItemId}: {i.Description}").ToList())
        {
            Program = package.Program.ToString(),
            ClaimNumber = package.ClaimNumber,
            OrganizationAddress = options.Value.OrganizationAddressLines,
        };
        var words = await wording.CurrentAsync();
        foreach (var (role, name) in ServedParties.OfLetter(package))
        {
            if (role == AddresseeRoles.AdministrativeDirector) continue; // the letter's copy to the Director is for a determination
            var email = record.Contacts.EmailOf(role);
            var body = ReviewEndedNoticeRenderer.Render(notice with { Addressee = role }, words);
            var id = ReviewEndedNoticeId(role);
            await outbox.EnqueueAsync(new Notification(id, step.CaseNumber, email ?? name, ReviewEndedNoticeRenderer.Subject(step.CaseNumber), body) { ToName = name });
            if (email is null) await postal.FileAsync(step.CaseNumber, id, role, name, record.Addresses.AddressOf(role), step.Change.RequestedAt, "Notice: review ended", null, body);
        }

        await audit.RecordAsync(step.CaseNumber, "review-change-authorised", "Ended — treatment authorised",
            $"8 CCR 9792.10.6(a), reported by {step.Change.RequestedBy}: every disputed item authorised; review ended without a determination" + (openAssignmentId is null ? "" : $"; assignment {openAssignmentId} withdrawn"));
        logger.LogInformation("Case {CaseNumber}: review ended, treatment authorised", step.CaseNumber);
        return new ReviewChangeApplied(true, closed.CaseDueAt, closed.ReviewerDueAt);
    }
}
