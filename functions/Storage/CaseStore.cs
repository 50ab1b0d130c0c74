using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Imr.Domain.Cases;

namespace Imr.Functions.Storage;

/// <summary>The case record in Table storage: one row per case, partitioned by case number.</summary>
public sealed class CaseEntity : ITableEntity
{
    public const string Row = "case";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = Row;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Status { get; set; } = nameof(CaseStatus.Received);
    public bool Expedited { get; set; }
    /// <summary>The case package's review program: selects the deadline policy (reminders are scheduled with it).</summary>
    public string Program { get; set; } = nameof(ReviewProgram.CaliforniaWorkersCompensation);
    public string ManifestBlobName { get; set; } = "";
    public string ManifestSha256 { get; set; } = "";
    /// <summary>The latest version of the case's record (CaseRecordStore); 0 until a change after intake (then version 1 is the latest).</summary>
    public int RecordVersion { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public DateTimeOffset CaseDueAt { get; set; }
    public DateTimeOffset ReviewerDueAt { get; set; }
    public string? CurrentAssignmentId { get; set; }
    public string? CurrentReviewerId { get; set; }
    public string? AssignmentStatus { get; set; }
    public bool Overdue { get; set; }
    public string? LetterBlobName { get; set; }
    public string? LetterSha256 { get; set; }
    public string? Outcomes { get; set; }
    /// <summary>The latest issued letter version (LetterBlobName/LetterSha256 are its text rendering); all versions are in LetterRegister.</summary>
    public int LetterVersion { get; set; }
    public string? LetterPdfBlobName { get; set; }
    public string? LetterPdfSha256 { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    /// <summary>The manual-assignment round the orchestration waits for (0: none yet); the admin route answers this round once.</summary>
    public int ManualAssignmentRound { get; set; }

    /// <summary>Why the case needs attention (a step failed for good): the step and the kind of failure, never clinical text.</summary>
    public string? AttentionReason { get; set; }
    public DateTimeOffset? AttentionSince { get; set; }
    /// <summary>How often the case needed attention: each time is its own escalation to the medical director.</summary>
    public int AttentionCount { get; set; }
    /// <summary>The failure was transient (retries exhausted): reconciliation restarts the case without an operator.</summary>
    public bool AttentionTransient { get; set; }
    /// <summary>The status before <see cref="CaseStatus.NeedsAttention"/>, given back when an operator retries the case.</summary>
    public string? StatusBeforeAttention { get; set; }

    /// <summary>
    /// Whether the review clock is set (RegisterCase ran). The row exists from the orchestration's first step as
    /// <see cref="CaseStatus.Received"/> without dates, so a case whose workflow fails during intake is still on record.
    /// </summary>
    public static bool IsRegistered(CaseEntity c) => c.CaseDueAt != default;
}

/// <summary>A case on the list of cases needing attention (partition <see cref="Partition"/> of the Cases table, one row per case).</summary>
public sealed class AttentionEntity : ITableEntity
{
    public const string Partition = "!attention";

    public string PartitionKey { get; set; } = Partition;
    public string RowKey { get; set; } = ""; // case number
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Reason { get; set; } = "";
    public DateTimeOffset Since { get; set; }
}

/// <summary>One offer of a case to a reviewer, with why other candidates were skipped.</summary>
public sealed class AssignmentEntity : ITableEntity
{
    public string PartitionKey { get; set; } = ""; // case number
    public string RowKey { get; set; } = "";       // assignment id
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string ReviewerId { get; set; } = "";
    public int Round { get; set; }
    public string Status { get; set; } = "Offered";
    public DateTimeOffset OfferedAt { get; set; }
    public DateTimeOffset? AcceptedAt { get; set; }
    public string? EndedReason { get; set; }
    public string MatchingVerdicts { get; set; } = "[]";
    /// <summary>How often the determination was sent back for correction; a submission of revision n is its own single-use action.</summary>
    public int DeterminationRevision { get; set; }
    /// <summary>Set when the reviewer declines: the reason as typed, and a declared conflict (kind and party).</summary>
    public string? DeclineReason { get; set; }
    public string? DeclaredConflictKind { get; set; }
    public string? DeclaredConflictParty { get; set; }
    /// <summary>Who assigned the case by hand (medical director), when it was not matched.</summary>
    public string? AssignedBy { get; set; }
}

public sealed class CaseStore(StorageClients storage)
{
    private TableClient Cases => storage.Table(StorageNames.CasesTable);
    private TableClient Assignments => storage.Table(StorageNames.AssignmentsTable);

    public async Task<CaseEntity?> GetAsync(string caseNumber, CancellationToken ct = default)
    {
        var response = await Cases.GetEntityIfExistsAsync<CaseEntity>(caseNumber, CaseEntity.Row, cancellationToken: ct);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>Inserts the case once; a retried activity finds it and returns the stored record.</summary>
    public async Task<CaseEntity> AddOnceAsync(CaseEntity entity, CancellationToken ct = default)
    {
        try
        {
            await Cases.AddEntityAsync(entity, ct);
            return entity;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return (await GetAsync(entity.PartitionKey, ct))!;
        }
    }

    /// <summary>
    /// Applies a change to the case record with optimistic concurrency (ETag-conditional replace, re-read on 412). A change
    /// that would move the status in a way <see cref="CaseStatusTransitions"/> does not allow (e.g. a closed case back to
    /// review) is a late or repeated step: nothing is written and the stored record is returned.
    /// </summary>
    public async Task<CaseEntity> UpdateAsync(string caseNumber, Action<CaseEntity> change, CancellationToken ct = default) =>
        (await ChangeAsync(caseNumber, change, ct)).Case;

    /// <summary>As <see cref="UpdateAsync"/>; <c>Applied</c> is false when the change was refused as a move backwards.</summary>
    public async Task<(CaseEntity Case, bool Applied)> ChangeAsync(string caseNumber, Action<CaseEntity> change, CancellationToken ct = default)
    {
        var (entity, applied) = await ChangeRowAsync(Cases, () => GetAsync(caseNumber, ct), $"Case {caseNumber}", e => e.Status, CaseStatusTransitions.Allows, change, ct);
        return applied ? (entity, true) : ((await GetAsync(caseNumber, ct))!, false); // the refused change touched the copy in hand
    }

    /// <summary>
    /// One row changed with optimistic concurrency: read, change, and replace only if the row is unchanged (re-read and
    /// decide again on 412); a status move the transition table refuses writes nothing.
    /// </summary>
    private static async Task<(T Entity, bool Applied)> ChangeRowAsync<T>(TableClient table, Func<Task<T?>> read, string what, Func<T, string> statusOf,
        Func<string?, string?, bool> allows, Action<T> change, CancellationToken ct) where T : class, ITableEntity
    {
        for (var attempt = 0; ; attempt++)
        {
            var entity = await read() ?? throw new InvalidOperationException($"{what} is not recorded.");
            var before = statusOf(entity);
            change(entity);
            if (!allows(before, statusOf(entity))) return (entity, false);
            try
            {
                await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, ct);
                return (entity, true);
            }
            catch (RequestFailedException ex) when (ex.Status == 412 && attempt < 10)
            {
                // Written meanwhile: decide again on the new state.
            }
        }
    }

    /// <summary>Puts the case on the attention list (or refreshes its reason there).</summary>
    public Task MarkNeedsAttentionAsync(string caseNumber, string reason, DateTimeOffset since, CancellationToken ct = default) =>
        Cases.UpsertEntityAsync(new AttentionEntity { RowKey = caseNumber, Reason = reason, Since = since }, TableUpdateMode.Replace, ct);

    public async Task ClearNeedsAttentionAsync(string caseNumber, CancellationToken ct = default)
    {
        try
        {
            await Cases.DeleteEntityAsync(AttentionEntity.Partition, caseNumber, ETag.All, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    /// <summary>Every case needing attention (one small partition), oldest first.</summary>
    public async Task<IReadOnlyList<AttentionEntity>> NeedingAttentionAsync(CancellationToken ct = default)
    {
        var list = new List<AttentionEntity>();
        await foreach (var a in Cases.QueryAsync<AttentionEntity>(a => a.PartitionKey == AttentionEntity.Partition, cancellationToken: ct))
        {
            list.Add(a);
        }

        return list.OrderBy(a => a.Since).ToList();
    }

    public async Task<AssignmentEntity?> GetAssignmentAsync(string caseNumber, string assignmentId, CancellationToken ct = default)
    {
        var response = await Assignments.GetEntityIfExistsAsync<AssignmentEntity>(caseNumber, assignmentId, cancellationToken: ct);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>The case's assignment rows (one partition: the case's own, never a scan of other cases).</summary>
    public async Task<IReadOnlyList<AssignmentEntity>> ListAssignmentsAsync(string caseNumber, CancellationToken ct = default)
    {
        var list = new List<AssignmentEntity>();
        await foreach (var a in Assignments.QueryAsync<AssignmentEntity>(a => a.PartitionKey == caseNumber, cancellationToken: ct))
        {
            list.Add(a);
        }

        return list;
    }

    public async Task<AssignmentEntity> AddAssignmentOnceAsync(AssignmentEntity entity, CancellationToken ct = default)
    {
        try
        {
            await Assignments.AddEntityAsync(entity, ct);
            return entity;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return (await GetAssignmentAsync(entity.PartitionKey, entity.RowKey, ct))!;
        }
    }

    /// <summary>
    /// Applies a change to an assignment row, ETag-conditional with a re-read on 412. A change that would move its status
    /// in a way <see cref="AssignmentStatusTransitions"/> does not allow (e.g. a completed assignment back to accepted) is
    /// a late or repeated step: nothing is written and false is returned.
    /// </summary>
    public async Task<bool> UpdateAssignmentAsync(string caseNumber, string assignmentId, Action<AssignmentEntity> change, CancellationToken ct = default) =>
        (await ChangeRowAsync(Assignments, () => GetAssignmentAsync(caseNumber, assignmentId, ct), $"Assignment {assignmentId}", e => e.Status, AssignmentStatusTransitions.Allows, change, ct)).Applied;

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, CasePackage.JsonOptions);
}
