using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Imr.LocalRuntime;

public enum TriggerKind
{
    Http,
    Blob,
    Timer,
    Orchestration,
    Activity,
}

/// <summary>One <c>[Function]</c> method of the Functions app, with its trigger attribute.</summary>
public sealed record FunctionEntry(string Name, MethodInfo Method, TriggerKind Kind, Attribute Trigger, ParameterInfo TriggerParameter)
{
    public HttpTriggerAttribute Http => (HttpTriggerAttribute)Trigger;
    public BlobTriggerAttribute Blob => (BlobTriggerAttribute)Trigger;
    public TimerTriggerAttribute Timer => (TimerTriggerAttribute)Trigger;
}

/// <summary>
/// Reads the Functions app's own <c>[Function]</c> methods by reflection, the way the Functions host reads function
/// metadata, so the local runtime invokes the very same methods (never copies) and a new function needs no wiring here.
/// </summary>
public sealed class FunctionCatalog
{
    public FunctionCatalog(Assembly functionsAssembly)
    {
        var entries = new List<FunctionEntry>();
        foreach (var type in functionsAssembly.GetTypes())
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                if (method.GetCustomAttribute<FunctionAttribute>() is not { } function)
                {
                    continue;
                }

                entries.Add(Describe(function.Name, method));
            }
        }

        Functions = entries.OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
    }

    public IReadOnlyList<FunctionEntry> Functions { get; }

    public IEnumerable<FunctionEntry> OfKind(TriggerKind kind) => Functions.Where(f => f.Kind == kind);

    private static FunctionEntry Describe(string name, MethodInfo method)
    {
        foreach (var p in method.GetParameters())
        {
            foreach (var a in p.GetCustomAttributes())
            {
                TriggerKind? kind = a switch
                {
                    HttpTriggerAttribute => TriggerKind.Http,
                    BlobTriggerAttribute => TriggerKind.Blob,
                    TimerTriggerAttribute => TriggerKind.Timer,
                    OrchestrationTriggerAttribute => TriggerKind.Orchestration,
                    ActivityTriggerAttribute => TriggerKind.Activity,
                    _ => null,
                };
                if (kind is { } k)
                {
                    return new FunctionEntry(name, method, k, a, p);
                }
            }
        }

        throw new NotSupportedException($"Function '{name}' has a trigger the local runtime does not support.");
    }
}

/// <summary>Calls a function method: creates its class through DI (as the worker does) and binds arguments by type, then by name.</summary>
public static class FunctionInvoker
{
    // Held, not looked up per call: the runtime drops a type's reflection cache when nothing references it, and each
    // fresh PropertyInfo emitted its invoke stub again (hundreds a minute under load, freed by the finalizer thread).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, PropertyInfo?> ResultProperties = new();

    private static PropertyInfo? ResultPropertyOf(Type taskType)
    {
        var property = taskType.GetProperty(nameof(Task<object>.Result));
        return taskType.IsGenericType && property is not null && property.PropertyType.Name != "VoidTaskResult" ? property : null;
    }

    public static async Task<object?> InvokeAsync(FunctionEntry function, IServiceProvider services, Func<ParameterInfo, (bool Bound, object? Value)> bind)
    {
        var method = function.Method;
        var target = method.IsStatic ? null : Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance(services, method.DeclaringType!);
        var args = method.GetParameters().Select(p =>
        {
            var (bound, value) = bind(p);
            if (bound) return value;
            if (p.ParameterType == typeof(CancellationToken)) return CancellationToken.None;
            var service = services.GetService(p.ParameterType);
            return service ?? throw new NotSupportedException($"Function '{function.Name}': the local runtime cannot bind parameter '{p.Name}' ({p.ParameterType.Name}).");
        }).ToArray();

        object? result;
        try
        {
            result = method.Invoke(target, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }

        if (result is Task task)
        {
            await task.ConfigureAwait(false);
            var resultProperty = ResultProperties.GetOrAdd(task.GetType(), ResultPropertyOf);
            return resultProperty?.GetValue(task);
        }

        return result;
    }
}
