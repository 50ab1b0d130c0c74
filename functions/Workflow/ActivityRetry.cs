using System.Text.RegularExpressions;
using Microsoft.DurableTask;

namespace Imr.Functions.Workflow;

/// <summary>
/// The one retry policy of every activity call: bounded exponential backoff (1 s, 2 s, 4 s … capped at 1 min, 8
/// attempts, about 2 minutes in all: longer than a storage outage the SDK's own retries give up on), for transient
/// failures only. A failure is transient when its cause (the activity's exception, or any exception inside it) is one of:
/// a storage or HTTP status 408, 429 or 5xx, or no status at all (nothing answered); a timeout or cancellation; a refused,
/// reset or failed connection (HttpRequestException, SocketException, IOException); the Azure SDK giving up after its
/// own retries. Everything else (invalid data, ArgumentException, a 4xx answer, a missing record, a bug) is permanent:
/// retrying cannot cure it, so it is not retried and the case orchestration records the case as needing attention.
/// Durable timers carry the waits, so a worker restarted meanwhile keeps the schedule.
/// </summary>
public static partial class ActivityRetry
{
    public const int MaxAttempts = 8;

    public static readonly RetryPolicy Policy = new(MaxAttempts, TimeSpan.FromSeconds(1), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromMinutes(1))
    {
        HandleFailure = IsTransient,
    };

    /// <summary>Pass to every <c>CallActivityAsync</c> of the workflow.</summary>
    public static readonly TaskOptions Options = TaskOptions.FromRetryPolicy(Policy);

    private static readonly HashSet<string> TransientTypes = new(StringComparer.Ordinal)
    {
        "System.TimeoutException",
        "System.Threading.Tasks.TaskCanceledException",
        "System.OperationCanceledException",
        "System.Net.Sockets.SocketException",
        "System.IO.IOException",
        "System.Net.Http.HttpIOException",
        "System.Net.Http.HttpRequestException",
        "Azure.RequestFailedException",
        "Imr.Functions.Workflow.TransientFailureException",
    };

    /// <summary>True when the failure (or an inner one) is worth another attempt.</summary>
    public static bool IsTransient(TaskFailureDetails? failure)
    {
        for (var f = failure; f is not null; f = f.InnerFailure)
        {
            if (IsTransient(f.ErrorType, f.ErrorMessage)) return true;
        }

        return false;
    }

    /// <summary>The same rule for an exception (activities and the sweep use it).</summary>
    public static bool IsTransient(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsTransient)) return true;
            if (IsTransient(e.GetType().FullName, e.Message)) return true;
        }

        return false;
    }

    private static bool IsTransient(string? errorType, string? message)
    {
        // The Azure SDK's own retries gave up (its AggregateException names every try): the service was unreachable.
        if (errorType == "System.AggregateException" && message?.StartsWith("Retry failed after", StringComparison.Ordinal) == true) return true;
        if (errorType is null || !TransientTypes.Contains(errorType)) return false;
        // A status in the message (Azure: "Status: 503 (Service Unavailable)"; the e-mail sender: "failed: 429 …"):
        // only 408, 429 and 5xx are worth retrying. No status: nothing answered (connection refused, reset, timed out).
        var status = StatusPattern().Match(message ?? "");
        if (!status.Success) return true;
        var code = int.Parse(status.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        return code is 0 or 408 or 429 or >= 500;
    }

    [GeneratedRegex(@"(?:Status: |failed: |StatusCode: )(\d{1,3})\b")]
    private static partial Regex StatusPattern();
}

/// <summary>Thrown by an activity for a failure it knows to be passing (retried under <see cref="ActivityRetry.Policy"/>).</summary>
public sealed class TransientFailureException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Thrown by a step for a failure in a step folded into it (workflow 3.2, e.g. the first offer inside the records step),
/// so the case's attention reason names the step that failed. The failure itself is the inner one: the retry policy
/// judges it (<see cref="ActivityRetry.IsTransient(TaskFailureDetails?)"/> looks at inner failures too).
/// </summary>
public sealed class FoldedStepFailedException(string step, Exception inner) : Exception(step, inner)
{
    /// <summary>The step that failed and the failure's type: the folded step and its own failure, or the scheduled one.</summary>
    public static (string Step, string? ErrorType) Of(TaskFailedException failed) =>
        failed.FailureDetails is { ErrorType: var type, ErrorMessage: var step, InnerFailure: { } inner } && type == typeof(FoldedStepFailedException).FullName
            ? (step, inner.ErrorType)
            : (failed.TaskName, failed.FailureDetails?.ErrorType);

    /// <summary>Runs a folded step; its failure is rethrown naming it (a failure of a step folded further in keeps that name).</summary>
    public static Task RunAsync(string step, Func<Task> run) => RunAsync(step, async () =>
    {
        await run();
        return true;
    });

    /// <inheritdoc cref="RunAsync(string, Func{Task})"/>
    public static async Task<T> RunAsync<T>(string step, Func<Task<T>> run)
    {
        try
        {
            return await run();
        }
        catch (Exception ex) when (ex is not FoldedStepFailedException)
        {
            throw new FoldedStepFailedException(step, ex);
        }
    }
}
