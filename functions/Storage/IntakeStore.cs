using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Imr.Domain.Cases;
using Imr.Domain.Eligibility;

namespace Imr.Functions.Storage;

/// <summary>Where a case stands before review: its accepted package, eligibility and the medical records. One row per case.</summary>
public sealed class IntakeEntity : ITableEntity
{
    public const string Row = "intake";

    public string PartitionKey { get; set; } = ""; // case number
    public string RowKey { get; set; } = Row;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary>Received, Validated, Eligible, Ineligible, Deferred, AwaitingRecords, RecordsReceived, RecordsLate, Combined.</summary>
    public string Stage { get; set; } = IntakeStages.Received;
    public string ManifestBlobName { get; set; } = "";
    public string ManifestSha256 { get; set; } = "";
    public DateTimeOffset ReceivedAt { get; set; }
    public string? Eligibility { get; set; }
    public string? EligibilityReasons { get; set; }
    public string? DuplicateOf { get; set; }
    public string? CombinedWith { get; set; }
    public DateTimeOffset? RecordsDueAt { get; set; }
    public string? MissingDocuments { get; set; }
    public string? NoticeBlobName { get; set; }

    internal IntakeEntity Clone() => (IntakeEntity)MemberwiseClone();
}

public static class IntakeStages
{
    public const string Received = nameof(Received);
    public const string Validated = nameof(Validated);
    public const string Rejected = nameof(Rejected);
    public const string Eligible = nameof(Eligible);
    public const string Ineligible = nameof(Ineligible);
    public const string Deferred = nameof(Deferred);
    public const string AwaitingRecords = nameof(AwaitingRecords);
    public const string RecordsReceived = nameof(RecordsReceived);
    public const string RecordsLate = nameof(RecordsLate);
    public const string SupplementaryRecordsReceived = nameof(SupplementaryRecordsReceived);
    public const string Combined = nameof(Combined);
}

/// <summary>One entry of a case's audit trail. Row keys start with the time in ticks, so a partition reads back in order.</summary>
public sealed record AuditEntry(DateTimeOffset At, string Event, string? Detail);

/// <summary>A rejected package or document: where it sits in quarantine and why.</summary>
public sealed class RejectionEntity : ITableEntity
{
    public string PartitionKey { get; set; } = ""; // case number, or "_unnamed" when the folder is not one
    public string RowKey { get; set; } = "";       // rejection id
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Kind { get; set; } = "";
    public DateTimeOffset RejectedAt { get; set; }
    public string QuarantinedBlobs { get; set; } = "[]";
    public string Reasons { get; set; } = "[]";
    public int ReasonCount { get; set; }
}

/// <summary>
/// An application combined into an open case: a row in the target case's partition of the Intake table
/// (<c>combined-{case}</c>), written create-once. The package reader merges every such application into the case's package.
/// </summary>
public sealed class CombinationEntity : ITableEntity
{
    public const string RowPrefix = "combined-";

    public string PartitionKey { get; set; } = ""; // the case the application joined
    public string RowKey { get; set; } = "";       // combined-{combined application's case number}
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string CombinedCaseNumber { get; set; } = "";
    public string ManifestBlobName { get; set; } = "";
    public DateTimeOffset CombinedAt { get; set; }
}

/// <summary>The applications index for duplicate and combining checks: hashed keys only, no names (see ApplicationFingerprint).</summary>
public sealed class ApplicationEntity : ITableEntity
{
    public string PartitionKey { get; set; } = ""; // worker key
    public string RowKey { get; set; } = "";       // case number
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string PhysicianKey { get; set; } = "";
    public string UrDecisionKey { get; set; } = "";
    public string TreatmentKeys { get; set; } = "";
    public DateTimeOffset ReceivedAt { get; set; }
    /// <summary>Open, Ineligible or Combined; whether an open one is decided comes from its case record.</summary>
    public string Status { get; set; } = "Open";

    [System.Runtime.Serialization.IgnoreDataMember]
    public ApplicationFingerprint Fingerprint => new(RowKey, PartitionKey, PhysicianKey, UrDecisionKey, TreatmentKeys.Split(',', StringSplitOptions.RemoveEmptyEntries));
}

/// <summary>
/// The intake tables. The intake row this process wrote or read last is remembered with its ETag, so the steps that change
/// it (eligibility, the records) write without reading first; the write is conditional on the ETag, so a copy that is no
/// longer current costs a 412 and the read, never a lost update.
/// </summary>
public sealed class IntakeStore(StorageClients storage, AuditLog audit)
{
    private const int MaxRemembered = 20_000;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IntakeEntity> _rows = new(StringComparer.Ordinal);

    private IntakeEntity Remember(IntakeEntity e)
    {
        if (e.ETag != default)
        {
            if (_rows.Count >= MaxRemembered) _rows.Clear();
            _rows[e.PartitionKey] = e.Clone();
        }

        return e;
    }

    private TableClient Intake => storage.Table(StorageNames.IntakeTable);
    private TableClient Rejections => storage.Table(StorageNames.RejectionsTable);
    private TableClient Applications => storage.Table(StorageNames.ApplicationsTable);

    public async Task<IntakeEntity?> GetAsync(string caseNumber, CancellationToken ct = default)
    {
        var response = await Intake.GetEntityIfExistsAsync<IntakeEntity>(caseNumber, IntakeEntity.Row, cancellationToken: ct);
        return response.HasValue ? Remember(response.Value!) : null;
    }

    /// <summary>Records an accepted package once; a second call returns the first record, so a different package can be told apart by its hash.</summary>
    public async Task<(IntakeEntity Entity, bool Created)> AddOnceAsync(IntakeEntity entity, CancellationToken ct = default)
    {
        try
        {
            var added = await Intake.AddEntityAsync(entity, ct);
            entity.ETag = added.Headers.ETag ?? default;
            return (Remember(entity), true);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return ((await GetAsync(entity.PartitionKey, ct))!, false);
        }
    }

    /// <summary>Changes the intake record, creating it when the case was started without intake (orchestration tests).</summary>
    public async Task<IntakeEntity> UpdateAsync(string caseNumber, Action<IntakeEntity> change, CancellationToken ct = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            // The first attempt starts from the remembered copy (no read); a stale one fails its ETag and is read again.
            var remembered = attempt == 0 && _rows.TryGetValue(caseNumber, out var r) ? r.Clone() : null;
            var entity = remembered ?? await GetAsync(caseNumber, ct) ?? new IntakeEntity { PartitionKey = caseNumber };
            change(entity);
            try
            {
                Response written;
                if (entity.ETag == default)
                {
                    written = await Intake.AddEntityAsync(entity, ct);
                }
                else
                {
                    written = await Intake.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, ct);
                }

                entity.ETag = written.Headers.ETag ?? default;
                return Remember(entity);
            }
            catch (RequestFailedException ex) when ((ex.Status is 409 or 412 || (ex.Status == 404 && remembered is not null)) && attempt < 10)
            {
            }
        }
    }

    /// <summary>Records that an application joined a case; a retry finds the first row and changes nothing.</summary>
    public async Task RecordCombinationOnceAsync(string targetCaseNumber, string combinedCaseNumber, string manifestBlobName, DateTimeOffset at, CancellationToken ct = default)
    {
        try
        {
            await Intake.AddEntityAsync(new CombinationEntity
            {
                PartitionKey = targetCaseNumber,
                RowKey = CombinationEntity.RowPrefix + combinedCaseNumber,
                CombinedCaseNumber = combinedCaseNumber,
                ManifestBlobName = manifestBlobName,
                CombinedAt = at,
            }, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
        }
    }

    /// <summary>The applications combined into a case, in the order they were combined (then by case number): merged ids depend on it.</summary>
    public async Task<IReadOnlyList<CombinationEntity>> CombinationsIntoAsync(string caseNumber, CancellationToken ct = default)
    {
        var list = new List<CombinationEntity>();
        const string from = CombinationEntity.RowPrefix, to = "combined.";  // '.' follows '-': every row key with the prefix
        await foreach (var c in Intake.QueryAsync<CombinationEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {caseNumber} and RowKey ge {from} and RowKey lt {to}"), cancellationToken: ct))
        {
            list.Add(c);
        }

        return list.OrderBy(c => c.CombinedAt).ThenBy(c => c.CombinedCaseNumber, StringComparer.Ordinal).ToList();
    }

    /// <summary>Appends to the case's audit trail through its one writer (<see cref="AuditLog.AppendAsync"/>).</summary>
    public Task AppendAuditAsync(string caseNumber, DateTimeOffset at, string eventName, string? detail = null, CancellationToken ct = default) =>
        audit.AppendAsync(caseNumber, at, eventName, detail, ct);

    /// <summary>Several intake events of one step in one request (<see cref="AuditLog.AppendAllAsync"/>).</summary>
    public Task AppendAuditAsync(string caseNumber, IReadOnlyList<(DateTimeOffset At, string Event, string? Detail)> events, CancellationToken ct = default) =>
        audit.AppendAllAsync(caseNumber, events, ct);

    /// <summary>Rows a step collected (<see cref="AuditLog.WriteAsync"/>).</summary>
    public Task WriteAuditAsync(AuditRows rows, CancellationToken ct = default) => audit.WriteAsync(rows, ct);

    public Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(string caseNumber, CancellationToken ct = default) => audit.IntakeEventsAsync(caseNumber, ct);

    public Task AddRejectionAsync(RejectionEntity rejection, CancellationToken ct = default) => Rejections.UpsertEntityAsync(rejection, TableUpdateMode.Replace, ct);

    public async Task<IReadOnlyList<RejectionEntity>> RejectionsAsync(string partition, CancellationToken ct = default)
    {
        var list = new List<RejectionEntity>();
        await foreach (var r in Rejections.QueryAsync<RejectionEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), cancellationToken: ct)) list.Add(r);
        return list;
    }

    /// <summary>Every rejection in every partition (the intake desk's list; the table holds one row per quarantined package).</summary>
    public async Task<IReadOnlyList<RejectionEntity>> AllRejectionsAsync(CancellationToken ct = default)
    {
        var list = new List<RejectionEntity>();
        await foreach (var r in Rejections.QueryAsync<RejectionEntity>(cancellationToken: ct)) list.Add(r);
        return list;
    }

    /// <summary>The intake rows of cases deferred at screening (an eligibility question awaits staff).</summary>
    public async Task<IReadOnlyList<IntakeEntity>> DeferredAsync(CancellationToken ct = default)
    {
        var list = new List<IntakeEntity>();
        await foreach (var r in Intake.QueryAsync<IntakeEntity>(TableClient.CreateQueryFilter($"RowKey eq {IntakeEntity.Row} and Stage eq {IntakeStages.Deferred}"), cancellationToken: ct)) list.Add(r);
        return list;
    }

    /// <summary>One rejection, or null when there is none with these keys.</summary>
    public async Task<RejectionEntity?> GetRejectionAsync(string partition, string rejectionId, CancellationToken ct = default)
    {
        var row = await Rejections.GetEntityIfExistsAsync<RejectionEntity>(partition, rejectionId, cancellationToken: ct);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>Adds the application to the index once (its first receipt time stays) and returns it.</summary>
    public async Task<ApplicationEntity> IndexApplicationOnceAsync(ApplicationFingerprint f, DateTimeOffset receivedAt, CancellationToken ct = default)
    {
        var entity = new ApplicationEntity
        {
            PartitionKey = f.WorkerKey,
            RowKey = f.CaseNumber,
            PhysicianKey = f.PhysicianKey,
            UrDecisionKey = f.UrDecisionKey,
            TreatmentKeys = string.Join(",", f.TreatmentKeys),
            ReceivedAt = receivedAt,
        };
        try
        {
            await Applications.AddEntityAsync(entity, ct);
            return entity;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return (await Applications.GetEntityAsync<ApplicationEntity>(f.WorkerKey, f.CaseNumber, cancellationToken: ct)).Value;
        }
    }

    public async Task<IReadOnlyList<ApplicationEntity>> ApplicationsOfWorkerAsync(string workerKey, CancellationToken ct = default)
    {
        var list = new List<ApplicationEntity>();
        await foreach (var a in Applications.QueryAsync<ApplicationEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {workerKey}"), cancellationToken: ct)) list.Add(a);
        return list;
    }

    public async Task SetApplicationStatusAsync(string workerKey, string caseNumber, string status, CancellationToken ct = default)
    {
        var e = (await Applications.GetEntityAsync<ApplicationEntity>(workerKey, caseNumber, cancellationToken: ct)).Value;
        e.Status = status;
        await Applications.UpdateEntityAsync(e, ETag.All, TableUpdateMode.Replace, ct);
    }

    // Stored for people to read: no \u0027-style escaping of quotes in reasons.
    private static readonly JsonSerializerOptions Readable = new(CasePackage.JsonOptions) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = false };

    public static string Json<T>(T value) => JsonSerializer.Serialize(value, Readable);
}
