using Azure;
using Azure.Data.Tables;
using Imr.Domain.Reviewers;

namespace Imr.Functions.Storage;

/// <summary>
/// Open assignments per reviewer, for "least loaded first" and the fair rotation. One row per (reviewer, assignment)
/// in the Reviewers table, so opening and closing are idempotent: a retried activity re-inserts nothing and re-closes
/// a closed row. The load is the count of open rows; the rotation clock is the latest offer.
/// </summary>
public sealed class ReviewerLoads(StorageClients storage, RosterScope scope)
{
    private TableClient Table => storage.Table(StorageNames.ReviewersTable);
    private string Prefix => $"{scope.Name}|load|";

    public async Task OpenAsync(string reviewerId, string caseNumber, string assignmentId, DateTimeOffset assignedAt, CancellationToken ct = default)
    {
        try
        {
            await Table.AddEntityAsync(new TableEntity(Prefix + reviewerId, assignmentId) { ["Open"] = true, ["AssignedAt"] = assignedAt, ["CaseNumber"] = caseNumber }, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Already counted by an earlier attempt.
        }
    }

    /// <summary>Closes the row in one write (a merge of Open = false, which a repeat writes again harmlessly); no row, nothing to close.</summary>
    public async Task CloseAsync(string reviewerId, string assignmentId, CancellationToken ct = default)
    {
        try
        {
            await Table.UpdateEntityAsync(new TableEntity(Prefix + reviewerId, assignmentId) { ["Open"] = false }, ETag.All, TableUpdateMode.Merge, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Never opened (an offer that was not sent): nothing to release.
        }
    }

    public async Task<IReadOnlyDictionary<string, ReviewerLoad>> AllAsync(CancellationToken ct = default)
    {
        var loads = new Dictionary<string, ReviewerLoad>(StringComparer.Ordinal);
        // '|' + 1 = '}' : every partition that starts with the prefix.
        var from = Prefix;
        var to = Prefix[..^1] + "}";
        await foreach (var e in Table.QueryAsync<TableEntity>(x => x.PartitionKey.CompareTo(from) >= 0 && x.PartitionKey.CompareTo(to) < 0, cancellationToken: ct))
        {
            var reviewerId = e.PartitionKey[Prefix.Length..];
            var current = loads.GetValueOrDefault(reviewerId) ?? ReviewerLoad.None;
            var at = e.GetDateTimeOffset("AssignedAt");
            loads[reviewerId] = new ReviewerLoad(
                current.OpenAssignments + (e.GetBoolean("Open") == true ? 1 : 0),
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
