using Imr.Domain.Callbacks;
using Imr.Domain.Cases;
using Imr.Domain.Deadlines;
using Imr.Domain.Eligibility;
using Imr.Domain.Reviewers;
using Imr.Functions.Services;
using Imr.Functions.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Workflow;

/// <summary>
/// Activities of reviewer assignment: match and offer, accept, decline or time out, manual assignment by the medical
/// director, completion. Idempotent: deterministic assignment ids, create-only rows, load rows per assignment, audit
/// rows per step.
/// </summary>
public sealed class AssignmentActivities(
    CaseStore cases,
    RosterStore roster,
    ReviewerLoads loads,
    DocumentStore documents,
    Outbox outbox,
    AuditLog audit,
    CallbackLinks links,
    ConsoleLinks console,
    ReviewerMatcher matcher,
    ReviewerOffers offers,
    CaseClosing closing,
    IOptions<ImrOptions> options,
    TimeProvider time,
    ILogger<AssignmentActivities> logger)
{
    /// <summary>Matches a reviewer and offers the case (<see cref="ReviewerOffers"/>); from 3.2 the records step makes the first offer.</summary>
    [Function(nameof(OfferAssignment))]
    public Task<AssignmentOffer?> OfferAssignment([ActivityTrigger] AssignmentRequest request) => offers.OfferAsync(request);

    [Function(nameof(RecordAcceptance))]
    public async Task RecordAcceptance([ActivityTrigger] AssignmentOffer offer)
    {
        var now = time.GetUtcNow();
        var answered = ReviewerCallbacks.AnsweredRow(offer.AssignmentId, CallbackAction.Accept);
        // Only forward: a late or repeated run (e.g. after a work-item visibility timeout) on an assignment that was
        // completed or withdrawn, or on a closed case, changes nothing and sends nothing.
        if (!await cases.UpdateAssignmentAsync(offer.CaseNumber, offer.AssignmentId, a =>
        {
            a.State = AssignmentStatus.Accepted;
            a.AcceptedAt ??= now;
        }))
        {
            logger.LogWarning("Case {CaseNumber}: assignment {AssignmentId} has ended; late acceptance not recorded", offer.CaseNumber, offer.AssignmentId);
            await audit.RecordAllAsync(offer.CaseNumber, [answered]);
            return;
        }

        var (caseEntity, moved) = await cases.ChangeAsync(offer.CaseNumber, c =>
        {
            c.State = c.Overdue ? CaseStatus.Overdue : CaseStatus.InReview;
            if (c.CurrentAssignmentId != offer.AssignmentId)
            {
                // Another assignment becomes current (one assigned by hand) without its row in hand: its links read it.
                c.CurrentOfferedAt = null;
                c.CurrentDeterminationRevision = null;
            }

            c.CurrentAssignmentId = offer.AssignmentId;
            c.CurrentReviewerId = offer.ReviewerId;
            c.CurrentAssignmentState = AssignmentStatus.Accepted;
        });
        if (!moved)
        {
            logger.LogWarning("Case {CaseNumber} is {Status}; late acceptance of {AssignmentId} not recorded", offer.CaseNumber, caseEntity.Status, offer.AssignmentId);
            await audit.RecordAllAsync(offer.CaseNumber, [answered]);
            return;
        }

        var reviewer = await roster.GetAsync(offer.ReviewerId) ?? throw new InvalidOperationException("Reviewer left the roster.");
        // The review link lives until well after the due date: a late determination is still valid.
        var link = links.For(new CallbackClaims(offer.CaseNumber, offer.AssignmentId, offer.ReviewerId, CallbackAction.SubmitDetermination, LinkLifetimes.ReviewExpiresAt(caseEntity.ReceivedAt, caseEntity.CaseDueAt)));
        await outbox.EnqueueAsync(new Notification(
            $"{offer.AssignmentId}-determination",
            offer.CaseNumber,
            reviewer.Email,
            ReviewerNotices.DeterminationRequest(offer.CaseNumber, caseEntity.ReviewerDueAt, reviewer.TimeZone, link)));
        await audit.RecordAllAsync(offer.CaseNumber, [answered, ($"{offer.AssignmentId}-accepted", "Accepted", $"assignment {offer.AssignmentId} accepted by reviewer {offer.ReviewerId}")]);
    }

    [Function(nameof(EndOffer))]
    public async Task EndOffer([ActivityTrigger] OfferDeclinedOrExpired ended)
    {
        var assignment = await cases.GetAssignmentAsync(ended.CaseNumber, ended.AssignmentId) ?? throw new InvalidOperationException("Assignment not recorded.");
        var status = ended.Declined ? AssignmentStatus.Declined : AssignmentStatus.TimedOut;
        if (!await cases.UpdateAssignmentAsync(assignment, a =>
        {
            a.State = status;
            a.EndedReason = ended.Declined ? "Declined by the reviewer." : "Not accepted within the acceptance window.";
        }))
        {
            logger.LogWarning("Assignment {AssignmentId} of case {CaseNumber} is {Status}; not ended again", ended.AssignmentId, ended.CaseNumber, assignment.Status);
            if (ended.Declined) await audit.RecordAllAsync(ended.CaseNumber, [ReviewerCallbacks.AnsweredRow(ended.AssignmentId, CallbackAction.Decline)]);
            return;
        }

        await cases.UpdateAsync(ended.CaseNumber, c =>
        {
            if (c.CurrentAssignmentId == ended.AssignmentId)
            {
                c.CurrentAssignmentState = status;
            }
        });
        await loads.CloseAsync(ended.ReviewerId, ended.AssignmentId);

        List<(string StepId, string What, string Details)> trail = ended.Declined ? [ReviewerCallbacks.AnsweredRow(ended.AssignmentId, CallbackAction.Decline)] : [];
        // A declared conflict becomes part of the roster, so no later case with that party is offered to the reviewer.
        if (ended.Declined && !string.IsNullOrWhiteSpace(assignment.DeclaredConflictParty)
            && Enum.TryParse<AffiliationKind>(assignment.DeclaredConflictKind, out var kind))
        {
            var added = await roster.AddAffiliationAsync(ended.ReviewerId, new Affiliation(kind, assignment.DeclaredConflictParty.Trim()));
            trail.Add(($"{ended.AssignmentId}-conflict", "Conflict declared", $"reviewer {ended.ReviewerId} declared a {kind} conflict; roster {(added ? "updated" : "already had it")}"));
        }

        trail.Add(($"{ended.AssignmentId}-{status.ToString().ToLowerInvariant()}", status.ToString(),
            ended.Declined ? $"assignment {ended.AssignmentId} declined by reviewer {ended.ReviewerId}: {assignment.DeclineReason}" : $"assignment {ended.AssignmentId} not accepted within the acceptance window"));
        await audit.RecordAllAsync(ended.CaseNumber, trail);
        logger.LogInformation("Assignment {AssignmentId} of case {CaseNumber} ended: {Status}", ended.AssignmentId, ended.CaseNumber, status);
    }

    /// <summary>
    /// Withdraws an accepted assignment whose reviewer missed the reviewer due date: its links lead to the "superseded"
    /// page from now on, and the reviewer's load is released as for an offer that ended.
    /// </summary>
    [Function(nameof(EndAssignment))]
    public async Task EndAssignment([ActivityTrigger] AssignmentEnded ended)
    {
        var assignment = await cases.GetAssignmentAsync(ended.CaseNumber, ended.AssignmentId) ?? throw new InvalidOperationException("Assignment not recorded.");
        var reviewerId = assignment.ReviewerId;
        if (!await cases.UpdateAssignmentAsync(assignment, a =>
        {
            a.State = AssignmentStatus.Withdrawn;
            a.EndedReason = ended.Reason;
        }))
        {
            logger.LogWarning("Assignment {AssignmentId} of case {CaseNumber} is {Status}; not withdrawn", ended.AssignmentId, ended.CaseNumber, assignment.Status);
            return;
        }

        await cases.UpdateAsync(ended.CaseNumber, c =>
        {
            if (c.CurrentAssignmentId == ended.AssignmentId)
            {
                c.CurrentAssignmentState = AssignmentStatus.Withdrawn;
            }
        });
        await loads.CloseAsync(reviewerId, ended.AssignmentId);
        await audit.RecordAsync(ended.CaseNumber, $"{ended.AssignmentId}-withdrawn", nameof(AssignmentStatus.Withdrawn), $"assignment {ended.AssignmentId} of reviewer {reviewerId} withdrawn: {ended.Reason}");
        logger.LogInformation("Assignment {AssignmentId} of case {CaseNumber} withdrawn", ended.AssignmentId, ended.CaseNumber);
    }

    [Function(nameof(EscalateForManualAssignment))]
    public async Task EscalateForManualAssignment([ActivityTrigger] CaseEscalation escalation)
    {
        var (_, moved) = await cases.ChangeAsync(escalation.CaseNumber, c =>
        {
            c.State = CaseStatus.AwaitingManualAssignment;
            c.ManualAssignmentRound = escalation.AwaitedRound;
        });
        if (!moved)
        {
            logger.LogWarning("Case {CaseNumber} is closed; no manual assignment asked", escalation.CaseNumber);
            return;
        }

        // The mail links to the work queue (no key, no token: the medical director signs in to the console).
        await outbox.EnqueueAsync(new Notification($"escalation-{escalation.Level}", escalation.CaseNumber, options.Value.MedicalDirectorEmail,
            MedicalDirectorNotices.NeedsReviewer(escalation.CaseNumber, escalation.Reason, console.WorkQueue(escalation.CaseNumber))));
        await audit.RecordAsync(escalation.CaseNumber, $"escalation-{escalation.Level}", "Escalated to the medical director", escalation.Reason);
        logger.LogWarning("Case {CaseNumber} has no reviewer; escalated for manual assignment", escalation.CaseNumber);
    }

    [Function(nameof(AssignManually))]
    public async Task<AssignmentOffer?> AssignManually([ActivityTrigger] ManualAssignmentRequest request)
    {
        var assignmentId = CaseNames.AssignmentId(request.CaseNumber, request.Round);
        var existing = await cases.GetAssignmentAsync(request.CaseNumber, assignmentId);
        if (existing is null)
        {
            var caseEntity = await cases.GetAsync(request.CaseNumber) ?? throw new InvalidOperationException("Case not recorded.");
            var reviewer = await roster.GetAsync(request.ReviewerId);
            var blocking = reviewer is null
                ? ["not on the roster"]
                : matcher.ManualAssignmentBlocking(await documents.ReadAcceptedPackageAsync(caseEntity), reviewer);
            if (blocking.Count > 0)
            {
                await audit.RecordAsync(request.CaseNumber, $"manual-R{request.Round}-refused", "Manual assignment refused", $"reviewer {request.ReviewerId}: {string.Join("; ", blocking)}");
                return null;
            }

            existing = await cases.AddAssignmentOnceAsync(new AssignmentEntity
            {
                PartitionKey = request.CaseNumber,
                RowKey = assignmentId,
                ReviewerId = request.ReviewerId,
                Round = request.Round,
                OfferedAt = time.GetUtcNow(),
                State = AssignmentStatus.Offered,
                AssignedBy = request.AssignedBy,
                MatchingVerdicts = "[]",
            });
        }

        await loads.OpenAsync(existing.ReviewerId, request.CaseNumber, assignmentId, existing.OfferedAt);
        await audit.RecordAsync(request.CaseNumber, $"{assignmentId}-manual", "Assigned by hand", $"assignment {assignmentId} to reviewer {existing.ReviewerId} by {request.AssignedBy}");
        return new AssignmentOffer(request.CaseNumber, assignmentId, existing.ReviewerId);
    }

    /// <summary>
    /// The letter is issued: the case is closed (<see cref="CaseClosing"/>). Workflow versions before 3.1 close in this
    /// step of their own; from 3.1 the letter's issuance closes the case.
    /// </summary>
    [Function(nameof(CloseCase))]
    public Task CloseCase([ActivityTrigger] AssignmentOffer offer) => closing.CloseAsync(offer);

    public static string ManualAssignmentRoute(string caseNumber) => $"/api/manage/cases/{caseNumber}/assign";
}
