using Microsoft.DurableTask;

namespace Imr.Functions.Workflow;

/// <summary>
/// The assignment flow of a case: the offer loop (one matched reviewer after another until one accepts) and the one
/// manual-assignment wait (the medical director chooses when nobody is left). Used by the first run, by a reassignment
/// after a missed reviewer due date, and by a resumed run. A static helper, not a partial of CaseOrchestrator (see
/// DeterminationWait for why).
/// </summary>
internal static class AssignmentFlow
{
    /// <summary>
    /// Offers the case to one matched reviewer after another until one accepts. A decline or an offer not accepted
    /// within the acceptance window moves on to the next candidate (who is chosen without the earlier ones). When no
    /// candidate is left, or after MaxOfferRounds, the medical director is asked and the orchestration waits — durably,
    /// without a deadline — for the reviewer chosen by hand (admin route), who needs no acceptance.
    /// </summary>
    /// <param name="excludedReviewers">Reviewers not to offer again (a reassignment excludes the reviewers who missed the due date).</param>
    /// <param name="roundsUsed">Rounds used before (a reassignment continues after them, so assignment ids stay unique).</param>
    /// <param name="madeAtIntake">The registration whose step made the first round's offer (from 3.2, the records step).</param>
    /// <returns>The accepted (or hand-assigned) offer and the last round used.</returns>
    internal static async Task<(AssignmentOffer Offer, int LastRound)> OfferUntilAcceptedAsync(TaskOrchestrationContext context, CaseRegistered registered, IEnumerable<string>? excludedReviewers = null, int roundsUsed = 0,
        IntakeRegistration? madeAtIntake = null)
    {
        var excluded = new List<string>(excludedReviewers ?? []);
        var round = roundsUsed;
        // Event waiters live across rounds and across offer loops (a reassignment runs this loop again) and are never
        // cancelled: an answer is matched to its offer by assignment id, and an event is never handed to a waiter that
        // was given up (the SDK gives an event to the newest waiter, or to an abandoned one when no newer one exists).
        var waiters = OfferAnswerWaiters.Of(context);
        var changes = ReviewChangeWait.Of(context);
        while (round < roundsUsed + registered.MaxOfferRounds)
        {
            round++;
            var offer = round == roundsUsed + 1 && madeAtIntake is not null
                ? madeAtIntake.FirstOffer
                : await context.CallActivityAsync<AssignmentOffer?>(nameof(AssignmentActivities.OfferAssignment), new AssignmentRequest(registered.CaseNumber, round, excluded), ActivityRetry.Options);
            if (offer is null)
            {
                break;
            }

            using var timeout = new CancellationTokenSource();
            var timer = context.CreateTimer(context.CurrentUtcDateTime + registered.AcceptanceWindow, timeout.Token);
            bool? answer = null; // true accepted, false declined, null timed out
            while (true)
            {
                var accepted = waiters.Accepted ??= context.WaitForExternalEvent<ReviewerAccepted>(CaseEvents.ReviewerAccepted);
                var declined = waiters.Declined ??= context.WaitForExternalEvent<ReviewerDeclined>(AssignmentEvents.ReviewerDeclined);
                var change = changes?.Next(context);
                var first = change is null ? await Task.WhenAny(timer, accepted, declined) : await Task.WhenAny(timer, accepted, declined, change);
                if (first == timer) break;
                if (first == change)
                {
                    // A conversion changes the case's deadlines, not this offer's window; an authorisation ends the run.
                    await changes!.ApplyAsync(context, registered.CaseNumber);
                    continue;
                }

                if (first == accepted)
                {
                    var forThisOffer = accepted.Result.AssignmentId == offer.AssignmentId;
                    waiters.Accepted = null;
                    if (forThisOffer) { answer = true; break; }
                }
                else
                {
                    var forThisOffer = declined.Result.AssignmentId == offer.AssignmentId;
                    waiters.Declined = null;
                    if (forThisOffer) { answer = false; break; }
                }
            }

            if (answer is not null)
            {
                timeout.Cancel();
            }

            if (answer == true)
            {
                await context.CallActivityAsync(nameof(AssignmentActivities.RecordAcceptance), offer, ActivityRetry.Options);
                return (offer, round);
            }

            await context.CallActivityAsync(nameof(AssignmentActivities.EndOffer), new OfferDeclinedOrExpired(offer.CaseNumber, offer.AssignmentId, offer.ReviewerId, Declined: answer == false), ActivityRetry.Options);
            excluded.Add(offer.ReviewerId);
        }

        // Nobody left (or MaxOfferRounds used): the medical director is asked for round + 1.
        var prefix = roundsUsed == 0 ? "MedicalDirector" : $"MedicalDirector-after-R{roundsUsed}";
        return await ManualAssignmentAsync(context, registered.CaseNumber, round, prefix,
            new CaseEscalation(registered.CaseNumber, prefix, $"No eligible reviewer accepted the case after {round - roundsUsed} offer round(s). Assign a reviewer by hand.") { AwaitedRound = round + 1 });
    }

    /// <summary>
    /// The one manual-assignment wait: asks the medical director (unless <paramref name="ask"/> is null: a resumed case was
    /// asked before its restart, the round is recorded on the case) and waits — durably, without a deadline — for the
    /// choice for round <paramref name="round"/> + 1; a choice for another round (stale, or from before a reassignment) is
    /// dropped. The reviewer chosen by hand needs no acceptance. A refused choice (the reviewer turned out ineligible; the
    /// reasons are audited) opens a new round with its own escalation (notice id <paramref name="levelPrefix"/>-R{round}).
    /// A choice the route recorded while the orchestration was down is delivered again by the sweep.
    /// </summary>
    internal static async Task<(AssignmentOffer Offer, int LastRound)> ManualAssignmentAsync(TaskOrchestrationContext context, string caseNumber, int round, string levelPrefix, CaseEscalation? ask)
    {
        while (true)
        {
            var awaitedRound = round + 1;
            if (ask is not null)
            {
                await context.CallActivityAsync(nameof(AssignmentActivities.EscalateForManualAssignment), ask, ActivityRetry.Options);
            }

            var changes = ReviewChangeWait.Of(context);
            ManualAssignment manual;
            Task<ManualAssignment>? choice = null;
            while (true)
            {
                choice ??= context.WaitForExternalEvent<ManualAssignment>(AssignmentEvents.ManualAssignment);
                if (changes is not null)
                {
                    var change = changes.Next(context);
                    if (await Task.WhenAny(choice, change) == change)
                    {
                        await changes.ApplyAsync(context, caseNumber); // the choice waiter stays: it is the newest one
                        continue;
                    }
                }

                manual = await choice;
                choice = null;
                if (manual.Round == awaitedRound) break;
            }

            round = awaitedRound;
            var assigned = await context.CallActivityAsync<AssignmentOffer?>(nameof(AssignmentActivities.AssignManually), new ManualAssignmentRequest(caseNumber, round, manual.ReviewerId, manual.AssignedBy), ActivityRetry.Options);
            if (assigned is not null)
            {
                await context.CallActivityAsync(nameof(AssignmentActivities.RecordAcceptance), assigned, ActivityRetry.Options);
                return (assigned, round);
            }

            // Each new round after a refused choice is its own notice (the first one's id would be deduplicated away).
            ask = new CaseEscalation(caseNumber, $"{levelPrefix}-R{round + 1}",
                $"The reviewer chosen by hand ({manual.ReviewerId}) cannot review this case (the reasons are in the audit trail). Assign another reviewer.")
            { AwaitedRound = round + 1 };
        }
    }
}
