using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using Imr.Domain.Cases;
using Imr.Functions.Storage;

namespace Imr.Functions.Telemetry;

/// <summary>
/// The app's own traces and metrics, recorded in one place: where the case row changes state (CaseStore), which every
/// stage passes through: intake (Received), the orchestration's activities (offers, review, overdue), reviewer callbacks
/// (acceptance, submission) and letter issuance (Closed).
/// One trace per case: its trace id is derived from the case number (a one-way hash), so every process and every step
/// — intake, activities, HTTP callbacks, a restarted run — puts its spans in the same trace without storing or passing
/// anything but ids. Spans and metrics carry statuses, step names and durations only: never the case number, names,
/// dates of birth or injury, or clinical text (a test scans every exported item of the sample case).
/// </summary>
public static class CaseTelemetry
{
    /// <summary>Name of the ActivitySource and Meter (subscribe to it in exporters).</summary>
    public const string SourceName = "Imr.Cases";

    private static readonly ActivitySource Source = new(SourceName);
    private static readonly Meter Meter = new(SourceName);
    private static readonly UpDownCounter<long> CasesByState = Meter.CreateUpDownCounter<long>("imr.cases.by_state", "{case}", "Cases in each state (+1 entering, -1 leaving); summed over instances.");
    private static readonly Counter<long> BecameOverdue = Meter.CreateCounter<long>("imr.cases.overdue", "{case}", "Cases that passed a reviewer or case due date.");
    private static readonly Histogram<double> TimeToOffer = Meter.CreateHistogram<double>("imr.case.time_to_offer", "h", "From receipt to the first offer to a reviewer.");
    private static readonly Histogram<double> TimeToDetermination = Meter.CreateHistogram<double>("imr.case.time_to_determination", "d", "From receipt to the issued Final Determination Letter.");

    /// <summary>The case's trace id: the first 16 bytes of SHA-256 of the case number (stable, not reversible to a short list without the number).</summary>
    public static ActivityTraceId TraceIdOf(string caseNumber)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("imr-case-trace:" + caseNumber), hash);
        return ActivityTraceId.CreateFromBytes(hash[..16]);
    }

    /// <summary>The case trace's root context: spans of the case's steps are its children.</summary>
    public static ActivityContext CaseContext(string caseNumber)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("imr-case-root:" + caseNumber), hash);
        return new ActivityContext(TraceIdOf(caseNumber), ActivitySpanId.CreateFromBytes(hash[..8]), ActivityTraceFlags.Recorded, isRemote: true);
    }

    /// <summary>A span of one step of a case in the case's trace (linked to the surrounding span, e.g. the function invocation).</summary>
    public static Activity? StartStep(string step, string caseNumber)
    {
        var links = Activity.Current is { } current ? new[] { new ActivityLink(current.Context) } : null;
        return Source.StartActivity("case " + step, ActivityKind.Internal, CaseContext(caseNumber), links: links);
    }

    /// <summary>The case row was written with a new status (or created): a span in the case's trace, and the state metrics.</summary>
    public static void StatusChanged(string caseNumber, string? from, CaseEntity now, DateTimeOffset at)
    {
        if (from == now.Status) return;
        using (var span = StartStep(now.Status, caseNumber))
        {
            span?.SetTag("imr.case.status", now.Status);
            span?.SetTag("imr.case.previous_status", from ?? "");
            span?.SetTag("imr.case.workflow_version", now.WorkflowVersion ?? "");
        }

        if (from is not null) CasesByState.Add(-1, new KeyValuePair<string, object?>("state", from));
        CasesByState.Add(1, new KeyValuePair<string, object?>("state", now.Status));
        if (now.Status == nameof(CaseStatus.Overdue)) BecameOverdue.Add(1);
        var received = now.ReceivedAt != default ? now.ReceivedAt : (DateTimeOffset?)null;
        if (received is { } r && from == nameof(CaseStatus.Received) && now.Status == nameof(CaseStatus.AwaitingAcceptance))
        {
            TimeToOffer.Record(Math.Max(0, (at - r).TotalHours), new KeyValuePair<string, object?>("expedited", now.Expedited));
        }

        if (received is { } d && now.Status == nameof(CaseStatus.Closed) && now.LetterBlobName is not null)
        {
            TimeToDetermination.Record(Math.Max(0, ((now.ClosedAt ?? at) - d).TotalDays), new KeyValuePair<string, object?>("expedited", now.Expedited));
        }
    }
}
