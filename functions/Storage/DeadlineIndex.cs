using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace Imr.Functions.Storage;

/// <summary>An escalation level of the deadline index and of the escalation ledger.</summary>
public static class EscalationLevels
{
    /// <summary>Due within the at-risk window (sweep).</summary>
    public const string AtRisk = nameof(AtRisk);
    /// <summary>Past the case's due date (orchestration timer and sweep share it, so it is sent once).</summary>
    public const string Overdue = nameof(Overdue);
    /// <summary>An assignment's reviewer due date passed (orchestration), one per assignment.</summary>
    public static string ReviewerMissedDue(string assignmentId) => $"ReviewerMissedDue-{assignmentId}";
    /// <summary>The case's orchestration failed, was terminated or is missing (sweep reconciliation).</summary>
    public static string Orchestration(string problem) => $"Orchestration{problem}";
}

/// <summary>One check of the deadline index: case <see cref="CaseNumber"/> needs <see cref="Level"/> at <see cref="CheckAt"/>.</summary>
public sealed record DeadlineCheck(string CaseNumber, string Level, DateTimeOffset CheckAt, DateTimeOffset CaseDueAt, bool Escalated);

/// <summary>
/// Open cases' pending deadline checks, keyed by when they fall due: partition <c>due-yyyyMMddHH</c> (UTC hour of the
/// check), row <c>{case}|{level}</c>. Each case has two checks, at-risk (due − window) and overdue (due). A sweep asks
/// only for partitions up to the current hour and rows whose check time has passed, so it reads the due checks and
/// nothing else, never every case. A check that has been escalated moves to partition <c>escalated</c>, so it is not
/// read again; closing a case deletes its rows.
/// A third, recurring check (<see cref="ReconcileCheck"/>, written at registration) makes the sweep look at the case's
/// orchestration every <c>Imr:ReconcileInterval</c>: after each look it moves to the partition of its next time. A
/// close does not delete it (its partition moves); the sweep drops it the next time it falls due and finds the case closed.
/// </summary>
public sealed class DeadlineIndex(StorageClients storage, IOptions<ImrOptions> options)
{
    /// <summary>The level of the recurring orchestration check (not an escalation).</summary>
    public const string ReconcileCheck = "Reconcile";
    private const string PendingPrefix = "due-";
    private const string EscalatedPartition = "escalated";

    private TableClient Table => storage.Table(StorageNames.DeadlineIndexTable);

    public static string PartitionOf(DateTimeOffset checkAt) => PendingPrefix + checkAt.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    private static string RowOf(string caseNumber, string level) => $"{caseNumber}|{level}";

    /// <summary>The index rows of an open case (also used by tests to insert many cases in batch transactions).</summary>
    public static IEnumerable<TableEntity> EntitiesFor(string caseNumber, DateTimeOffset caseDueAt, TimeSpan atRiskWindow) =>
    [
        Entity(caseNumber, EscalationLevels.AtRisk, caseDueAt - atRiskWindow, caseDueAt),
        Entity(caseNumber, EscalationLevels.Overdue, caseDueAt, caseDueAt),
    ];

    /// <summary>The recurring reconcile check of an open case at <paramref name="checkAt"/>.</summary>
    public static TableEntity ReconcileEntity(string caseNumber, DateTimeOffset checkAt, DateTimeOffset caseDueAt) => Entity(caseNumber, ReconcileCheck, checkAt, caseDueAt);

    private static TableEntity Entity(string caseNumber, string level, DateTimeOffset checkAt, DateTimeOffset caseDueAt) =>
        new(PartitionOf(checkAt), RowOf(caseNumber, level)) { ["CaseNumber"] = caseNumber, ["Level"] = level, ["CheckAt"] = checkAt, ["CaseDueAt"] = caseDueAt };

    private TimeSpan AtRiskWindow => options.Value.DeadlinePolicy.Scale(options.Value.AtRiskWindow);

    public async Task AddAsync(string caseNumber, DateTimeOffset caseDueAt, CancellationToken ct = default)
    {
        foreach (var e in EntitiesFor(caseNumber, caseDueAt, AtRiskWindow))
        {
            await Table.UpsertEntityAsync(e, TableUpdateMode.Replace, ct);
        }
    }

    /// <summary>
    /// Registration's rows, idempotent: each deadline check is created once and not put back once escalated (a resumed
    /// case is registered again and must not be escalated again); the reconcile check is armed only for a new case
    /// (<paramref name="firstReconcileAt"/> null otherwise), so one chain of it exists per case.
    /// </summary>
    public async Task EnsureAsync(string caseNumber, DateTimeOffset caseDueAt, DateTimeOffset? firstReconcileAt, CancellationToken ct = default)
    {
        foreach (var e in EntitiesFor(caseNumber, caseDueAt, AtRiskWindow))
        {
            // Only a case registered before (a resumed one) can have escalated checks: a new case's rows are simply added.
            if (firstReconcileAt is null && (await Table.GetEntityIfExistsAsync<TableEntity>(EscalatedPartition, e.RowKey, ["RowKey"], ct)).HasValue) continue;
            await AddOnceAsync(e, ct);
        }

        if (firstReconcileAt is { } at && options.Value.ReconcileInterval > TimeSpan.Zero)
        {
            await AddOnceAsync(ReconcileEntity(caseNumber, at, caseDueAt), ct);
        }
    }

    /// <summary>Moves a reconcile check that was just done to its next time.</summary>
    public async Task RearmAsync(DeadlineCheck check, DateTimeOffset next, CancellationToken ct = default)
    {
        await Table.UpsertEntityAsync(ReconcileEntity(check.CaseNumber, next, check.CaseDueAt), TableUpdateMode.Replace, ct);
        if (PartitionOf(next) != PartitionOf(check.CheckAt)) await DeleteAsync(PartitionOf(check.CheckAt), RowOf(check.CaseNumber, check.Level), ct);
    }

    private async Task AddOnceAsync(TableEntity e, CancellationToken ct)
    {
        try
        {
            await Table.AddEntityAsync(e, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
        }
    }

    /// <summary>
    /// Deletes the case's rows wherever they are (pending or escalated); a missing row is fine. Given the time of the close
    /// (<paramref name="at"/>), a check that was not yet due then cannot have been escalated (the sweep escalates due
    /// checks only), so only its pending row is deleted: a case closed on time costs two deletes, not four.
    /// </summary>
    public async Task RemoveAsync(string caseNumber, DateTimeOffset caseDueAt, DateTimeOffset? at = null, CancellationToken ct = default)
    {
        foreach (var e in EntitiesFor(caseNumber, caseDueAt, AtRiskWindow))
        {
            await DeleteAsync(e.PartitionKey, e.RowKey, ct);
            // A margin for another host's clock: a check due within it may have been escalated by a sweep there.
            if (at is null || e.GetDateTimeOffset("CheckAt") <= at + ClockMargin) await DeleteAsync(EscalatedPartition, e.RowKey, ct);
        }
    }

    private static readonly TimeSpan ClockMargin = TimeSpan.FromMinutes(15);

    public Task RemoveCheckAsync(DeadlineCheck check, CancellationToken ct = default) =>
        DeleteAsync(check.Escalated ? EscalatedPartition : PartitionOf(check.CheckAt), RowOf(check.CaseNumber, check.Level), ct);

    /// <summary>The pending checks due at <paramref name="now"/>, and how many rows the query returned (all of them due).</summary>
    public async Task<(IReadOnlyList<DeadlineCheck> Checks, int Read)> ReadDueAsync(DateTimeOffset now, CancellationToken ct = default)
    {
        var checks = new List<DeadlineCheck>();
        var high = PartitionOf(now);
        var read = 0;
        await foreach (var e in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey ge {PendingPrefix} and PartitionKey le {high} and CheckAt le {now}"), cancellationToken: ct))
        {
            read++;
            checks.Add(ToCheck(e, escalated: false));
        }

        return (checks, read);
    }

    /// <summary>Moves an escalated check out of the pending partitions, so no later sweep reads it.</summary>
    public async Task MarkEscalatedAsync(DeadlineCheck check, CancellationToken ct = default)
    {
        var moved = Entity(check.CaseNumber, check.Level, check.CheckAt, check.CaseDueAt);
        moved.PartitionKey = EscalatedPartition;
        await Table.UpsertEntityAsync(moved, TableUpdateMode.Replace, ct);
        await DeleteAsync(PartitionOf(check.CheckAt), moved.RowKey, ct);
    }

    /// <summary>Every open case once (its overdue check, pending or escalated), for the at-risk report.</summary>
    public async Task<IReadOnlyList<DeadlineCheck>> ReadOpenAsync(CancellationToken ct = default)
    {
        var open = new List<DeadlineCheck>();
        await foreach (var e in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"Level eq {EscalationLevels.Overdue}"), cancellationToken: ct))
        {
            open.Add(ToCheck(e, e.PartitionKey == EscalatedPartition));
        }

        return open;
    }

    private static DeadlineCheck ToCheck(TableEntity e, bool escalated) =>
        new(e.GetString("CaseNumber"), e.GetString("Level"), e.GetDateTimeOffset("CheckAt")!.Value, e.GetDateTimeOffset("CaseDueAt")!.Value, escalated);

    private async Task DeleteAsync(string pk, string rk, CancellationToken ct)
    {
        try
        {
            await Table.DeleteEntityAsync(pk, rk, ETag.All, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }
}
