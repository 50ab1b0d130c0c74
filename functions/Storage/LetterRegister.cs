using Azure;
using Azure.Data.Tables;

namespace Imr.Functions.Storage;

/// <summary>
/// One issued version of a case's Final Determination Letter: where its renderings are stored in
/// <c>determinations/{case}/</c> and their SHA-256. Rows are inserted once and never updated; a correction is a new row.
/// </summary>
public sealed class LetterRecord : ITableEntity
{
    public string PartitionKey { get; set; } = ""; // case number
    public string RowKey { get; set; } = "";       // v0001, v0002, … (sorts by version)
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public int Version { get; set; }
    public DateTimeOffset IssuedAt { get; set; }
    public string ModelBlobName { get; set; } = "";
    public string ModelSha256 { get; set; } = "";
    public string TextBlobName { get; set; } = "";
    public string TextSha256 { get; set; } = "";
    public string PdfBlobName { get; set; } = "";
    public string PdfSha256 { get; set; } = "";
    public string HtmlBlobName { get; set; } = "";
    public string HtmlSha256 { get; set; } = "";
    /// <summary>Item id = outcome, per disputed item, e.g. "PT-LUMBAR-12=Upheld".</summary>
    public string Outcomes { get; set; } = "";
    public string? CorrectionReason { get; set; }
    public string? SubmissionBlobName { get; set; }

    public static string RowKeyOf(int version) => $"v{version:D4}";
}

public sealed class LetterRegister(StorageClients storage)
{
    private TableClient Table => storage.Table(StorageNames.LettersTable);

    public async Task<LetterRecord?> GetAsync(string caseNumber, int version, CancellationToken ct = default)
    {
        var response = await Table.GetEntityIfExistsAsync<LetterRecord>(caseNumber, LetterRecord.RowKeyOf(version), cancellationToken: ct);
        return response.HasValue ? response.Value : null;
    }

    public async Task<IReadOnlyList<LetterRecord>> ListAsync(string caseNumber, CancellationToken ct = default)
    {
        var list = new List<LetterRecord>();
        await foreach (var r in Table.QueryAsync<LetterRecord>(TableClient.CreateQueryFilter($"PartitionKey eq {caseNumber}"), cancellationToken: ct)) list.Add(r);
        return list.OrderBy(r => r.Version).ToList();
    }

    /// <summary>Every letter version issued before <paramref name="end"/> (a scan of the table), for the program figures of a period.</summary>
    public async Task<IReadOnlyList<LetterRecord>> IssuedBeforeAsync(DateTimeOffset end, CancellationToken ct = default)
    {
        var list = new List<LetterRecord>();
        await foreach (var r in Table.QueryAsync<LetterRecord>(TableClient.CreateQueryFilter($"IssuedAt lt {end}"), cancellationToken: ct)) list.Add(r);
        return list;
    }

    /// <summary>Inserts the record once; a retry finds the first record and returns it unchanged.</summary>
    public async Task<LetterRecord> AddOnceAsync(LetterRecord record, CancellationToken ct = default)
    {
        try
        {
            await Table.AddEntityAsync(record, ct);
            return record;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return (await GetAsync(record.PartitionKey, record.Version, ct))!;
        }
    }
}
