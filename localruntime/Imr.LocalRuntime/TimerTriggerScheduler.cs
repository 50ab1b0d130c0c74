using Microsoft.Azure.Functions.Worker;
using NCrontab;

namespace Imr.LocalRuntime;

/// <summary>Runs each timer-triggered function on its CRON schedule (six fields, with seconds; <c>%Setting%</c> resolved from configuration).</summary>
public sealed class TimerTriggerScheduler(FunctionCatalog catalog, IServiceProvider services, IConfiguration configuration, TimeProvider time, ILogger<TimerTriggerScheduler> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(catalog.OfKind(TriggerKind.Timer).Select(f => RunScheduleAsync(f, stoppingToken)));

    public static CrontabSchedule ParseSchedule(string expression, IConfiguration configuration)
    {
        var resolved = expression.StartsWith('%') && expression.EndsWith('%')
            ? configuration[expression.Trim('%')] ?? throw new InvalidOperationException($"Timer schedule setting '{expression.Trim('%')}' is not set.")
            : expression;
        return CrontabSchedule.Parse(resolved, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
    }

    private async Task RunScheduleAsync(FunctionEntry f, CancellationToken ct)
    {
        var schedule = ParseSchedule(f.Timer.Schedule, configuration);
        while (!ct.IsCancellationRequested)
        {
            var now = time.GetUtcNow().UtcDateTime;
            var next = schedule.GetNextOccurrence(now);
            try
            {
                await Task.Delay(next - now, time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await FunctionInvoker.InvokeAsync(f, services, p =>
                    p.ParameterType == typeof(TimerInfo) ? (true, new TimerInfo()) :
                    p.ParameterType == typeof(Microsoft.DurableTask.Client.DurableTaskClient) ? (true, services.GetRequiredService<Microsoft.DurableTask.Client.DurableTaskClient>()) :
                    p.ParameterType == typeof(CancellationToken) ? (true, ct) : (false, null));
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                logger.LogError(ex, "Timer function {Function} failed", f.Name);
            }
        }
    }
}
