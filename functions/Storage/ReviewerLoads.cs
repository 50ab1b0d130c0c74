using Azure;
using Azure.Data.Tables;
using Imr.Domain.Reviewers;

namespace Imr.Functions.Storage;

/// <summary>
/// Open assignments per reviewer, for "least loaded first" and the fair rotation. Per reviewer one partition of the
/// Reviewers table holds a row per open assignment and one rotation-clock row (the latest offer). Opening writes both in
/// one transaction and is idempotent (a retried activity's insert conflicts and nothing is written); closing deletes the
/// assignment's row. So reading every reviewer's load costs what is open now plus one row per reviewer, never the
/// history: with closed rows kept (before this layout) each offer read every assignment ever made.
/// Rows of the earlier layout (closed rows with <c>Open = false</c>) are still read correctly: they count for the clock,
/// not for the load.
/// </summary>
public sealed class ReviewerLoads(StorageClients storage, RosterScope scope)
{
    /// <summary>The row key of a reviewer's rotation clock (after every assignment id, which start with a case number).</summary>
    public const string ClockRow = "~clock";

    private TableClient Table => storage.Table(StorageNames.ReviewersTable);
    private string Prefix => $"{scope.Name}|load|";

    public async Task OpenAsync(string reviewerId, string caseNumber, string assignmentId, DateTimeOffset assignedAt, CancellationToken ct = default)
    {
        var partition = Prefix + reviewerId;
        try
        {
            await Table.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(partition, assignmentId) { ["Open"] = true, ["AssignedAt"] = assignedAt, ["CaseNumber"] = caseNumber }),
                // The clock moves to this offer (a concurrent older offer may set it back by seconds: a rotation hint, not a record).
                new TableTransactionAction(TableTransactionActionType.UpsertMerge, new TableEntity(partition, ClockRow) { ["AssignedAt"] = assignedAt }),
            ], ct);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            // Already counted by an earlier attempt.
        }
    }

    /// <summary>Deletes the assignment's row (one request; a repeat finds nothing to delete). The clock row stays.</summary>
    public async Task CloseAsync(string reviewerId, string assignmentId, CancellationToken ct = default)
    {
        try
        {
            await Table.DeleteEntityAsync(Prefix + reviewerId, assignmentId, ETag.All, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Never opened (an offer that was not sent), or closed already: nothing to release.
        }
    }

    public async Task<IReadOnlyDictionary<string, ReviewerLoad>> AllAsync(CancellationToken ct = default)
    {
        var loads = new Dictionary<string, ReviewerLoad>(StringComparer.Ordinal);
        // '|' + 1 = '}' : every partition that starts with the prefix.
        var from = Prefix;
        var to = Prefix[..^1] + "}";
        await foreach (var e in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey ge {from} and PartitionKey lt {to}"), cancellationToken: ct))
        {
            var reviewerId = e.PartitionKey[Prefix.Length..];
            var current = loads.GetValueOrDefault(reviewerId) ?? ReviewerLoad.None;
            var at = e.GetDateTimeOffset("AssignedAt");
            var open = e.RowKey != ClockRow && e.GetBoolean("Open") == true;
            loads[reviewerId] = new ReviewerLoad(
                current.OpenAssignments + (open ? 1 : 0),
                current.LastAssignedAt is null || at > current.LastAssignedAt ? at : current.LastAssignedAt);
        }

        return loads;
    }
}

/// <summary>
/// Which roster the app uses (setting <c>Imr:RosterScope</c>, default "roster"). One deployment has one; tests give
/// each app its own so their loads and rotation never mix.
/// </summary>
public sealed record RosterScope(string Name);
