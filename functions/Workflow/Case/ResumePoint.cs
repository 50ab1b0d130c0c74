using Imr.Domain.Cases;
using Imr.Functions.Storage;

namespace Imr.Functions.Workflow;

/// <summary>Where a restarted case orchestration picks the case up.</summary>
public enum ResumeStep
{
    /// <summary>No open offer: offer the case to the next eligible reviewer (round <see cref="ResumePoint.Round"/> + 1).</summary>
    OfferNextRound,
    /// <summary>Assignment <see cref="ResumePoint.AssignmentId"/> was offered and not answered: wait for the rest of its acceptance window.</summary>
    AwaitAnswer,
    /// <summary>Assignment <see cref="ResumePoint.AssignmentId"/> was accepted (or assigned by hand): wait for its determination.</summary>
    AwaitDetermination,
    /// <summary>The medical director was asked to assign a reviewer by hand: wait for that choice.</summary>
    AwaitManualAssignment,
}

/// <summary>
/// The last good state of a case whose orchestration stopped, read from Table storage (case record and its assignment
/// rows) by the sweep. Ids and instants only.
/// </summary>
/// <param name="Round">The round of <see cref="AssignmentId"/>, or the last round used when no assignment is open (a manual assignment awaits round + 1).</param>
/// <param name="ExcludedReviewerIds">Reviewers whose assignments ended (declined, timed out, withdrawn): not offered again.</param>
/// <param name="Reassigned">An assignment was withdrawn after a missed reviewer due date: the current reviewer is due with the case.</param>
/// <param name="AnswerBy">End of the open offer's acceptance window (<see cref="ResumeStep.AwaitAnswer"/>).</param>
/// <param name="Answered">The reviewer's answer was recorded while the orchestration was down: true accepted, false declined.</param>
/// <param name="Revision">The determination revision awaited (&gt; 0 after the quality check returned it).</param>
/// <param name="ReviewStartedAt">When the reviewer accepted: the reminder schedule is counted from it, as in the first run.</param>
/// <param name="WithdrawnAssignmentId">The last withdrawn assignment, whose missed-due escalation is re-sent (once) in case it was cut off.</param>
public sealed record ResumePoint(
    ResumeStep Step,
    int Round,
    string? AssignmentId,
    string? ReviewerId,
    IReadOnlyList<string> ExcludedReviewerIds,
    bool Reassigned,
    DateTimeOffset? AnswerBy = null,
    bool? Answered = null,
    int Revision = 0,
    DateTimeOffset? ReviewStartedAt = null,
    string? WithdrawnAssignmentId = null,
    string? WithdrawnReviewerId = null)
{
    /// <summary>
    /// Reads the resume point from the stored case and its assignments. <paramref name="acceptanceWindow"/> is the
    /// scaled window; <paramref name="offerAnswered"/> tells whether the open offer's answer link was used (accept and
    /// decline share one single-use claim, stored before the event is raised, so an answer lost with the orchestration is
    /// still seen; a decline also stores its required reason on the assignment). Null for a closed case.
    /// </summary>
    public static ResumePoint? From(CaseEntity c, IReadOnlyList<AssignmentEntity> assignments, TimeSpan acceptanceWindow, bool offerAnswered)
    {
        if (c.State == CaseStatus.Closed) return null;
        var ordered = assignments.OrderBy(a => a.Round).ToList();
        var last = ordered.LastOrDefault();
        var withdrawn = ordered.LastOrDefault(a => a.State == AssignmentStatus.Withdrawn);
        var excluded = ordered.Where(a => a.HasEnded).Select(a => a.ReviewerId).Distinct().ToList();
        var point = new ResumePoint(ResumeStep.OfferNextRound, last?.Round ?? 0, null, null, excluded, withdrawn is not null,
            WithdrawnAssignmentId: withdrawn?.RowKey, WithdrawnReviewerId: withdrawn?.ReviewerId);
        if (last is null || last.HasEnded || last.State == AssignmentStatus.Completed)
        {
            // Nothing open: either the medical director was asked (and is being waited for), or the next round is due.
            // The case records the round the medical director answers (refused choices used rounds without a row).
            return c.State == CaseStatus.AwaitingManualAssignment
                ? point with { Step = ResumeStep.AwaitManualAssignment, Round = c.ManualAssignmentRound > 0 ? c.ManualAssignmentRound - 1 : point.Round }
                : point;
        }

        point = point with { Round = last.Round, AssignmentId = last.RowKey, ReviewerId = last.ReviewerId };
        // Accepted, or assigned by hand (needs no acceptance; RecordAcceptance is repeated, it is idempotent).
        if (last.AcceptedAt is not null || last.AssignedBy is not null)
        {
            return point with { Step = ResumeStep.AwaitDetermination, Revision = last.DeterminationRevision, ReviewStartedAt = last.AcceptedAt };
        }

        bool? answered = offerAnswered ? last.DeclineReason is null : null;
        return point with { Step = ResumeStep.AwaitAnswer, AnswerBy = last.OfferedAt + acceptanceWindow, Answered = answered };
    }
}
