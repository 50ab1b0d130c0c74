using Azure;
using Azure.Data.Tables;

namespace Imr.Functions.Storage;

/// <summary>
/// The case's audit trail in the Audit table, its one writer and one schema (What, Details, At): one row per step, keyed
/// by the case number and a deterministic step id so a retried activity records nothing twice; intake's events are keyed
/// by the orchestration's time and the event ("{ticks}-{event}"). Details carry ids and reasons, never clinical text.
/// </summary>
public sealed class AuditLog(StorageClients storage, TimeProvider time)
{
    private TableClient Table => storage.Table(StorageNames.AuditTable);

    public async Task RecordAsync(string caseNumber, string stepId, string what, string details, CancellationToken ct = default)
    {
        try
        {
            await Table.AddEntityAsync(new TableEntity(caseNumber, stepId) { ["What"] = what, ["Details"] = Fit(details), ["At"] = time.GetUtcNow() }, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Recorded by an earlier attempt of the same step.
        }
    }

    /// <summary>
    /// Several steps of one activity in one request (an entity-group transaction: the rows share the case's partition). A
    /// repeated run finds them recorded (the transaction fails as a whole on the first existing row) and records each
    /// missing one alone, so nothing is recorded twice and nothing is lost.
    /// </summary>
    public async Task RecordAllAsync(string caseNumber, IReadOnlyList<(string StepId, string What, string Details)> steps, CancellationToken ct = default)
    {
        if (steps.Count == 1)
        {
            await RecordAsync(caseNumber, steps[0].StepId, steps[0].What, steps[0].Details, ct);
            return;
        }

        if (steps.Count == 0) return;
        var at = time.GetUtcNow();
        try
        {
            await Table.SubmitTransactionAsync(steps.DistinctBy(s => s.StepId).Select(s =>
                new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(caseNumber, s.StepId) { ["What"] = s.What, ["Details"] = Fit(s.Details), ["At"] = at })), ct);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            foreach (var s in steps) await RecordAsync(caseNumber, s.StepId, s.What, s.Details, ct);
        }
    }

    /// <summary>The details recorded for one step, or null when there is no such step.</summary>
    /// <summary>
    /// A row's details within a table property's limit (e.g. the matching's explanation over a roster of hundreds of
    /// reviewers, one line each, is larger): the lines that fit, and how many were left out.
    /// </summary>
    public static string Fit(string details)
    {
        if (details.Length <= CaseStore.MaxStoredText) return details;
        var lines = details.Split('\n');
        var kept = new System.Text.StringBuilder();
        var n = 0;
        while (n < lines.Length && kept.Length + lines[n].Length + 1 <= CaseStore.MaxStoredText - 100)
        {
            kept.Append(lines[n]).Append('\n');
            n++;
        }

        return kept.Append(System.Globalization.CultureInfo.InvariantCulture, $"… {lines.Length - n} more line(s) not kept (a table property holds at most 64 KiB)").ToString();
    }

    public async Task<string?> DetailsOfAsync(string caseNumber, string stepId, CancellationToken ct = default)
    {
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(caseNumber, stepId, cancellationToken: ct);
        return row.HasValue ? row.Value!.GetString("Details") : null;
    }

    public async Task<IReadOnlyList<(string StepId, string What, string Details, DateTimeOffset At)>> ForCaseAsync(string caseNumber, CancellationToken ct = default)
    {
        var rows = new List<(string, string, string, DateTimeOffset)>();
        await foreach (var e in Table.QueryAsync<TableEntity>(x => x.PartitionKey == caseNumber, cancellationToken: ct))
        {
            var (what, details, at) = Read(e);
            rows.Add((e.RowKey, what, details, at));
        }

        return rows.OrderBy(r => r.Item4).ToList();
    }

    /// <summary>
    /// The one mapping of a stored row to the trail's schema. Intake rows written before the trail had one schema name
    /// the step <c>Event</c> and its details <c>Detail</c> (same step names, same <c>At</c>): read as What and Details.
    /// </summary>
    private static (string What, string Details, DateTimeOffset At) Read(TableEntity e) =>
        (e.GetString("What") ?? e.GetString("Event") ?? "", e.GetString("Details") ?? e.GetString("Detail") ?? "", e.GetDateTimeOffset("At") ?? e.Timestamp ?? default);

    /// <summary>
    /// The cases with a step named <paramref name="what"/> recorded in [<paramref name="from"/>, <paramref name="to"/>): a scan
    /// of the table (two columns), for the program figures of a period. Rows of the old schema (<see cref="Read"/>) count too.
    /// </summary>
    public async Task<IReadOnlySet<string>> CasesWithStepAsync(string what, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        var cases = new HashSet<string>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"(What eq {what} or Event eq {what}) and At ge {from} and At lt {to}"); // What or, in old rows, Event
        await foreach (var e in Table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: ct)) cases.Add(e.PartitionKey);
        return cases;
    }

    /// <summary>
    /// Appends an intake event at the orchestration's time <paramref name="at"/>: the same (time, event) is written once, so
    /// a retried activity adds nothing.
    /// </summary>
    public async Task AppendAsync(string caseNumber, DateTimeOffset at, string eventName, string? detail = null, CancellationToken ct = default)
    {
        try
        {
            await Table.AddEntityAsync(new TableEntity(caseNumber, IntakeEventKey(at, eventName)) { ["What"] = eventName, ["Details"] = Fit(detail ?? ""), ["At"] = at }, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
        }
    }

    /// <summary>
    /// Several intake events of one step in one request (one partition: an entity-group transaction). A repeated step finds
    /// them recorded (the transaction fails as a whole) and appends each alone, so none is written twice or lost.
    /// </summary>
    public async Task AppendAllAsync(string caseNumber, IReadOnlyList<(DateTimeOffset At, string Event, string? Detail)> events, CancellationToken ct = default)
    {
        var distinct = events.DistinctBy(e => IntakeEventKey(e.At, e.Event)).ToList();
        if (distinct.Count <= 1)
        {
            foreach (var e in distinct) await AppendAsync(caseNumber, e.At, e.Event, e.Detail, ct);
            return;
        }

        try
        {
            await Table.SubmitTransactionAsync(distinct.Select(e => new TableTransactionAction(TableTransactionActionType.Add,
                new TableEntity(caseNumber, IntakeEventKey(e.At, e.Event)) { ["What"] = e.Event, ["Details"] = Fit(e.Detail ?? ""), ["At"] = e.At })), ct);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            foreach (var e in distinct) await AppendAsync(caseNumber, e.At, e.Event, e.Detail, ct);
        }
    }

    /// <summary>The case's intake events (rows keyed by time), in time order.</summary>
    public async Task<IReadOnlyList<AuditEntry>> IntakeEventsAsync(string caseNumber, CancellationToken ct = default) =>
        (await ForCaseAsync(caseNumber, ct))
            .Where(r => IsIntakeEventKey(r.StepId) && r.What.Length > 0)
            .Select(r => new AuditEntry(r.At, r.What, r.Details.Length > 0 ? r.Details : null))
            .ToList();

    private static string IntakeEventKey(DateTimeOffset at, string eventName) => $"{at.UtcTicks:D19}-{eventName}";

    private static bool IsIntakeEventKey(string rowKey) => rowKey.Length > 20 && rowKey[19] == '-' && rowKey.AsSpan(0, 19).IndexOfAnyExceptInRange('0', '9') < 0;
}
