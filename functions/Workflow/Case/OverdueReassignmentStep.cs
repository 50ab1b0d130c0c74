using Microsoft.DurableTask;

namespace Imr.Functions.Workflow;

/// <summary>
/// The medical director reassigns an overdue case from the console's work queue (from workflow version
/// <see cref="CaseWorkflowVersions.OverdueReassignment"/>): the event names the assignment it replaces, so a repeated or
/// stale event (a double click, a second director) finds another current assignment and changes nothing. The reviewer
/// chosen by hand is assigned through the manual-assignment activity (its blocking rules, create-once assignment id, its
/// audit with the person), needs no acceptance, and only then is the late reviewer's assignment withdrawn: a refused
/// choice leaves the case with its reviewer.
/// </summary>
internal static class OverdueReassignmentStep
{
    /// <summary>The one waiter for the event, or null when this instance's version predates the step or a correction is awaited.</summary>
    internal static Task<OverdueReassignment>? Waiter(TaskOrchestrationContext context, int revision) =>
        revision == 0 && CaseWorkflowVersions.AtLeast(context, CaseWorkflowVersions.OverdueReassignment)
            ? context.WaitForExternalEvent<OverdueReassignment>(AssignmentEvents.OverdueReassignment)
            : null;

    /// <summary>
    /// Applies the event when it is for the current assignment of an overdue case: the new assignment (round
    /// <paramref name="roundsUsed"/> + 1, used even when refused, so an id is never reused), or null when nothing changed.
    /// </summary>
    internal static async Task<(AssignmentOffer? Offer, int RoundsUsed)> ApplyAsync(TaskOrchestrationContext context, string caseNumber, AssignmentOffer current, bool overdue, int roundsUsed, OverdueReassignment request)
    {
        if (!overdue || request.FromAssignmentId != current.AssignmentId || request.ReviewerId == current.ReviewerId) return (null, roundsUsed);
        var round = roundsUsed + 1;
        var assigned = await context.CallActivityAsync<AssignmentOffer?>(nameof(AssignmentActivities.AssignManually), new ManualAssignmentRequest(caseNumber, round, request.ReviewerId, request.AssignedBy), ActivityRetry.Options);
        if (assigned is null) return (null, round); // refused (reasons audited): the late reviewer keeps the case
        await context.CallActivityAsync(nameof(AssignmentActivities.EndAssignment), new AssignmentEnded(caseNumber, current.AssignmentId, $"The case was overdue: reassigned by {request.AssignedBy}."), ActivityRetry.Options);
        await context.CallActivityAsync(nameof(AssignmentActivities.RecordAcceptance), assigned, ActivityRetry.Options);
        return (assigned, round);
    }
}
