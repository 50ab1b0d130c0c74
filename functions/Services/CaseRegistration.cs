using Imr.Domain.Cases;
using Imr.Functions.Storage;
using Imr.Functions.Workflow;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Services;

/// <summary>
/// The case's row from its first step to its review clock. The one home of opening and registering, run by the
/// OpenCase and RegisterCase activities (workflow versions before 3.2) and, from 3.2, by the intake steps that fold
/// them in (eligibility screening opens the case; the records step registers it once the records are in).
/// </summary>
public sealed class CaseRegistration(CaseStore cases, CaseRecordStore records, DeadlineIndex deadlineIndex, IOptions<ImrOptions> options, TimeProvider time, ILogger<CaseRegistration> logger)
{
    /// <summary>
    /// The case's row from the orchestration's first step: Received, without a review clock. Create-only. With a
    /// <paramref name="workflowVersion"/> the row records it (a row that exists already, after a restart during intake,
    /// gets it if it lacks it); versions before 3.1 send none and record it in a step of their own.
    /// </summary>
    /// <returns>The row as written or found, with its ETag: a step that goes on with the case writes it without reading it again.</returns>
    public async Task<CaseEntity> OpenAsync(string caseNumber, string manifestBlobName, string? workflowVersion, CancellationToken ct = default)
    {
        var row = await cases.AddOnceAsync(new CaseEntity { PartitionKey = caseNumber, Status = nameof(CaseStatus.Received), ManifestBlobName = manifestBlobName, WorkflowVersion = workflowVersion }, ct);
        if (workflowVersion is { } version && row.WorkflowVersion != version)
        {
            row = await cases.UpdateAsync(caseNumber, c => c.WorkflowVersion = version, ct);
        }

        return row;
    }

    /// <summary>
    /// Starts the review clock once: the case's deadlines by its program's policy, from now. Create-only: a retried step
    /// or a run resumed by the sweep gets the stored dates, and only a new case arms the recurring reconcile check.
    /// </summary>
    public async Task<CaseRegistered> RegisterAsync(string caseNumber, string manifestBlobName, CancellationToken ct = default) =>
        (await RegisterAsync(caseNumber, manifestBlobName, opened: null, ct)).Registered;

    /// <summary>As <see cref="RegisterAsync(string, string, CancellationToken)"/>, for a step that has the case's row in hand.</summary>
    /// <param name="opened">The row as the step opened it: saves reading it; the write, conditional on its ETag, reads it
    /// again only if it changed meanwhile.</param>
    /// <returns>The registration, and the row as now stored (with its ETag) for the step's next write.</returns>
    public async Task<(CaseRegistered Registered, CaseEntity Row)> RegisterAsync(string caseNumber, string manifestBlobName, CaseEntity? opened, CancellationToken ct = default)
    {
        // The row (from the first step) names the record's version; the record has the package and the manifest's hash.
        var row = opened ?? await cases.GetAsync(caseNumber, ct);
        var record = row is null ? await records.ReadLatestAsync(caseNumber, manifestBlobName, ct) : await records.ReadAsync(row, ct);
        var package = record.Package;
        // The case's own program selects its policy: one app serves cases of several programs.
        var policy = options.Value.PolicyFor(package.Program.ToString());
        var deadlines = policy.For(time.GetUtcNow(), package);
        var entity = new CaseEntity
        {
            PartitionKey = caseNumber,
            Status = nameof(CaseStatus.Received),
            Expedited = package.Expedited,
            Program = package.Program.ToString(),
            ManifestBlobName = manifestBlobName,
            ManifestSha256 = record.ManifestSha256,
            RecordVersion = record.Version,
            ReceivedAt = deadlines.ReceivedAt,
            CaseDueAt = deadlines.CaseDueAt,
            ReviewerDueAt = deadlines.ReviewerDueAt,
        };
        var stored = row ?? await cases.AddOnceAsync(entity, ct);
        var isNew = ReferenceEquals(stored, entity);
        if (!isNew && !CaseEntity.IsRegistered(stored))
        {
            // The row opened at the first step: the review clock starts now, once (a repeated run finds it set).
            var (registered, applied) = await cases.ChangeAsync(stored, c =>
            {
                if (CaseEntity.IsRegistered(c)) return;
                c.Expedited = entity.Expedited;
                c.Program = entity.Program;
                c.ManifestBlobName = entity.ManifestBlobName;
                c.ManifestSha256 = entity.ManifestSha256;
                c.ReceivedAt = entity.ReceivedAt;
                c.CaseDueAt = entity.CaseDueAt;
                c.ReviewerDueAt = entity.ReviewerDueAt;
            }, ct);
            isNew = applied && registered.CaseDueAt == entity.CaseDueAt;
            stored = registered;
        }

        // A retried step or a run resumed by the sweep finds the stored case: its checks are not put back once
        // escalated, and only a new case arms the recurring reconcile check.
        await deadlineIndex.EnsureAsync(caseNumber, stored.CaseDueAt, isNew ? time.GetUtcNow() + options.Value.ReconcileInterval : null, ct);
        logger.LogInformation("Case {CaseNumber} recorded", caseNumber);
        return (new CaseRegistered(caseNumber, stored.CaseDueAt, stored.ReviewerDueAt, policy.ScaledAcceptanceWindow, options.Value.MaxOfferRounds)
        {
            Program = stored.Program,
            Reminders = options.Value.PolicyFor(stored.Program).ScaledReminders,
        }, stored);
    }
}
