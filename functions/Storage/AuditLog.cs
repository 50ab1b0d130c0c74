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

    public Task RecordAsync(string caseNumber, string stepId, string what, string details, CancellationToken ct = default) =>
        AddOnceAsync(Row(caseNumber, stepId, what, details, time.GetUtcNow()), ct);

    /// <summary>Several steps of one activity in one request (see <see cref="WriteAsync"/>).</summary>
    public Task RecordAllAsync(string caseNumber, IReadOnlyList<(string StepId, string What, string Details)> steps, CancellationToken ct = default)
    {
        var rows = new AuditRows(caseNumber);
        foreach (var (stepId, what, details) in steps) rows.Step(stepId, what, details);
        return WriteAsync(rows, ct);
    }

    /// <summary>
    /// Rows collected by a step, in one request (an entity-group transaction: they share the case's partition); a single
    /// row is a plain insert. A repeated run finds them recorded (the transaction fails as a whole on the first existing
    /// row) and records each missing one alone, so nothing is recorded twice and nothing is lost. Clears what it wrote.
    /// </summary>
    public async Task WriteAsync(AuditRows rows, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var entities = rows.Take().DistinctBy(r => r.RowKey)
            .Select(r => Row(rows.CaseNumber, r.RowKey, r.What, r.Details, r.At ?? now))
            .ToList();
        if (entities.Count == 1)
        {
            await AddOnceAsync(entities[0], ct);
            return;
        }

        if (entities.Count == 0) return;
        try
        {
            await Table.SubmitTransactionAsync(entities.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)), ct);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            foreach (var e in entities) await AddOnceAsync(e, ct);
        }
    }

    /// <summary>The trail's one schema (What, Details, At), details cut to what a property holds.</summary>
    private static TableEntity Row(string caseNumber, string rowKey, string what, string details, DateTimeOffset at) =>
        new(caseNumber, rowKey) { ["What"] = what, ["Details"] = Fit(details), ["At"] = at };

    private async Task AddOnceAsync(TableEntity row, CancellationToken ct)
    {
        try
        {
            await Table.AddEntityAsync(row, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Recorded by an earlier attempt of the same step.
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
        await foreach (var e in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {caseNumber}"), cancellationToken: ct))
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
    public Task AppendAsync(string caseNumber, DateTimeOffset at, string eventName, string? detail = null, CancellationToken ct = default) =>
        AddOnceAsync(Row(caseNumber, IntakeEventKey(at, eventName), eventName, detail ?? "", at), ct);

    /// <summary>Several intake events of one step in one request (see <see cref="WriteAsync"/>).</summary>
    public Task AppendAllAsync(string caseNumber, IReadOnlyList<(DateTimeOffset At, string Event, string? Detail)> events, CancellationToken ct = default)
    {
        var rows = new AuditRows(caseNumber);
        foreach (var (at, eventName, detail) in events) rows.Event(at, eventName, detail);
        return WriteAsync(rows, ct);
    }

    /// <summary>The case's intake events (rows keyed by time), in time order.</summary>
    public async Task<IReadOnlyList<AuditEntry>> IntakeEventsAsync(string caseNumber, CancellationToken ct = default) =>
        (await ForCaseAsync(caseNumber, ct))
            .Where(r => IsIntakeEventKey(r.StepId) && r.What.Length > 0)
            .Select(r => new AuditEntry(r.At, r.What, r.Details.Length > 0 ? r.Details : null))
            .ToList();

    internal static string IntakeEventKey(DateTimeOffset at, string eventName) => $"{at.UtcTicks:D19}-{eventName}";

    private static bool IsIntakeEventKey(string rowKey) => rowKey.Length > 20 && rowKey[19] == '-' && rowKey.AsSpan(0, 19).IndexOfAnyExceptInRange('0', '9') < 0;
}

/// <summary>
/// Audit rows a step collects for one case and writes at its end in one request (<see cref="AuditLog.WriteAsync"/>): a
/// coarse step that folds several (e.g. screening, the records request and the first offer) records them together.
/// </summary>
public sealed class AuditRows(string caseNumber)
{
    private readonly List<(string RowKey, string What, string Details, DateTimeOffset? At)> _rows = [];

    public string CaseNumber { get; } = caseNumber;

    /// <summary>A step's row, keyed by its deterministic step id; its time is the write's.</summary>
    public void Step(string stepId, string what, string details) => _rows.Add((stepId, what, details, null));

    /// <summary>An intake event at the orchestration's time (keyed by that time and the event).</summary>
    public void Event(DateTimeOffset at, string eventName, string? detail) => _rows.Add((AuditLog.IntakeEventKey(at, eventName), eventName, detail ?? "", at));

    internal List<(string RowKey, string What, string Details, DateTimeOffset? At)> Take()
    {
        var taken = _rows.ToList();
        _rows.Clear();
        return taken;
    }
}
