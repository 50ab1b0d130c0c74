using DurableTask.Core;
using DurableTask.Core.History;
using Imr.LocalRuntime;

namespace Imr.Functions.UnitTests;

/// <summary>
/// The local runtime drops a start message delivered again to an orchestration that has started, as the Durable Task core
/// dispatcher in the Functions host does; the sidecar's dispatcher would fail on it for good and stall the case.
/// </summary>
public class DuplicateStartTests
{
    private static readonly OrchestrationInstance Instance = new() { InstanceId = "case-CM13-0012345", ExecutionId = "e1" };

    private static TaskMessage Start() => new() { OrchestrationInstance = Instance, Event = new ExecutionStartedEvent(-1, "{}") { OrchestrationInstance = Instance, Name = "CaseOrchestrator" } };

    private static TaskMessage Completed() => new() { OrchestrationInstance = Instance, Event = new TaskCompletedEvent(-1, 0, "null") };

    [Fact]
    public void A_start_message_for_an_orchestration_with_history_is_dropped_and_the_other_messages_kept()
    {
        var history = new OrchestrationRuntimeState([new OrchestratorStartedEvent(-1), Start().Event, new TaskScheduledEvent(0, "OpenCase")]);
        var completed = Completed();
        var item = new TaskOrchestrationWorkItem { InstanceId = Instance.InstanceId, OrchestrationRuntimeState = history, NewMessages = [Start(), completed] };

        Assert.Equal(1, DrainingOrchestrationService.DropDuplicateStarts(item));

        Assert.Same(completed, Assert.Single(item.NewMessages));
    }

    [Fact]
    public void The_first_start_of_an_orchestration_is_kept()
    {
        var start = Start();
        var item = new TaskOrchestrationWorkItem { InstanceId = Instance.InstanceId, OrchestrationRuntimeState = new OrchestrationRuntimeState(), NewMessages = [start] };

        Assert.Equal(0, DrainingOrchestrationService.DropDuplicateStarts(item));

        Assert.Same(start, Assert.Single(item.NewMessages));
    }
}
