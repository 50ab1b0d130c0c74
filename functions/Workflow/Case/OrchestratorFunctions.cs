using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Imr.Functions.Workflow;

/// <summary>Hand-written wrappers of the class-based orchestrators (the source generator is not available).</summary>
public static class OrchestratorFunctions
{
    [Function(nameof(CaseOrchestrator))]
    public static Task<CaseOutcome> RunCaseOrchestrator([OrchestrationTrigger] TaskOrchestrationContext context, CaseWorkflowInput input) =>
        new CaseOrchestrator().RunAsync(context, input);
}
