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
/// The case orchestration's activities. Each is idempotent (create-only writes, deterministic ids), because the
/// durable backend may run an activity more than once.
/// </summary>
public sealed class CaseActivities(
    CaseStore cases,
    RosterStore roster,
    DocumentStore documents,
    Outbox outbox,
    DeadlineIndex deadlineIndex,
    CallbackLinks links,
    ReviewerMatcher matcher,
    IOptions<ImrOptions> options,
    TimeProvider time,
    ILogger<CaseActivities> logger)
{
    [Function(nameof(RegisterCase))]
    public async Task<CaseRegistered> RegisterCase([ActivityTrigger] CaseWorkflowInput input)
    {
        var manifest = await documents.ReadAsync(StorageNames.CaseFilesContainer, input.ManifestBlobName);
        var package = CasePackage.Parse(manifest.ToMemory().Span).Package
            ?? throw new InvalidDataException("The manifest was validated at intake and no longer parses.");
        var policy = options.Value.DeadlinePolicy;
        var deadlines = policy.For(time.GetUtcNow(), package.Expedited);
        var stored = await cases.AddOnceAsync(new CaseEntity
        {
            PartitionKey = input.CaseNumber,
            Status = nameof(CaseStatus.Received),
            Expedited = package.Expedited,
            ManifestBlobName = input.ManifestBlobName,
            ManifestSha256 = DocumentStore.Sha256Hex(manifest),
            ReceivedAt = deadlines.ReceivedAt,
            CaseDueAt = deadlines.CaseDueAt,
            ReviewerDueAt = deadlines.ReviewerDueAt,
        });
        await deadlineIndex.AddAsync(input.CaseNumber, stored.CaseDueAt);
        logger.LogInformation("Case {CaseNumber} recorded", input.CaseNumber);
        return new CaseRegistered(input.CaseNumber, stored.CaseDueAt, stored.ReviewerDueAt, policy.ScaledAcceptanceWindow, options.Value.MaxOfferRounds);
    }

    [Function(nameof(OfferAssignment))]
    public async Task<AssignmentOffer?> OfferAssignment([ActivityTrigger] AssignmentRequest request)
    {
        var assignmentId = $"{request.CaseNumber}-A{request.Round}";
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
            var match = matcher.Match(package, await roster.ListAsync(), request.ExcludedReviewerIds.ToHashSet(), new Dictionary<string, int>());
            if (match.Selected is null)
            {
                return null;
            }

            reviewerId = match.Selected.ReviewerId;
            await cases.AddAssignmentOnceAsync(new AssignmentEntity
            {
                PartitionKey = request.CaseNumber,
                RowKey = assignmentId,
                ReviewerId = reviewerId,
                Round = request.Round,
                OfferedAt = time.GetUtcNow(),
                MatchingVerdicts = CaseStore.Serialize(match.Verdicts),
            });
        }

        await cases.UpdateAsync(request.CaseNumber, c =>
        {
            c.Status = nameof(CaseStatus.AwaitingAcceptance);
            c.CurrentAssignmentId = assignmentId;
            c.CurrentReviewerId = reviewerId;
            c.AssignmentStatus = "Offered";
        });

        var reviewer = await roster.GetAsync(reviewerId) ?? throw new InvalidOperationException("Reviewer left the roster.");
        var window = options.Value.DeadlinePolicy.ScaledAcceptanceWindow;
        var acceptLink = links.For(new CallbackClaims(request.CaseNumber, assignmentId, reviewerId, CallbackAction.Accept, time.GetUtcNow() + Max(window, TimeSpan.FromMinutes(10))));
        await outbox.EnqueueAsync(new Notification(
            $"{assignmentId}-offer",
            request.CaseNumber,
            reviewer.Email,
            $"IMR case {request.CaseNumber}: review offered",
            $"A case is offered to you for Independent Medical Review.\n\nAccept the assignment: {acceptLink}\n"));
        logger.LogInformation("Case {CaseNumber} offered as {AssignmentId}", request.CaseNumber, assignmentId);
        return new AssignmentOffer(request.CaseNumber, assignmentId, reviewerId);
    }

    [Function(nameof(RecordAcceptance))]
    public async Task RecordAcceptance([ActivityTrigger] AssignmentOffer offer)
    {
        var now = time.GetUtcNow();
        await cases.UpdateAssignmentAsync(offer.CaseNumber, offer.AssignmentId, a =>
        {
            a.Status = "Accepted";
            a.AcceptedAt ??= now;
        });
        var caseEntity = await cases.UpdateAsync(offer.CaseNumber, c =>
        {
            c.Status = c.Overdue ? nameof(CaseStatus.Overdue) : nameof(CaseStatus.InReview);
            c.AssignmentStatus = "Accepted";
        });
        var reviewer = await roster.GetAsync(offer.ReviewerId) ?? throw new InvalidOperationException("Reviewer left the roster.");
        // The determination link lives until well after the due date: a late determination is still valid.
        var link = links.For(new CallbackClaims(offer.CaseNumber, offer.AssignmentId, offer.ReviewerId, CallbackAction.SubmitDetermination, caseEntity.CaseDueAt + Max(caseEntity.CaseDueAt - caseEntity.ReceivedAt, TimeSpan.FromHours(1))));
        await outbox.EnqueueAsync(new Notification(
            $"{offer.AssignmentId}-determination",
            offer.CaseNumber,
            reviewer.Email,
            $"IMR case {offer.CaseNumber}: submit your determination",
            $"Thank you for accepting. Your determination is due {caseEntity.ReviewerDueAt:u}.\n\nSubmit the determination: {link}\n"));
    }

    [Function(nameof(EndAssignment))]
    public async Task EndAssignment([ActivityTrigger] AssignmentEnded ended)
    {
        await cases.UpdateAssignmentAsync(ended.CaseNumber, ended.AssignmentId, a =>
        {
            a.Status = "Withdrawn";
            a.EndedReason = ended.Reason;
        });
        await cases.UpdateAsync(ended.CaseNumber, c =>
        {
            if (c.CurrentAssignmentId == ended.AssignmentId)
            {
                c.AssignmentStatus = "Withdrawn";
            }
        });
        logger.LogInformation("Assignment {AssignmentId} of case {CaseNumber} withdrawn", ended.AssignmentId, ended.CaseNumber);
    }

    [Function(nameof(MarkOverdue))]
    public async Task MarkOverdue([ActivityTrigger] string caseNumber)
    {
        await cases.UpdateAsync(caseNumber, c =>
        {
            c.Overdue = true;
            c.Status = nameof(CaseStatus.Overdue);
        });
        // Same notification id as the sweep's overdue escalation: the medical director hears of it once.
        await outbox.EnqueueAsync(new Notification(Escalations.NotificationId(EscalationLevels.Overdue), caseNumber, options.Value.MedicalDirectorEmail, $"IMR case {caseNumber} is overdue", "The case has passed its due date without a determination. The review continues."));
        logger.LogWarning("Case {CaseNumber} is overdue", caseNumber);
    }

    [Function(nameof(EscalateCase))]
    public async Task EscalateCase([ActivityTrigger] CaseEscalation escalation)
    {
        await cases.UpdateAsync(escalation.CaseNumber, c => c.Status = nameof(CaseStatus.AwaitingManualAssignment));
        await outbox.EnqueueAsync(new Notification($"escalation-{escalation.Level}", escalation.CaseNumber, options.Value.MedicalDirectorEmail, $"IMR case {escalation.CaseNumber} needs a reviewer", escalation.Reason));
    }

    [Function(nameof(CloseCase))]
    public async Task CloseCase([ActivityTrigger] IssueRequest request)
    {
        var now = time.GetUtcNow();
        var closed = await cases.UpdateAsync(request.CaseNumber, c =>
        {
            c.Status = nameof(CaseStatus.Closed);
            c.AssignmentStatus = "Completed";
            c.ClosedAt ??= now;
        });
        await cases.UpdateAssignmentAsync(request.CaseNumber, request.AssignmentId, a => a.Status = "Completed");
        await deadlineIndex.RemoveAsync(request.CaseNumber, closed.CaseDueAt);
    }

    private async Task<CasePackage> LoadPackageAsync(CaseEntity caseEntity)
    {
        var manifest = await documents.ReadAsync(StorageNames.CaseFilesContainer, caseEntity.ManifestBlobName);
        return CasePackage.Parse(manifest.ToMemory().Span).Package ?? throw new InvalidDataException("The stored manifest no longer parses.");
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
