using System.Runtime.CompilerServices;
using Microsoft.DurableTask;

namespace Imr.Functions.Workflow;

/// <summary>
/// The review-change waiter of one orchestration run (from <see cref="CaseWorkflowVersions.ReviewChanges"/>; null for an
/// older run, whose history must replay unchanged). One waiter per run, kept across the offer, manual-assignment and
/// determination waits (the SDK hands an event to the newest waiter, so an abandoned one must not be left behind); a
/// change that arrives while the run is elsewhere (intake, issuing) stays buffered until the next wait takes it.
/// </summary>
internal sealed class ReviewChangeWait
{
    private static readonly ConditionalWeakTable<TaskOrchestrationContext, ReviewChangeWait> PerRun = new();
    private Task<ReviewChange>? pending;

    /// <summary>The deadlines after the last conversion in this run (the determination wait starts from them).</summary>
    public ReviewChangeApplied? Converted { get; private set; }

    public static ReviewChangeWait? Of(TaskOrchestrationContext context) =>
        CaseWorkflowVersions.AtLeast(context, CaseWorkflowVersions.ReviewChanges) ? PerRun.GetValue(context, _ => new ReviewChangeWait()) : null;

    /// <summary>The pending change (one waiter, created once and kept until it completes).</summary>
    public Task<ReviewChange> Next(TaskOrchestrationContext context) =>
        pending ??= context.WaitForExternalEvent<ReviewChange>(ReviewChangeEvents.ReviewChanged);

    /// <summary>
    /// Applies the change that completed <see cref="Next"/> (an idempotent activity). The review ended (treatment
    /// authorised): throws <see cref="ReviewEndedException"/>, which ends the run. Otherwise returns the new deadlines.
    /// </summary>
    public async Task<ReviewChangeApplied> ApplyAsync(TaskOrchestrationContext context, string caseNumber)
    {
        var change = await pending!;
        pending = null;
        var applied = await context.CallActivityAsync<ReviewChangeApplied>(nameof(ReviewChangeActivities.ApplyReviewChange), new ReviewChangeStep(caseNumber, change), ActivityRetry.Options);
        if (applied.Ended) throw new ReviewEndedException($"The review of case {caseNumber} ended: the treatment was authorised.");
        Converted = applied;
        return applied;
    }

    /// <summary>The registration as the waits see it after a conversion in this run.</summary>
    public CaseRegistered Current(CaseRegistered registered) =>
        Converted is { } c ? registered with { CaseDueAt = c.CaseDueAt, ReviewerDueAt = c.ReviewerDueAt } : registered;
}

/// <summary>The review ended without a determination (the treatment was authorised): the case orchestration ends.</summary>
public sealed class ReviewEndedException : Exception
{
    public ReviewEndedException() { }

    public ReviewEndedException(string message) : base(message) { }

    public ReviewEndedException(string message, Exception inner) : base(message, inner) { }
}
