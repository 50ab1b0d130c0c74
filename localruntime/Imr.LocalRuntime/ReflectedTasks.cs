using System.Reflection;
using Microsoft.DurableTask;

namespace Imr.LocalRuntime;

/// <summary>Registers the Functions app's orchestrator and activity functions with the Durable Task worker under their function names.</summary>
public static class DurableFunctionRegistration
{
    public static void AddFunctions(this DurableTaskRegistry registry, FunctionCatalog catalog)
    {
        foreach (var f in catalog.OfKind(TriggerKind.Orchestration))
        {
            registry.AddOrchestrator(f.Name, () => new FunctionOrchestrator(f));
        }

        foreach (var f in catalog.OfKind(TriggerKind.Activity))
        {
            registry.AddActivity(f.Name, sp => new FunctionActivity(f, sp));
        }
    }

    private static Type TaskResultType(MethodInfo m) =>
        m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(Task<>) ? m.ReturnType.GetGenericArguments()[0] : typeof(object);

    /// <summary>An orchestrator function: <c>([OrchestrationTrigger] TaskOrchestrationContext, TInput input)</c>.</summary>
    private sealed class FunctionOrchestrator(FunctionEntry function) : ITaskOrchestrator
    {
        private readonly ParameterInfo? _input = function.Method.GetParameters().FirstOrDefault(p => p.ParameterType != typeof(TaskOrchestrationContext));

        public Type InputType => _input?.ParameterType ?? typeof(object);

        public Type OutputType => TaskResultType(function.Method);

        public async Task<object?> RunAsync(TaskOrchestrationContext context, object? input)
        {
            // Orchestrator functions are static wrappers; they take no services, so no DI scope is needed.
            var args = function.Method.GetParameters().Select(p => p.ParameterType == typeof(TaskOrchestrationContext) ? context : input).ToArray();
            var task = (Task)function.Method.Invoke(null, args)!;
            await task;
            return OutputType == typeof(object) ? null : task.GetType().GetProperty("Result")!.GetValue(task);
        }
    }

    /// <summary>An activity function: the <c>[ActivityTrigger]</c> parameter receives the input; its class comes from DI.</summary>
    private sealed class FunctionActivity(FunctionEntry function, IServiceProvider services) : ITaskActivity
    {
        public Type InputType => function.TriggerParameter.ParameterType;

        public Type OutputType => TaskResultType(function.Method);

        public Task<object?> RunAsync(TaskActivityContext context, object? input) =>
            FunctionInvoker.InvokeAsync(function, services, p => p.Position == function.TriggerParameter.Position ? (true, input) : (false, null));
    }
}
