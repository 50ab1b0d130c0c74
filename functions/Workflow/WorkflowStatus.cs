using Microsoft.DurableTask.Client;

namespace Imr.Functions.Workflow;

/// <summary>Whether a case's workflow can be sent an event: the one reading of the durable instance's status.</summary>
public static class WorkflowStatus
{
    /// <summary>
    /// Running, or Pending. Pending counts because the Azure Storage provider can leave an instance Pending for good while
    /// it runs: it sets Running only when it writes the episode that holds the start, and a process killed between that
    /// episode's history and its instance row leaves the row Pending (found by the chaos harness: reviewers' answers were
    /// refused with 503 and the case stalled). Every caller acts on something the workflow itself produced (an offer, a
    /// deferral, a work queue entry), so the workflow has started; an answer raised into a window where it has not is
    /// recorded first and raised again by the sweep.
    /// </summary>
    public static bool TakesEvents(OrchestrationMetadata? instance) =>
        instance is { RuntimeStatus: OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending };
}
