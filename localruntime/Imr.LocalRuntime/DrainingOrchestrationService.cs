using System.Collections.Concurrent;
using System.Diagnostics;
using DurableTask.Core;
using DurableTask.Core.History;

namespace Imr.LocalRuntime;

/// <summary>
/// The orchestration service as the sidecar's dispatchers see it, with a drain for a clean stop. The SDK's gRPC worker
/// stops with one cancellation: it stops taking work items and cancels the completion of those it is running, so a step
/// in flight at a stop was abandoned half done (redone after a restart, but logged as errors by the worker and the
/// sidecar). Draining first stops handing out work items and waits for the ones already handed out to be completed or
/// abandoned by the worker; only then does the runtime stop the worker. It also drops start messages delivered again
/// to an orchestration that has started (see <see cref="DropDuplicateStarts"/>).
/// </summary>
/// <param name="limits">
/// The dispatchers' concurrency limits when the service's own are not to be used: the in-memory service takes
/// <c>Environment.ProcessorCount</c> for both, too few for a burst of cases on a small machine (and raising the process's
/// processor count instead also sizes the thread pool for that many cores).
/// </param>
public sealed class DrainingOrchestrationService(IOrchestrationService inner, ILogger? logger = null, (int Orchestrations, int Activities)? limits = null) : IOrchestrationService, IDisposable
{
    private readonly CancellationTokenSource _draining = new();
    private readonly ConcurrentDictionary<object, byte> _inFlight = new(ReferenceEqualityComparer.Instance);
    private int _fetching;

    /// <summary>Work items handed to the worker and not yet completed, abandoned or released.</summary>
    public int WorkItems => _inFlight.Count;

    /// <summary>The work items, plus fetches under way (one may still hand out an item).</summary>
    private int InFlight => _inFlight.Count + Volatile.Read(ref _fetching);

    /// <summary>Hands out no more work items and waits (at most <paramref name="timeout"/>) for those in flight. True when none is left.</summary>
    public async Task<bool> DrainAsync(TimeSpan timeout)
    {
        await _draining.CancelAsync();
        var waited = Stopwatch.StartNew();
        while (InFlight > 0 && waited.Elapsed < timeout)
        {
            await Task.Delay(50);
        }

        return InFlight == 0;
    }

    public async Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken)
    {
        var item = await LockAsync(ct => inner.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, ct), cancellationToken);
        if (item is not null && DropDuplicateStarts(item) is > 0 and var dropped)
        {
            logger?.LogWarning("Orchestration {InstanceId}: dropped {Count} start message(s) delivered again after it had started", item.InstanceId, dropped);
        }

        return item!;
    }

    /// <summary>
    /// Removes start messages from a work item whose orchestration has already started; returns how many. A process
    /// killed after an episode's history was written but before its messages were deleted gets the start message again
    /// (the Azure Storage queue redelivers it). The Durable Task core dispatcher that the Functions host runs drops such a
    /// duplicate; the sidecar's dispatcher does not (it throws "Multiple ExecutionStartedEvent found" on every attempt),
    /// which left a case stalled for good in a chaos run. The messages stay in the session's batch, so completing the
    /// work item still deletes them from the queue.
    /// </summary>
    public static int DropDuplicateStarts(TaskOrchestrationWorkItem item)
    {
        if (item.OrchestrationRuntimeState?.ExecutionStartedEvent is null || item.NewMessages is null)
        {
            return 0;
        }

        var duplicates = item.NewMessages.Where(m => m.Event is ExecutionStartedEvent).ToList();
        if (duplicates.Count == 0)
        {
            return 0;
        }

        item.NewMessages = item.NewMessages.Except(duplicates).ToList();
        return duplicates.Count;
    }

    public Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        LockAsync(ct => inner.LockNextTaskActivityWorkItem(receiveTimeout, ct), cancellationToken);

    /// <summary>A fetch that a drain cancels; while draining, none starts (the dispatcher waits here until it stops).</summary>
    private async Task<T> LockAsync<T>(Func<CancellationToken, Task<T>> fetch, CancellationToken cancellationToken)
        where T : class
    {
        Interlocked.Increment(ref _fetching);
        try
        {
            if (!_draining.IsCancellationRequested)
            {
                using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _draining.Token);
                try
                {
                    var item = await fetch(either.Token);
                    if (item is not null)
                    {
                        _inFlight.TryAdd(item, 0); // counted before the fetch ends, so a drain never misses it
                        return item;
                    }
                }
                catch (OperationCanceledException) when (_draining.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    // The drain cancelled the fetch: nothing was handed out.
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _fetching);
        }

        if (!_draining.IsCancellationRequested) return null!; // nothing yet: the dispatcher asks again

        // Draining: no more work until the dispatcher itself stops (it then catches this cancellation).
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return null!;
    }

    public async Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage)
    {
        try
        {
            await inner.CompleteTaskActivityWorkItemAsync(workItem, responseMessage);
        }
        finally
        {
            _inFlight.TryRemove(workItem, out _);
        }
    }

    public async Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem)
    {
        try
        {
            await inner.AbandonTaskActivityWorkItemAsync(workItem);
        }
        finally
        {
            _inFlight.TryRemove(workItem, out _);
        }
    }

    /// <summary>The dispatcher releases every orchestration work item it fetched, completed or abandoned, last.</summary>
    public async Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem)
    {
        try
        {
            await inner.ReleaseTaskOrchestrationWorkItemAsync(workItem);
        }
        finally
        {
            _inFlight.TryRemove(workItem, out _);
        }
    }

    public Task CompleteTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem, OrchestrationRuntimeState newOrchestrationRuntimeState, IList<TaskMessage> outboundMessages, IList<TaskMessage> orchestratorMessages, IList<TaskMessage> timerMessages, TaskMessage continuedAsNewMessage, OrchestrationState orchestrationState) =>
        inner.CompleteTaskOrchestrationWorkItemAsync(workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages, continuedAsNewMessage, orchestrationState);

    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.AbandonTaskOrchestrationWorkItemAsync(workItem);

    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => inner.RenewTaskOrchestrationWorkItemLockAsync(workItem);

    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => inner.RenewTaskActivityWorkItemLockAsync(workItem);

    public int TaskOrchestrationDispatcherCount => inner.TaskOrchestrationDispatcherCount;

    public int MaxConcurrentTaskOrchestrationWorkItems => limits?.Orchestrations ?? inner.MaxConcurrentTaskOrchestrationWorkItems;

    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => inner.EventBehaviourForContinueAsNew;

    public int TaskActivityDispatcherCount => inner.TaskActivityDispatcherCount;

    public int MaxConcurrentTaskActivityWorkItems => limits?.Activities ?? inner.MaxConcurrentTaskActivityWorkItems;

    public Task StartAsync() => inner.StartAsync();

    public Task StopAsync() => inner.StopAsync();

    public Task StopAsync(bool isForced) => inner.StopAsync(isForced);

    public Task CreateAsync() => inner.CreateAsync();

    public Task CreateAsync(bool recreateInstanceStore) => inner.CreateAsync(recreateInstanceStore);

    public Task CreateIfNotExistsAsync() => inner.CreateIfNotExistsAsync();

    public Task DeleteAsync() => inner.DeleteAsync();

    public Task DeleteAsync(bool deleteInstanceStore) => inner.DeleteAsync(deleteInstanceStore);

    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) => inner.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);

    public int GetDelayInSecondsAfterOnProcessException(Exception exception) => inner.GetDelayInSecondsAfterOnProcessException(exception);

    public int GetDelayInSecondsAfterOnFetchException(Exception exception) => inner.GetDelayInSecondsAfterOnFetchException(exception);

    public void Dispose() => _draining.Dispose();
}
