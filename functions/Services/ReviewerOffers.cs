using Imr.Domain.Callbacks;
using Imr.Domain.Cases;
using Imr.Domain.Deadlines;
using Imr.Domain.Eligibility;
using Imr.Domain.Reviewers;
using Imr.Functions.Storage;
using Imr.Functions.Workflow;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Services;

/// <summary>
/// Offering a case to a reviewer: the one home of the match and the offer, run by the OfferAssignment activity and, from
/// workflow 3.2, by the records step for a case's first offer (once the case is registered).
/// </summary>
public sealed class ReviewerOffers(
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
    ILogger<ReviewerOffers> logger)
{
    /// <summary>
    /// Matches a reviewer and offers the case. The case is read once and written with its ETag; the roster read for the
    /// match also gives the reviewer's address; the audit rows go in one request. A repeated run finds the offer stored
    /// (create-once assignment id) and re-sends the same offer, never a second one.
    /// </summary>
    /// <param name="caseRow">The case's row when the step has it in hand (the records step just registered it): saves
    /// reading it; the write is conditional on its ETag, so a row changed meanwhile is read again before it is written.</param>
    /// <param name="stepTrail">The audit rows of the step this offer is folded into, written by that step at its end; null: written here.</param>
    public async Task<AssignmentOffer?> OfferAsync(AssignmentRequest request, CaseEntity? caseRow = null, AuditRows? stepTrail = null)
    {
        var assignmentId = CaseNames.AssignmentId(request.CaseNumber, request.Round);
        var caseEntity = caseRow ?? await cases.GetAsync(request.CaseNumber) ?? throw new InvalidOperationException("Case not recorded.");
        var package = await documents.ReadAcceptedPackageAsync(caseEntity);
        var reviewers = await roster.ListAsync();
        var match = matcher.Match(package, reviewers, request.ExcludedReviewerIds.ToHashSet(), await loads.AllAsync());
        var explanation = match.Explain();
        if (explanation.Length > CaseStore.MaxStoredText)
        {
            // A roster of hundreds explains more than an audit row holds (AuditLog.Fit keeps what fits): the chosen, the
            // eligible and the held-back reviewers first, so those lines are the ones kept.
            explanation = string.Join("\n", explanation.Split('\n').OrderBy(l => l.Contains(": selected —", StringComparison.Ordinal) ? 0 : l.Contains(": eligible", StringComparison.Ordinal) ? 1 : l.Contains(": held back", StringComparison.Ordinal) ? 2 : 3));
        }

        List<(string StepId, string What, string Details)> trail = [($"match-R{request.Round}", "Reviewer matching", explanation)];
        AssignmentEntity assignment;
        if (match.Selected is null)
        {
            // A repeated run after the offer was made may match nobody now (the offered reviewer carries the case's load):
            // the stored offer stands.
            if (await cases.GetAssignmentAsync(request.CaseNumber, assignmentId) is not { } stored)
            {
                if (match.HeldBack.Count > 0)
                {
                    // A tie that only resembles a party is for the medical director to judge: the case's audit trail
                    // (its page, and the escalation that follows) says who was held back and which names resemble.
                    trail.Add(($"match-R{request.Round}-held-back", "Held back: possible conflict of interest",
                        string.Join("\n", match.HeldBack.Select(v => $"{v.ReviewerId}: {v.Reason}")) + "\nAssign by hand if there is no conflict."));
                }

                await RecordAsync(request.CaseNumber, trail, stepTrail);
                logger.LogWarning("Case {CaseNumber}: no eligible reviewer in round {Round} ({Candidates} candidates)", request.CaseNumber, request.Round, match.Verdicts.Count);
                return null;
            }

            assignment = stored;
        }
        else
        {
            // Create-once: a retried activity finds the stored offer (and its reviewer) and re-sends that one.
            assignment = await cases.AddAssignmentOnceAsync(new AssignmentEntity
            {
                PartitionKey = request.CaseNumber,
                RowKey = assignmentId,
                ReviewerId = match.Selected.ReviewerId,
                Round = request.Round,
                OfferedAt = time.GetUtcNow(),
                MatchingVerdicts = CaseStore.SerializeVerdicts(match.Verdicts, match.Selected.ReviewerId),
            });
        }

        var reviewerId = assignment.ReviewerId;
        if (assignment.State != AssignmentStatus.Offered)
        {
            // A late repeat of an offer that was answered meanwhile: the case has moved on; nothing to write or send.
            logger.LogInformation("Case {CaseNumber}: offer {AssignmentId} is {Status} already; repeated offer ignored", request.CaseNumber, assignmentId, assignment.Status);
            await RecordAsync(request.CaseNumber, trail, stepTrail);
            return new AssignmentOffer(request.CaseNumber, assignmentId, reviewerId);
        }

        var (_, moved) = await cases.ChangeAsync(caseEntity, c =>
        {
            c.State = CaseStatus.AwaitingAcceptance;
            c.CurrentAssignmentId = assignmentId;
            c.CurrentReviewerId = reviewerId;
            c.CurrentAssignmentState = AssignmentStatus.Offered;
            c.CurrentOfferedAt = assignment.OfferedAt;
            c.CurrentDeterminationRevision = assignment.DeterminationRevision;
        });
        if (!moved)
        {
            logger.LogInformation("Case {CaseNumber}: closed; offer {AssignmentId} not sent", request.CaseNumber, assignmentId);
            await RecordAsync(request.CaseNumber, trail, stepTrail);
            return new AssignmentOffer(request.CaseNumber, assignmentId, reviewerId);
        }

        await loads.OpenAsync(reviewerId, request.CaseNumber, assignmentId, assignment.OfferedAt);

        var reviewer = reviewers.FirstOrDefault(r => r.ReviewerId == reviewerId) ?? await roster.GetAsync(reviewerId) ?? throw new InvalidOperationException("Reviewer left the roster.");
        var window = options.Value.DeadlinePolicy.ScaledAcceptanceWindow;
        var acceptBy = assignment.OfferedAt + window;
        // The link outlives the window a little, so a late click gets the "superseded" page rather than "expired".
        var offerLink = links.For(new CallbackClaims(request.CaseNumber, assignmentId, reviewerId, CallbackAction.Accept, LinkLifetimes.OfferExpiresAt(acceptBy, window)));
        await outbox.EnqueueAsync(new Notification(
            $"{assignmentId}-offer",
            request.CaseNumber,
            reviewer.Email,
            ReviewerNotices.Offer(request.CaseNumber, acceptBy, reviewer.TimeZone, offerLink)));
        trail.Add(($"{assignmentId}-offered", "Offered", $"assignment {assignmentId} offered to reviewer {reviewerId} (round {request.Round})"));
        await RecordAsync(request.CaseNumber, trail, stepTrail);
        logger.LogInformation("Case {CaseNumber} offered as {AssignmentId}", request.CaseNumber, assignmentId);
        return new AssignmentOffer(request.CaseNumber, assignmentId, reviewerId);
    }

    private Task RecordAsync(string caseNumber, List<(string StepId, string What, string Details)> trail, AuditRows? stepTrail)
    {
        if (stepTrail is null) return audit.RecordAllAsync(caseNumber, trail);
        foreach (var (stepId, what, details) in trail) stepTrail.Step(stepId, what, details);
        return Task.CompletedTask;
    }
}
