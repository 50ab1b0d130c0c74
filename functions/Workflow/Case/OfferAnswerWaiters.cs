using System.Runtime.CompilerServices;
using Microsoft.DurableTask;

namespace Imr.Functions.Workflow;

/// <summary>
/// The offer loop's answer waiters, one pair per orchestration run (per context: a replay builds a new context and the
/// same waiters in the same order, so this stays deterministic). Each offer loop of the run — the first one and every
/// reassignment's — shares them: a waiter left pending when a loop returned would otherwise take an answer to the next
/// loop's offer that arrives before that loop waits, and the answer would be lost.
/// </summary>
internal sealed class OfferAnswerWaiters
{
    private static readonly ConditionalWeakTable<TaskOrchestrationContext, OfferAnswerWaiters> PerRun = new();

    public Task<ReviewerAccepted>? Accepted { get; set; }
    public Task<ReviewerDeclined>? Declined { get; set; }

    public static OfferAnswerWaiters Of(TaskOrchestrationContext context) => PerRun.GetValue(context, _ => new OfferAnswerWaiters());
}
