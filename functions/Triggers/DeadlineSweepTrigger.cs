using Imr.Functions.Services;
using Microsoft.Azure.Functions.Worker;

namespace Imr.Functions.Triggers;

/// <summary>The scheduled deadline sweep; its schedule is the setting <c>DeadlineSweepSchedule</c> (CRON with seconds).</summary>
public sealed class DeadlineSweepTrigger(DeadlineSweeper sweeper)
{
    [Function(nameof(DeadlineSweep))]
    public Task DeadlineSweep([TimerTrigger("%DeadlineSweepSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        sweeper.SweepAsync(cancellationToken);
}
