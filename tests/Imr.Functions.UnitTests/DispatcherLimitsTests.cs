using Imr.LocalRuntime;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.Extensions.Logging.Abstractions;

namespace Imr.Functions.UnitTests;

/// <summary>
/// The in-memory sidecar takes its dispatchers' limits from the processor count (2 on a small machine, so a burst of cases
/// waits 500 ms whenever two work items run); the local runtime gives it the limits of its options instead, the same as
/// the Azure Storage provider's, so no process has to pretend to have more processors.
/// </summary>
public class DispatcherLimitsTests
{
    [Fact]
    public void Limits_given_to_the_drain_are_what_the_dispatchers_see()
    {
        var inMemory = new InMemoryOrchestrationService(NullLoggerFactory.Instance);
        using var work = new DrainingOrchestrationService(inMemory, limits: (Orchestrations: 70, Activities: 90));

        Assert.Equal(70, work.MaxConcurrentTaskOrchestrationWorkItems);
        Assert.Equal(90, work.MaxConcurrentTaskActivityWorkItems);
    }

    [Fact]
    public void Without_limits_the_service_keeps_its_own()
    {
        var inMemory = new InMemoryOrchestrationService(NullLoggerFactory.Instance);
        using var work = new DrainingOrchestrationService(inMemory);

        Assert.Equal(inMemory.MaxConcurrentTaskOrchestrationWorkItems, work.MaxConcurrentTaskOrchestrationWorkItems);
        Assert.Equal(inMemory.MaxConcurrentTaskActivityWorkItems, work.MaxConcurrentTaskActivityWorkItems);
    }
}
