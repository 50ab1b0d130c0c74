using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Imr.Domain.Deadlines;

namespace Imr.Functions.Storage;

/// <summary>Open cases by due date: partitioned by the UTC due day so a sweep reads only the days that are due, never every case.</summary>
public sealed class DeadlineIndex(StorageClients storage)
{
    private TableClient Table => storage.Table(StorageNames.DeadlineIndexTable);

    public static string PartitionOf(DateTimeOffset due) => due.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public Task AddAsync(string caseNumber, DateTimeOffset caseDueAt, CancellationToken ct = default) =>
        Table.UpsertEntityAsync(new TableEntity(PartitionOf(caseDueAt), caseNumber) { ["CaseDueAt"] = caseDueAt }, TableUpdateMode.Replace, ct);

    public async Task RemoveAsync(string caseNumber, DateTimeOffset caseDueAt, CancellationToken ct = default)
    {
        try
        {
            await Table.DeleteEntityAsync(PartitionOf(caseDueAt), caseNumber, ETag.All, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    /// <summary>Entries due on or before <paramref name="until"/>, reading only the partitions from <paramref name="from"/> to that day.</summary>
    public async Task<(IReadOnlyList<DeadlineEntry> Entries, int Read)> ReadDueAsync(DateTimeOffset from, DateTimeOffset until, CancellationToken ct = default)
    {
        var entries = new List<DeadlineEntry>();
        var low = PartitionOf(from);
        var high = PartitionOf(until);
        var read = 0;
        await foreach (var e in Table.QueryAsync<TableEntity>(x => x.PartitionKey.CompareTo(low) >= 0 && x.PartitionKey.CompareTo(high) <= 0, cancellationToken: ct))
        {
            read++;
            var due = e.GetDateTimeOffset("CaseDueAt")!.Value;
            if (due <= until)
            {
                entries.Add(new DeadlineEntry(e.RowKey, due));
            }
        }

        return (entries, read);
    }
}
