using Imr.Functions.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Abstractions;

namespace Imr.Functions.Workflow;

/// <summary>
/// Versions of the case orchestration. A case runs to its end on the version it started with (its history replays
/// against that version's branch of the code); new cases start on <see cref="Current"/>. A change that alters the
/// orchestration's sequence of durable calls adds a version here and branches on it with <see cref="AtLeast"/>; the old
/// branch may be deleted once no running case has an older version (docs/operations.md). host.json's
/// <c>extensions.durableTask.defaultVersion</c> must equal <see cref="Current"/> (a test checks it).
/// </summary>
public static class CaseWorkflowVersions
{
    /// <summary>The flow before versioning; instances started without a version replay as this one.</summary>
    public const string First = "1.0";

    /// <summary>Version 2: the case's row records the workflow version the case runs on (after OpenCase).</summary>
    public const string RecordsVersion = "2.0";

    /// <summary>
    /// Version 2.1: while the case is overdue, the determination wait also takes the medical director's reassignment from
    /// the console (<see cref="AssignmentEvents.OverdueReassignment"/>, OverdueReassignmentStep).
    /// </summary>
    public const string OverdueReassignment = "2.1";

    /// <summary>
    /// Version 3: the review listens for review changes (<see cref="ReviewChangeEvents.ReviewChanged"/>): conversion to
    /// expedited (8 CCR 9792.10.4(c)) and authorisation of the treatment (8 CCR 9792.10.6(a)), applied by an activity at
    /// the offer, manual-assignment and determination waits. Cases on older versions never take them (the routes answer 409).
    /// </summary>
    public const string ReviewChanges = "3.0";

    /// <summary>
    /// Version 3.1: coarser steps where a step needs no durable boundary of its own. OpenCase records the version on the
    /// row it creates (no RecordWorkflowVersion step), and the letter's issuance closes the case (no CloseCase step): two
    /// activities fewer per case, each a round trip through the durable queues (about 9 storage requests on Azure Storage).
    /// </summary>
    public const string CoarserSteps = "3.1";

    /// <summary>
    /// Version 3.2: five steps fewer per case, none of which needs a durable boundary of its own. Eligibility screening
    /// opens the case's row (no OpenCase step) and, for an eligible case, requests its records (no RequestRecords step);
    /// the records step registers the case once its records are in and makes the first offer (no RegisterCase step, no
    /// OfferAssignment step for round 1: there is nothing to wait for in between); the registration carries the
    /// program's reminder points, so the determination wait computes a reviewer's reminders itself (no ScheduleReview
    /// step, also for a replacement reviewer). Each step is idempotent, so a retry of the folded step repeats nothing.
    /// </summary>
    public const string FewerSteps = "3.2";

    /// <summary>The version new cases start on.</summary>
    public const string Current = FewerSteps;

    /// <summary>Whether this instance started on <paramref name="version"/> or later (an unversioned instance is older than any).</summary>
    public static bool AtLeast(TaskOrchestrationContext context, string version) =>
        TaskOrchestrationVersioningUtils.CompareVersions(context.Version, version) >= 0;

    /// <summary>From version 2: records on the case row the workflow version this instance runs on.</summary>
    public static async Task RecordAsync(TaskOrchestrationContext context, string caseNumber)
    {
        if (AtLeast(context, RecordsVersion))
        {
            await context.CallActivityAsync(nameof(WorkflowVersionActivities.RecordWorkflowVersion), new WorkflowVersionStamp(caseNumber, context.Version), ActivityRetry.Options);
        }
    }
}

/// <summary>The case and the workflow version its orchestration runs on.</summary>
public sealed record WorkflowVersionStamp(string CaseNumber, string Version);

/// <summary>Activities of the versioning itself.</summary>
public sealed class WorkflowVersionActivities(CaseStore cases)
{
    /// <summary>Idempotent: sets the same value again when retried (ETag-conditional update).</summary>
    [Function(nameof(RecordWorkflowVersion))]
    public async Task RecordWorkflowVersion([ActivityTrigger] WorkflowVersionStamp stamp) =>
        await cases.UpdateAsync(stamp.CaseNumber, c => c.WorkflowVersion = stamp.Version);
}
