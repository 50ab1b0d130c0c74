using Imr.Domain.Callbacks;
using Imr.Domain.Cases;
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
    ReviewerMatcher matcher,
    IOptions<ImrOptions> options,
    TimeProvider time,
    ILogger<AssignmentActivities> logger)
{
    // The stored texts of AssignmentStatus (its transitions are in the domain).
    public const string Offered = nameof(AssignmentStatus.Offered);
    public const string Accepted = nameof(AssignmentStatus.Accepted);
    public const string Declined = nameof(AssignmentStatus.Declined);
    public const string TimedOut = nameof(AssignmentStatus.TimedOut);
    public const string Completed = nameof(AssignmentStatus.Completed);
    public const string Withdrawn = nameof(AssignmentStatus.Withdrawn);

    /// <summary>Assignment states after which the assignment's links lead to the "superseded" page.</summary>
    public static bool HasEnded(string status) => status is Declined or TimedOut or Withdrawn;

    [Function(nameof(OfferAssignment))]
    public async Task<AssignmentOffer?> OfferAssignment([ActivityTrigger] AssignmentRequest request)
    {
        var assignmentId = CaseNames.AssignmentId(request.CaseNumber, request.Round);
        var existing = await cases.GetAssignmentAsync(request.CaseNumber, assignmentId);
        var caseEntity = await cases.GetAsync(request.CaseNumber) ?? throw new InvalidOperationException("Case not recorded.");
        string reviewerId;
        if (existing is not null)
        {
            reviewerId = existing.ReviewerId; // a retried activity re-sends the same offer
        }
        else
        {
            var package = await LoadPackageAsync(caseEntity);
            var match = matcher.Match(package, await roster.ListAsync(), request.ExcludedReviewerIds.ToHashSet(), await loads.AllAsync());
            await audit.RecordAsync(request.CaseNumber, $"match-R{request.Round}", "Reviewer matching", match.Explain());
            if (match.Selected is null)
            {
                if (match.HeldBack.Count > 0)
                {
                    // A tie that only resembles a party is for the medical director to judge: the case's audit trail
                    // (its page, and the escalation that follows) says who was held back and which names resemble.
                    await audit.RecordAsync(request.CaseNumber, $"match-R{request.Round}-held-back", "Held back: possible conflict of interest",
                        string.Join("\n", match.HeldBack.Select(v => $"{v.ReviewerId}: {v.Reason}")) + "\nAssign by hand if there is no conflict.");
                }

                logger.LogWarning("Case {CaseNumber}: no eligible reviewer in round {Round} ({Candidates} candidates)", request.CaseNumber, request.Round, match.Verdicts.Count);
                return null;
            }

            reviewerId = match.Selected.ReviewerId;
            var now = time.GetUtcNow();
            await cases.AddAssignmentOnceAsync(new AssignmentEntity
            {
                PartitionKey = request.CaseNumber,
                RowKey = assignmentId,
                ReviewerId = reviewerId,
                Round = request.Round,
                OfferedAt = now,
                MatchingVerdicts = CaseStore.Serialize(match.Verdicts),
            });
        }

        var assignment = (await cases.GetAssignmentAsync(request.CaseNumber, assignmentId))!;
        if (assignment.Status != Offered)
        {
            // A late repeat of an offer that was answered meanwhile: the case has moved on; nothing to write or send.
            logger.LogInformation("Case {CaseNumber}: offer {AssignmentId} is {Status} already; repeated offer ignored", request.CaseNumber, assignmentId, assignment.Status);
            return new AssignmentOffer(request.CaseNumber, assignmentId, reviewerId);
        }

        var (_, moved) = await cases.ChangeAsync(request.CaseNumber, c =>
        {
            c.Status = nameof(CaseStatus.AwaitingAcceptance);
            c.CurrentAssignmentId = assignmentId;
            c.CurrentReviewerId = reviewerId;
            c.AssignmentStatus = Offered;
        });
        if (!moved)
        {
            logger.LogInformation("Case {CaseNumber}: closed; offer {AssignmentId} not sent", request.CaseNumber, assignmentId);
            return new AssignmentOffer(request.CaseNumber, assignmentId, reviewerId);
        }

        await loads.OpenAsync(reviewerId, request.CaseNumber, assignmentId, assignment.OfferedAt);

        var reviewer = await roster.GetAsync(reviewerId) ?? throw new InvalidOperationException("Reviewer left the roster.");
        var window = options.Value.DeadlinePolicy.ScaledAcceptanceWindow;
        var acceptBy = assignment.OfferedAt + window;
        // The link outlives the window a little, so a late click gets the "superseded" page rather than "expired".
        var offerLink = links.For(new CallbackClaims(request.CaseNumber, assignmentId, reviewerId, CallbackAction.Accept, acceptBy + Max(window, TimeSpan.FromMinutes(10))));
        await outbox.EnqueueAsync(new Notification(
            $"{assignmentId}-offer",
            request.CaseNumber,
            reviewer.Email,
            $"IMR case {request.CaseNumber}: review offered",
            $"A case is offered to you for Independent Medical Review.\n\nPlease accept or decline by {InZone(acceptBy, reviewer.TimeZone)}.\n\nOpen the offer: {offerLink}\n\n" +
            "If you have any professional, familial or financial affiliation with a party to this case, decline it and declare the conflict on that page.\n"));
        await audit.RecordAsync(request.CaseNumber, $"{assignmentId}-offered", "Offered", $"assignment {assignmentId} offered to reviewer {reviewerId} (round {request.Round})");
        logger.LogInformation("Case {CaseNumber} offered as {AssignmentId}", request.CaseNumber, assignmentId);
        return new AssignmentOffer(request.CaseNumber, assignmentId, reviewerId);
    }

    [Function(nameof(RecordAcceptance))]
    public async Task RecordAcceptance([ActivityTrigger] AssignmentOffer offer)
    {
        var now = time.GetUtcNow();
        // Only forward: a late or repeated run (e.g. after a work-item visibility timeout) on an assignment that was
        // completed or withdrawn, or on a closed case, changes nothing and sends nothing.
        if (!await cases.UpdateAssignmentAsync(offer.CaseNumber, offer.AssignmentId, a =>
        {
            a.Status = Accepted;
            a.AcceptedAt ??= now;
        }))
        {
            logger.LogWarning("Case {CaseNumber}: assignment {AssignmentId} has ended; late acceptance not recorded", offer.CaseNumber, offer.AssignmentId);
            return;
        }

        var (caseEntity, moved) = await cases.ChangeAsync(offer.CaseNumber, c =>
        {
            c.Status = c.Overdue ? nameof(CaseStatus.Overdue) : nameof(CaseStatus.InReview);
            c.CurrentAssignmentId = offer.AssignmentId;
            c.CurrentReviewerId = offer.ReviewerId;
            c.AssignmentStatus = Accepted;
        });
        if (!moved)
        {
            logger.LogWarning("Case {CaseNumber} is {Status}; late acceptance of {AssignmentId} not recorded", offer.CaseNumber, caseEntity.Status, offer.AssignmentId);
            return;
        }

        var reviewer = await roster.GetAsync(offer.ReviewerId) ?? throw new InvalidOperationException("Reviewer left the roster.");
        // The review link lives until well after the due date: a late determination is still valid.
        var link = links.For(new CallbackClaims(offer.CaseNumber, offer.AssignmentId, offer.ReviewerId, CallbackAction.SubmitDetermination, caseEntity.CaseDueAt + Max(caseEntity.CaseDueAt - caseEntity.ReceivedAt, TimeSpan.FromHours(1))));
        await outbox.EnqueueAsync(new Notification(
            $"{offer.AssignmentId}-determination",
            offer.CaseNumber,
            reviewer.Email,
            $"IMR case {offer.CaseNumber}: submit your determination",
            $"Thank you for accepting. Your determination is due {InZone(caseEntity.ReviewerDueAt, reviewer.TimeZone)}.\n\nOpen the review (case facts, documents and the determination form): {link}\n"));
        await audit.RecordAsync(offer.CaseNumber, $"{offer.AssignmentId}-accepted", "Accepted", $"assignment {offer.AssignmentId} accepted by reviewer {offer.ReviewerId}");
    }

    [Function(nameof(EndOffer))]
    public async Task EndOffer([ActivityTrigger] OfferDeclinedOrExpired ended)
    {
        var assignment = await cases.GetAssignmentAsync(ended.CaseNumber, ended.AssignmentId) ?? throw new InvalidOperationException("Assignment not recorded.");
        var status = ended.Declined ? Declined : TimedOut;
        if (!await cases.UpdateAssignmentAsync(ended.CaseNumber, ended.AssignmentId, a =>
        {
            a.Status = status;
            a.EndedReason = ended.Declined ? "Declined by the reviewer." : "Not accepted within the acceptance window.";
        }))
        {
            logger.LogWarning("Assignment {AssignmentId} of case {CaseNumber} is {Status}; not ended again", ended.AssignmentId, ended.CaseNumber, assignment.Status);
            return;
        }

        await cases.UpdateAsync(ended.CaseNumber, c =>
        {
            if (c.CurrentAssignmentId == ended.AssignmentId)
            {
                c.AssignmentStatus = status;
            }
        });
        await loads.CloseAsync(ended.ReviewerId, ended.AssignmentId);

        // A declared conflict becomes part of the roster, so no later case with that party is offered to the reviewer.
        if (ended.Declined && !string.IsNullOrWhiteSpace(assignment.DeclaredConflictParty)
            && Enum.TryParse<AffiliationKind>(assignment.DeclaredConflictKind, out var kind))
        {
            var added = await roster.AddAffiliationAsync(ended.ReviewerId, new Affiliation(kind, assignment.DeclaredConflictParty.Trim()));
            await audit.RecordAsync(ended.CaseNumber, $"{ended.AssignmentId}-conflict", "Conflict declared",
                $"reviewer {ended.ReviewerId} declared a {kind} conflict; roster {(added ? "updated" : "already had it")}");
        }

        await audit.RecordAsync(ended.CaseNumber, $"{ended.AssignmentId}-{status.ToLowerInvariant()}", status,
            ended.Declined ? $"assignment {ended.AssignmentId} declined by reviewer {ended.ReviewerId}: {assignment.DeclineReason}" : $"assignment {ended.AssignmentId} not accepted within the acceptance window");
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
        if (!await cases.UpdateAssignmentAsync(ended.CaseNumber, ended.AssignmentId, a =>
        {
            a.Status = Withdrawn;
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
                c.AssignmentStatus = Withdrawn;
            }
        });
        await loads.CloseAsync(assignment.ReviewerId, ended.AssignmentId);
        await audit.RecordAsync(ended.CaseNumber, $"{ended.AssignmentId}-withdrawn", Withdrawn, $"assignment {ended.AssignmentId} of reviewer {assignment.ReviewerId} withdrawn: {ended.Reason}");
        logger.LogInformation("Assignment {AssignmentId} of case {CaseNumber} withdrawn", ended.AssignmentId, ended.CaseNumber);
    }

    [Function(nameof(EscalateForManualAssignment))]
    public async Task EscalateForManualAssignment([ActivityTrigger] CaseEscalation escalation)
    {
        var (_, moved) = await cases.ChangeAsync(escalation.CaseNumber, c =>
        {
            c.Status = nameof(CaseStatus.AwaitingManualAssignment);
            c.ManualAssignmentRound = escalation.AwaitedRound;
        });
        if (!moved)
        {
            logger.LogWarning("Case {CaseNumber} is closed; no manual assignment asked", escalation.CaseNumber);
            return;
        }

        // The mail names the admin route, never a key: the medical director uses the function key they already hold.
        await outbox.EnqueueAsync(new Notification($"escalation-{escalation.Level}", escalation.CaseNumber, options.Value.MedicalDirectorEmail,
            $"IMR case {escalation.CaseNumber} needs a reviewer",
            $"{escalation.Reason}\n\nThe matching decisions are in the audit trail of the case. Assign with: POST {ManualAssignmentRoute(escalation.CaseNumber)} (form field reviewerId, function key required).\n"));
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
                : matcher.ManualAssignmentBlocking(await LoadPackageAsync(caseEntity), reviewer);
            if (blocking.Count > 0)
            {
                await audit.RecordAsync(request.CaseNumber, $"manual-R{request.Round}-refused", "Manual assignment refused", $"reviewer {request.ReviewerId}: {string.Join("; ", blocking)}");
                return null;
            }

            await cases.AddAssignmentOnceAsync(new AssignmentEntity
            {
                PartitionKey = request.CaseNumber,
                RowKey = assignmentId,
                ReviewerId = request.ReviewerId,
                Round = request.Round,
                OfferedAt = time.GetUtcNow(),
                Status = Offered,
                AssignedBy = request.AssignedBy,
                MatchingVerdicts = "[]",
            });
        }

        var assignment = (await cases.GetAssignmentAsync(request.CaseNumber, assignmentId))!;
        await loads.OpenAsync(assignment.ReviewerId, request.CaseNumber, assignmentId, assignment.OfferedAt);
        await audit.RecordAsync(request.CaseNumber, $"{assignmentId}-manual", "Assigned by hand", $"assignment {assignmentId} to reviewer {assignment.ReviewerId} by {request.AssignedBy}");
        return new AssignmentOffer(request.CaseNumber, assignmentId, assignment.ReviewerId);
    }

    [Function(nameof(CompleteAssignment))]
    public async Task CompleteAssignment([ActivityTrigger] AssignmentOffer offer)
    {
        await loads.CloseAsync(offer.ReviewerId, offer.AssignmentId);
        await audit.RecordAsync(offer.CaseNumber, $"{offer.AssignmentId}-completed", "Completed", $"assignment {offer.AssignmentId} completed; reviewer {offer.ReviewerId} released");
    }

    public static string ManualAssignmentRoute(string caseNumber) => $"/api/manage/cases/{caseNumber}/assign";

    private async Task<CasePackage> LoadPackageAsync(CaseEntity caseEntity)
    {
        return await documents.ReadAcceptedPackageAsync(caseEntity);
    }

    private static string InZone(DateTimeOffset at, string timeZone)
    {
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var z) ? z : TimeZoneInfo.Utc;
        var local = TimeZoneInfo.ConvertTime(at, zone);
        return $"{local:dddd, MMMM d, yyyy h:mm tt} ({zone.Id})";
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
