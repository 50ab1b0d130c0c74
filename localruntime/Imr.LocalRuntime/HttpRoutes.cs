using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Imr.LocalRuntime;

/// <summary>
/// Serves every HTTP-triggered function on its own route under <c>/api</c>, as the Functions host does, and as it does
/// refuses a function of <see cref="AuthorizationLevel.Function"/> (or Admin) without the function key (header
/// <c>x-functions-key</c> or query <c>code</c>): otherwise any web page a developer opens could post a roster import or an
/// assignment to 127.0.0.1.
/// </summary>
public static class HttpRoutes
{
    public const string RoutePrefix = "api";
    public const string KeyHeader = "x-functions-key";

    public static void MapFunctionRoutes(this WebApplication app, FunctionCatalog catalog, string functionKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(functionKey);
        var key = Encoding.UTF8.GetBytes(functionKey);
        foreach (var f in catalog.OfKind(TriggerKind.Http))
        {
            if (ConflictsWithHostRoutes(f.Http.Route ?? f.Name))
            {
                // The Functions host refuses such a function ("The specified route conflicts with one or more built in
                // routes"), so serving it here would hide a function that does not exist in Azure.
                throw new InvalidOperationException($"Function {f.Name}: route '{f.Http.Route ?? f.Name}' starts with 'admin', which the Functions host reserves.");
            }

            var route = $"/{RoutePrefix}/{f.Http.Route ?? f.Name}";
            var methods = (f.Http.Methods ?? ["get", "post"]).Select(m => m.ToUpperInvariant()).ToArray();
            var needsKey = f.Http.AuthLevel is not AuthorizationLevel.Anonymous;
            app.MapMethods(route, methods, (HttpContext context) => needsKey && !HasKey(context.Request, key) ? Refuse(context) : InvokeAsync(f, context)).WithName(f.Name);
        }
    }

    /// <summary>The key as the Functions host takes it: the <c>x-functions-key</c> header, else the <c>code</c> query parameter.</summary>
    public static bool HasKey(HttpRequest request, byte[] key)
    {
        var given = request.Headers[KeyHeader].ToString() is { Length: > 0 } header ? header : request.Query["code"].ToString();
        return given.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), key);
    }

    /// <summary>401 with no body, as the Functions host answers.</summary>
    private static Task Refuse(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Task.CompletedTask;
    }

    /// <summary>The Functions host reserves routes (and function names) that begin with <c>admin</c>.</summary>
    public static bool ConflictsWithHostRoutes(string route) =>
        route.TrimStart('/').StartsWith("admin", StringComparison.OrdinalIgnoreCase);

    private static async Task InvokeAsync(FunctionEntry function, HttpContext context)
    {
        var result = await FunctionInvoker.InvokeAsync(function, context.RequestServices, p =>
        {
            if (p.ParameterType == typeof(HttpRequest)) return (true, context.Request);
            if (p.ParameterType == typeof(HttpContext)) return (true, context);
            if (p.ParameterType == typeof(CancellationToken)) return (true, context.RequestAborted);
            if (p.ParameterType == typeof(DurableTaskClient)) return (true, context.RequestServices.GetRequiredService<DurableTaskClient>());
            if (p.ParameterType == typeof(string) && context.Request.RouteValues.TryGetValue(p.Name!, out var v)) return (true, v?.ToString());
            return (false, null);
        });

        switch (result)
        {
            case IActionResult action:
                await action.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
                break;
            case IResult minimal:
                await minimal.ExecuteAsync(context);
                break;
            case null:
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                break;
            default:
                await context.Response.WriteAsJsonAsync(result);
                break;
        }
    }
}
