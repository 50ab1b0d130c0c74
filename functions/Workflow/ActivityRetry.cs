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
